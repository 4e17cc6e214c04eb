using System.Text.Json;
using System.Text.Json.Serialization;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// A typed reference to a device (host, namespace, link) or to a whole namespace (no link): what a finding is
/// about and where a trace stops. Two places are equal when they are the same model objects — broken paths are
/// tied to findings by this identity, never by comparing names. Written as text ("HOST:NETNS:DEVICE",
/// as <see cref="DeviceRef"/> and <see cref="NsRef"/> print themselves).
/// </summary>
[JsonConverter(typeof(PlaceJsonConverter))]
public readonly record struct Place(Host Host, NetNamespace Ns, Link? Link)
{
    public static implicit operator Place(DeviceRef d) => new(d.Host, d.Ns, d.Link);
    public static implicit operator Place(NsRef n) => new(n.Host, n.Ns, null);

    /// <summary>The namespace the place is in (or is).</summary>
    public NsRef Namespace => new(Host, Ns);
    public bool IsDevice => Link is not null;

    public bool Equals(Place other) =>
        ReferenceEquals(Host, other.Host) && ReferenceEquals(Ns, other.Ns) && ReferenceEquals(Link, other.Link);

    public override int GetHashCode() =>
        HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Ns), Link is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Link));

    public override string ToString() =>
        Link is { } l ? Ns.IsRoot ? $"{Host.Name}:{l.Name}" : $"{Host.Name}:{Ns.DisplayName}:{l.Name}" // DeviceRef's text
        : Ns.IsRoot ? Host.Name : $"{Host.Name}:{Ns.DisplayName}"; // NsRef's
}

/// <summary>A <see cref="Place"/> in JSON: its text.</summary>
internal sealed class PlaceJsonConverter : JsonConverter<Place>
{
    public override Place Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("a place is written as text and not read back");

    public override void Write(Utf8JsonWriter writer, Place value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
