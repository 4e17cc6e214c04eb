using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>A namespace of a host: the unit the tracer walks in.</summary>
public sealed record NsRef(Host Host, NetNamespace Ns) : ISpanFormattable
{
    public string Key => $"{Host.Name}/{Ns.Id}";

    /// <summary><c>a.Key == b.Key</c>, without building the keys: with host names of one length the '/' sits at one place,
    /// so the keys are equal when both parts are (a name holding '/' can only match otherwise: then the keys are built).</summary>
    internal static bool SameKey(NsRef a, NsRef b) =>
        a.Host.Name.Length == b.Host.Name.Length
            ? a.Host.Name == b.Host.Name && a.Ns.Id == b.Ns.Id
            : a.Host.Name.Length + a.Ns.Id.Length == b.Host.Name.Length + b.Ns.Id.Length && a.Key == b.Key;
    /// <summary>Equality stays the record's (same host and namespace objects); the hash is the namespace object's identity, which is cheaper.</summary>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(Ns);
    public override string ToString() => Ns.IsRoot ? Host.Name : $"{Host.Name}:{Ns.DisplayName}";

    /// <summary><see cref="ToString()"/>'s text written in place (a reason or step interpolating the namespace builds no string for it).</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Ns.IsRoot ? Text.TryWrite(destination, out charsWritten, Host.Name) : Text.TryWrite(destination, out charsWritten, Host.Name, ":", Ns.DisplayName);

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();
}

/// <summary>Writes the parts of a place's text into a span (<see cref="ISpanFormattable.TryFormat"/>).</summary>
internal static class Text
{
    public static bool TryWrite(Span<char> into, out int written, string a, string? b = null, string? c = null, string? d = null, string? e = null)
    {
        written = 0;
        foreach (var part in (ReadOnlySpan<string?>)[a, b, c, d, e])
        {
            if (part is null) continue;
            if (!part.TryCopyTo(into[written..])) { written = 0; return false; }
            written += part.Length;
        }
        return true;
    }
}

/// <summary>A device of a namespace of a host.</summary>
public sealed record DeviceRef(Host Host, NetNamespace Ns, Link Link) : ISpanFormattable
{
    private NsRef? _ns;

    /// <summary>The device's namespace, made once per device (the tracer asks at every step).</summary>
    public NsRef Namespace => _ns is { } n && ReferenceEquals(n.Ns, Ns) && ReferenceEquals(n.Host, Host) ? n : _ns = new(Host, Ns);

    public string Key => $"{Host.Name}/{Ns.Id}/{Link.Name}";

    /// <summary>Same host, namespace and link objects (the model's classes compare by identity); the cached
    /// namespace is not part of it.</summary>
    public bool Equals(DeviceRef? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            ReferenceEquals(Host, other.Host) && ReferenceEquals(Ns, other.Ns) && ReferenceEquals(Link, other.Link));

    /// <summary>The link object's identity, which is cheaper than hashing all three.</summary>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(Link);

    /// <summary><c>string.CompareOrdinal(a.Key, b.Key)</c>'s sign, without building the keys.</summary>
    internal static int CompareKeys(DeviceRef a, DeviceRef b)
    {
        int la = a.Host.Name.Length + a.Ns.Id.Length + a.Link.Name.Length + 2, lb = b.Host.Name.Length + b.Ns.Id.Length + b.Link.Name.Length + 2;
        if (la > 256 || lb > 256) return string.CompareOrdinal(a.Key, b.Key);
        Span<char> x = stackalloc char[la], y = stackalloc char[lb];
        Fill(x, a);
        Fill(y, b);
        return ((ReadOnlySpan<char>)x).SequenceCompareTo(y);

        static void Fill(Span<char> into, DeviceRef d)
        {
            d.Host.Name.CopyTo(into);
            into[d.Host.Name.Length] = '/';
            d.Ns.Id.CopyTo(into[(d.Host.Name.Length + 1)..]);
            into[d.Host.Name.Length + 1 + d.Ns.Id.Length] = '/';
            d.Link.Name.CopyTo(into[(d.Host.Name.Length + d.Ns.Id.Length + 2)..]);
        }
    }
    public override string ToString() => Ns.IsRoot ? $"{Host.Name}:{Link.Name}" : $"{Host.Name}:{Ns.DisplayName}:{Link.Name}";

