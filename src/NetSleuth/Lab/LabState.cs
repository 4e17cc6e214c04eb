using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetSleuth.Lab;

/// <summary>
/// What `lab up` records in /run/netsleuth/labs/PREFIX.json: written before the first namespace is
/// made (Status "building", every namespace it will make), before each namespace is named (its inode
/// in <see cref="Made"/>) and again when the lab is up; always whole (a temporary file renamed over
/// it). `lab status`, `lab down` and `collect --lab` read it.
/// </summary>
public sealed class LabState
{
    public const string Building = "building";
    public const string Up = "up";
    /// <summary>A stand-in for a state file that could not be read (see <see cref="Damage"/>).</summary>
    public const string Damaged = "damaged";

    public required string Prefix { get; set; }
    public required string Scenario { get; set; }
    public List<string> Faults { get; set; } = [];
    public string Status { get; set; } = Building;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The process that ran `up` (a killed `up` leaves Status "building").</summary>
    public int Pid { get; set; }
    public List<LabHost> Hosts { get; set; } = [];
    /// <summary>Namespaces of the lab that belong to no host (e.g. where a dangling veth's peer hides).</summary>
    public List<string> ExtraNamespaces { get; set; } = [];
    public List<LabProbe> Probes { get; set; } = [];
    /// <summary>The namespaces this lab made, each with its inode, recorded before its name existed:
    /// only these are ever removed.</summary>
    public List<LabNetnsRecord> Made { get; set; } = [];

    /// <summary>Why the state file could not be read (a stand-in state for `lab status`), or null.</summary>
    [JsonIgnore]
    public string? Damage { get; set; }

    [JsonIgnore]
    public IEnumerable<string> AllNamespaces => Hosts.SelectMany(h => h.Namespaces).Concat(ExtraNamespaces);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(LabState))]
[JsonSerializable(typeof(LabStatusesJson))]
[JsonSerializable(typeof(LabCatalogJson))]
internal sealed partial class LabStateJsonContext : JsonSerializerContext;

/// <summary>`lab list --format json`: scenarios, faults, and what each fault changes per scenario.</summary>
public sealed record LabCatalogJson(int FormatVersion, IReadOnlyList<LabScenarioInfo> Scenarios, IReadOnlyList<LabFaultInfo> Faults,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Changes);

/// <summary>`lab status --format json`: the labs on this machine.</summary>
public sealed record LabStatusesJson(int FormatVersion, List<LabStatus> Labs);

/// <summary>JSON of `lab list` and `lab status`: a "formatVersion" first, text escaped only where JSON requires it.</summary>
public static class LabJson
{
    /// <summary>The version of these JSON shapes.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Relaxed = new(LabStateJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Catalog() => JsonSerializer.Serialize(
        new LabCatalogJson(FormatVersion, LabCatalog.Scenarios, LabCatalog.Faults,
            LabCatalog.All.ToDictionary(s => s.Name, s => s.FaultChanges)),
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<LabCatalogJson>)Relaxed.GetTypeInfo(typeof(LabCatalogJson))) + "\n";

    public static string Statuses(IReadOnlyList<LabStatus> labs) => JsonSerializer.Serialize(
        new LabStatusesJson(FormatVersion, labs.ToList()),
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<LabStatusesJson>)Relaxed.GetTypeInfo(typeof(LabStatusesJson))) + "\n";
}

public static class LabStateFile
{
    public static string Serialize(LabState s) => JsonSerializer.Serialize(s, LabStateJsonContext.Default.LabState);

    /// <summary>Replaces the state file whole: a temporary file, flushed, renamed over it (a kill leaves the old or the new one).</summary>
    public static void Write(LabState s)
    {
        var tmp = WriteTemp(s);
        File.Move(tmp, LabPaths.StateFile(s.Prefix), overwrite: true);
    }

    /// <summary>Writes the first state of a lab, whole; fails when the prefix already has one (two `up`s racing):
    /// the temporary file is linked to the name, which fails when the name exists.</summary>
    public static void Claim(LabState s)
    {
        var tmp = WriteTemp(s);
        try
        {
            File.Move(tmp, LabPaths.StateFile(s.Prefix), overwrite: false);
        }
        catch (IOException) when (File.Exists(LabPaths.StateFile(s.Prefix)))
        {
            File.Delete(tmp);
            throw new LabException($"lab prefix '{s.Prefix}' is in use ({LabPaths.StateFile(s.Prefix)})");
        }
    }

    /// <summary>PREFIX.json.PID.tmp next to the state file, written and flushed.</summary>
    private static string WriteTemp(LabState s)
    {
        Directory.CreateDirectory(LabPaths.StateDir);
        var tmp = $"{LabPaths.StateFile(s.Prefix)}.{Environment.ProcessId}.tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(System.Text.Encoding.UTF8.GetBytes(Serialize(s)));
            f.Flush(flushToDisk: true);
        }
        return tmp;
    }

    /// <summary>Temporary files of PREFIX's state left by a killed writer.</summary>
    public static IReadOnlyList<string> TempFiles(string prefix) =>
        Directory.Exists(LabPaths.StateDir) ? Directory.GetFiles(LabPaths.StateDir, prefix + ".json.*.tmp") : [];

    /// <summary>The state of lab PREFIX, or null when it has none; a damaged file raises <see cref="LabException"/>.</summary>
    public static LabState? Read(string prefix)
    {
        var path = LabPaths.StateFile(prefix);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LabStateJsonContext.Default.LabState)
                ?? throw new LabException($"{path}: empty lab state");
        }
        catch (JsonException e)
        {
            throw new LabException($"{path}:{(e.LineNumber ?? 0) + 1}: not a lab state file ({e.Message.Split(" Path:")[0]})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabException($"{path}: cannot read the lab state ({e.Message})");
        }
    }

    /// <summary>The prefixes with a state file.</summary>
    public static IReadOnlyList<string> Prefixes() =>
        Directory.Exists(LabPaths.StateDir)
            ? Directory.GetFiles(LabPaths.StateDir, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList()
            : [];
}
