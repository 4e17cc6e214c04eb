using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NetSleuth.Model;

/// <summary>
/// The snapshot writer's contract: the source-generated one, minus what a reader gets back without
/// it — an empty list, set or map whose property the model always initialises, a false flag, and a
/// field equal to the value a new model object has (a route's <c>type</c> "unicast" and <c>table</c>
/// 254, a rule's <c>family</c> "inet" and <c>action</c> "to_tbl", …). Required fields and
/// <c>formatVersion</c> are always written. A 1,000-node synthetic cluster shrinks by about a fifth.
/// </summary>
internal static class LeanJson
{
    private static readonly Lazy<JsonTypeInfo<Snapshot>> Indented = new(() => Make(indented: true));
    private static readonly Lazy<JsonTypeInfo<Snapshot>> Compact = new(() => Make(indented: false));

    private static readonly Lazy<JsonTypeInfo<Snapshot>> ReaderInfo = new(() =>
    {
        var options = new JsonSerializerOptions(SnapshotJsonContext.Default.Options) { Converters = { new SourceRefJsonConverter() } };
        return (JsonTypeInfo<Snapshot>)options.GetTypeInfo(typeof(Snapshot));
    });

    public static JsonTypeInfo<Snapshot> Writer(bool indented) => indented ? Indented.Value : Compact.Value;

    /// <summary>System.Text.Json's reader of both forms.</summary>
    public static JsonTypeInfo<Snapshot> Reader => ReaderInfo.Value;

    private static JsonTypeInfo<Snapshot> Make(bool indented)
    {
        var options = new JsonSerializerOptions(SnapshotJsonContext.Default.Options)
        {
            WriteIndented = indented,
            TypeInfoResolver = SnapshotJsonContext.Default.WithAddedModifier(OmitDefaults),
            Converters = { new SourceRefJsonConverter() },
        };
        return (JsonTypeInfo<Snapshot>)options.GetTypeInfo(typeof(Snapshot));
    }

    private static void OmitDefaults(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        var prototype = Prototype(type);
        foreach (var p in type.Properties)
        {
            if (p.IsRequired || p.Get is null || p.Name == "formatVersion") continue;
            if (typeof(ICollection).IsAssignableFrom(p.PropertyType))
            {
                // absent = the empty collection a new object starts with (never so for a nullable one: absent = null)
                if (!p.IsGetNullable && prototype is not null && p.Get(prototype) is ICollection { Count: 0 })
                    p.ShouldSerialize = static (_, v) => v is not ICollection { Count: 0 };
                continue;
            }
            if (prototype is null || p.Get(prototype) is not { } dflt) continue; // null is left out anyway
            if (p.PropertyType.IsValueType || dflt is string)
                p.ShouldSerialize = (_, v) => !dflt.Equals(v);
        }
    }

    /// <summary>A model object as a reader would start it (before setting any field), or null when it cannot be made.</summary>
    private static object? Prototype(JsonTypeInfo type)
    {
        if (type.CreateObject is { } create) return create();
        // required members keep System.Text.Json from making one itself
        return type.Type.Name switch
        {
            nameof(Route) => new Route { Destination = default },
            nameof(Rule) => new Rule { Priority = 0 },
            nameof(Link) => new Link { Index = 0, Name = "" },
            nameof(IfAddress) => new IfAddress { Prefix = default },
            nameof(NetNamespace) => new NetNamespace { Id = "" },
            nameof(Host) => new Host { Name = "" },
            nameof(Neighbor) => new Neighbor { Address = System.Net.IPAddress.None, Device = "" },
            nameof(FdbEntry) => new FdbEntry { Mac = default, Device = "" },
            nameof(TcQdisc) => new TcQdisc { Device = "", Kind = "" },
            nameof(TcFilter) => new TcFilter { Device = "", Direction = "" },
            nameof(TcAction) => new TcAction { Kind = "" },
            nameof(IptablesTable) => new IptablesTable { Name = "" },
            nameof(IptablesChain) => new IptablesChain { Name = "" },
            nameof(IptablesRule) => new IptablesRule { Chain = "" },
            nameof(NftTable) => new NftTable { Family = "", Name = "" },
            nameof(NftChain) => new NftChain { Family = "", Table = "", Name = "" },
            nameof(NftRule) => new NftRule { Family = "", Table = "", Chain = "" },
            nameof(OvsBridge) => new OvsBridge { Name = "" },
            nameof(OvsPort) => new OvsPort { Name = "" },
            nameof(OvsInterface) => new OvsInterface { Name = "" },
            nameof(OvsPortStats) => new OvsPortStats { Bridge = "", Port = "" },
            nameof(OvsAbsentPort) => new OvsAbsentPort { Bridge = "", Port = "" },
            nameof(OvnLogicalSwitchPort) => new OvnLogicalSwitchPort { Name = "" },
            nameof(OvnChassis) => new OvnChassis { Name = "" },
            nameof(OvnEncap) => new OvnEncap { Type = "" },
            nameof(RouteLookup) => new RouteLookup { Destination = System.Net.IPAddress.None },
            _ => null,
        };
    }
}

/// <summary>A source reference: <c>"FILE"</c> when it names a whole output (line 0, what the
/// collector writes for every fact), else <c>{"file": FILE, "line": N}</c>; both are read.</summary>
public sealed class SourceRefJsonConverter : JsonConverter<SourceRef>
{
    public override SourceRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return new SourceRef(reader.GetString()!);
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a source reference is a string or {\"file\", \"line\"}");
        string? file = null;
        int line = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "file": file = reader.GetString(); break;
                case "line": line = reader.GetInt32(); break;
                default: reader.Skip(); break;
            }
        }
        return new SourceRef(file ?? throw new JsonException("a source reference without \"file\""), line);
    }

    public override void Write(Utf8JsonWriter writer, SourceRef value, JsonSerializerOptions options)
    {
        if (value.Line == 0)
        {
            writer.WriteStringValue(value.File);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("file", value.File);
        writer.WriteNumber("line", value.Line);
        writer.WriteEndObject();
    }
}