    /// <summary><see cref="ToString()"/>'s text written in place.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Ns.IsRoot ? Text.TryWrite(destination, out charsWritten, Host.Name, ":", Link.Name)
            : Text.TryWrite(destination, out charsWritten, Host.Name, ":", Ns.DisplayName, ":", Link.Name);

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();
}

public enum EdgeKind
{
    /// <summary>The two ends of a veth pair.</summary>
    Veth,
    /// <summary>A port enslaved to a Linux bridge (From = port, To = bridge device).</summary>
    BridgePort,
    /// <summary>An interface of an Open vSwitch bridge (From = interface device, To = bridge's internal device if present).</summary>
    OvsPort,
    /// <summary>Another master (bond, vrf, team): From = slave, To = master.</summary>
    Master,
    /// <summary>A tc mirred redirect (From = device with the filter, To = target device).</summary>
    TcRedirect,
    /// <summary>A tc mirred mirror.</summary>
    TcMirror,
    /// <summary>A VXLAN tunnel between two tunnel devices on (usually) different hosts.</summary>
    Tunnel,
    /// <summary>A VXLAN device and the namespace (device) its UDP socket lives in.</summary>
    TunnelUnderlay,
    /// <summary>Devices of different namespaces/hosts on one IP subnet: assumed one L2 segment.</summary>
    Underlay,
    /// <summary>vlan/macvlan/ipvlan on top of a parent device.</summary>
    Parent,
    /// <summary>Two Open vSwitch bridges joined by a pair of patch ports (From, To = the bridges' devices).</summary>
    OvsPatch,
    /// <summary>An Open vSwitch tunnel port (vxlan, geneve, gre) and the one on another host whose local_ip/remote_ip
    /// name each other (From, To = the two bridges' devices).</summary>
    OvsTunnel,
}

/// <summary>
/// A relation between two devices. <see cref="To"/> is null when the far end is not in the input
/// (an unresolved veth peer, a tunnel whose far host was not given); <see cref="Assumption"/> says
/// what had to be assumed to draw the edge at all.
/// </summary>
public sealed record Edge(EdgeKind Kind, DeviceRef From, DeviceRef? To, string Label, string? Assumption = null)
{
    public bool IsResolved => To is not null;
    public override string ToString() => $"{Kind} {From} -> {(To?.ToString() ?? "?")} ({Label})";
}

/// <summary>Something the linker had to decide without full evidence, or could not decide.</summary>
public sealed record Assumption(string Text, DeviceRef? Device = null, SourceRef? Source = null)
{
    public override string ToString() => (Device is null ? "" : Device + ": ") + Text;
}

/// <summary>A VXLAN device's far end, as the linker matched it.</summary>
/// <param name="Device">the local vxlan device</param>
/// <param name="Underlay">the namespace its UDP socket lives in (x-netns: the one it was created in)</param>
/// <param name="Far">the matching far device (same VNI and port, remote = far underlay address), if found</param>
/// <param name="FarUnderlay">the namespace that owns the remote address, if any input shows it</param>
/// <param name="NearMisses">far devices at the remote that differ (VNI, port, remote back) — what a fault looks like</param>
public sealed record TunnelMatch(DeviceRef Device, NsRef? Underlay, DeviceRef? Far, NsRef? FarUnderlay, IReadOnlyList<TunnelMismatch> NearMisses)
{
    /// <summary>A device without a remote (flannel's flannel.1): the far end of each FDB entry with a dst, one per peer.</summary>
    public IReadOnlyList<FdbTunnelEnd> FdbEnds { get; init; } = [];
}

/// <summary>
/// The far end one FDB entry of a remote-less VXLAN device sends to: frames for <see cref="FdbEntry.Mac"/> are
/// encapsulated to <see cref="Dst"/> with <see cref="Vni"/> and <see cref="Port"/> (the entry's own, else the device's).
/// </summary>
/// <param name="Entry">the FDB entry ("MAC dev flannel.1 dst IP self permanent")</param>
/// <param name="FarUnderlay">the namespace that owns <see cref="Dst"/>, if any input shows it</param>
/// <param name="Far">the VXLAN device with its socket there and the same VNI and port (and whose own way back, if shown, points here)</param>
/// <param name="NearMisses">VXLAN devices with their socket there that differ</param>
public sealed record FdbTunnelEnd(FdbEntry Entry, System.Net.IPAddress Dst, uint? Vni, int Port, NsRef? FarUnderlay, DeviceRef? Far,
    IReadOnlyList<TunnelMismatch> NearMisses);

public sealed record TunnelMismatch(DeviceRef Far, string Reason);
