using System.Text.Json;
using System.Text.Json.Serialization;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// The topology for machines: hosts → namespaces → devices (each with an id "HOST/NSID/NAME"),
/// edges between device ids (to = null for an unresolved end), tunnels with their near misses,
/// shared subnets and every assumption. Field names are camelCase; absent values are left out.
/// </summary>
public static class JsonTopologyRenderer
{
    public static string Render(TopologyView v) =>
        JsonSerializer.Serialize(Build(v), TopologyJsonContext.Default.TopologyDoc) + "\n";

    private static TopologyDoc Build(TopologyView v) => new(
        FormatVersion: 1,
        Focus: v.Focus is { } f ? new FocusDoc(f.Spec, f.Notes, f.Devices.Count) : null,
        Hosts: v.Hosts.Select(h => new HostDoc(h.Host.Name, h.Namespaces.Select(n => new NamespaceDoc(
            n.Ns.Ns.Id, n.Ns.Ns.Name, n.Ns.Ns.IsRoot, n.Devices.Select(Device).ToList())).ToList())).ToList(),
        Edges: v.Edges.Select(e => new EdgeDoc(Kind(e.Kind), e.From.Key, e.To?.Key, e.Label, e.Assumption)).ToList(),
        Tunnels: v.Hosts.SelectMany(h => h.Namespaces).SelectMany(n => n.Devices)
            .Select(d => v.Topology.Tunnel(d)).OfType<TunnelMatch>()
            .Select(t => new TunnelDoc(t.Device.Key, t.Underlay?.Key, t.Far?.Key, t.FarUnderlay?.Key,
                t.NearMisses.Select(m => new NearMissDoc(m.Far.Key, m.Reason)).ToList(),
                t.FdbEnds.Count == 0 ? null : t.FdbEnds.Select(e => new FdbEndDoc(e.Entry.Mac.ToString(), e.Dst.ToString(), e.Vni, e.Port,
                    e.FarUnderlay?.Key, e.Far?.Key, e.NearMisses.Select(m => new NearMissDoc(m.Far.Key, m.Reason)).ToList())).ToList())).ToList(),
        Segments: v.Segments.Select(s => new SegmentDoc(s.Subnet.ToString(), s.Members.Select(m => m.Key).ToList())).ToList(),
        Assumptions: v.Assumptions.Select(a => new AssumptionDoc(a.Text, a.Device?.Key, a.Source?.ToString())).ToList(),
        HiddenAssumptions: v.HiddenAssumptions == 0 ? null : v.HiddenAssumptions);

    private static DeviceDoc Device(DeviceRef d)
    {
        var l = d.Link;
        return new DeviceDoc(d.Key, l.Name, l.Index, l.Kind, l.Mac?.ToString(), l.Mtu, l.OperState,
            l.Addresses.Select(a => a.Prefix.ToString()).ToList(), l.Master,
            l.Vxlan is { } vx ? new VxlanDoc(vx.Vni, vx.Remote?.ToString(), vx.Local?.ToString(), vx.DstPort) : null);
    }

    /// <summary>Edge kinds as lower-case words ("veth", "bridge-port", "tc-redirect", …).</summary>
    public static string Kind(EdgeKind k) => k switch
    {
        EdgeKind.BridgePort => "bridge-port",
        EdgeKind.OvsPort => "ovs-port",
        EdgeKind.OvsPatch => "ovs-patch",
        EdgeKind.OvsTunnel => "ovs-tunnel",
        EdgeKind.TcRedirect => "tc-redirect",
        EdgeKind.TcMirror => "tc-mirror",
        EdgeKind.TunnelUnderlay => "tunnel-underlay",
        _ => k.ToString().ToLowerInvariant(),
    };
}

internal sealed record TopologyDoc(int FormatVersion, FocusDoc? Focus, List<HostDoc> Hosts, List<EdgeDoc> Edges,
    List<TunnelDoc> Tunnels, List<SegmentDoc> Segments, List<AssumptionDoc> Assumptions, int? HiddenAssumptions);
internal sealed record FocusDoc(string Spec, IReadOnlyList<string> Notes, int DeviceCount);
internal sealed record HostDoc(string Name, List<NamespaceDoc> Namespaces);
internal sealed record NamespaceDoc(string Id, string? Name, bool Root, List<DeviceDoc> Devices);
internal sealed record DeviceDoc(string Id, string Name, int Index, string? Kind, string? Mac, int? Mtu, string? OperState,
    List<string> Addresses, string? Master, VxlanDoc? Vxlan);
internal sealed record VxlanDoc(uint? Vni, string? Remote, string? Local, int? DstPort);
internal sealed record EdgeDoc(string Kind, string From, string? To, string Label, string? Assumption);
internal sealed record TunnelDoc(string Device, string? Underlay, string? Far, string? FarUnderlay, List<NearMissDoc> NearMisses, List<FdbEndDoc>? FdbEnds);
internal sealed record FdbEndDoc(string Mac, string Dst, uint? Vni, int Port, string? FarUnderlay, string? Far, List<NearMissDoc> NearMisses);
internal sealed record NearMissDoc(string Far, string Reason);
internal sealed record SegmentDoc(string Subnet, List<string> Members);
internal sealed record AssumptionDoc(string Text, string? Device, string? Source);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(TopologyDoc))]
internal sealed partial class TopologyJsonContext : JsonSerializerContext;
