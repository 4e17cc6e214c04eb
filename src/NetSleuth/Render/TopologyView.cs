using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// What the renderers draw: the topology (or the part a focus kept) in a stable order — hosts in
/// input order, the root namespace first and the others by name, devices by ifindex, edges by kind
/// and ends — so that every format's output is deterministic. Loopback devices are left out.
/// </summary>
public sealed class TopologyView
{
    private TopologyView(Topology.Topology topology, FocusResult? focus)
    {
        Topology = topology;
        Focus = focus;
    }

    public Topology.Topology Topology { get; }
    public FocusResult? Focus { get; }
    public IReadOnlyList<HostView> Hosts { get; private set; } = [];
    /// <summary>Edges among the devices shown, except the chain edges that stand for a segment (see <see cref="Segments"/>).</summary>
    public IReadOnlyList<Edge> Edges { get; private set; } = [];
    /// <summary>Shared subnets, with only the members shown.</summary>
    public IReadOnlyList<Segment> Segments { get; private set; } = [];
    public IReadOnlyList<Assumption> Assumptions { get; private set; } = [];
    /// <summary>Assumptions about devices the focus left out.</summary>
    public int HiddenAssumptions { get; private set; }

    public bool Contains(DeviceRef d) => _shown.Contains(d);
    private HashSet<DeviceRef> _shown = [];

    public static TopologyView Create(Topology.Topology t, FocusResult? focus = null)
    {
        var v = new TopologyView(t, focus);
        var hosts = new List<HostView>();
        foreach (var host in t.Hosts)
        {
            var namespaces = new List<NamespaceView>();
            foreach (var ns in host.Namespaces.OrderBy(n => n.IsRoot ? 0 : 1).ThenBy(n => n.DisplayName, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal))
            {
                var devices = ns.Links
                    .Where(l => !IsPlainLoopback(l))
                    .Select(l => t.Device(host, ns, l.Name))
                    .OfType<DeviceRef>()
                    .Where(d => d.Link == ns.FindLink(d.Link.Name) && (focus is null || focus.Devices.Contains(d)))
                    .OrderBy(d => d.Link.Index).ThenBy(d => d.Link.Name, StringComparer.Ordinal)
                    .ToList();
                if (devices.Count > 0 || focus is null) namespaces.Add(new NamespaceView(new NsRef(host, ns), devices));
            }
            if (namespaces.Any(n => n.Devices.Count > 0) || focus is null) hosts.Add(new HostView(host, namespaces));
        }
        v.Hosts = hosts;
        v._shown = hosts.SelectMany(h => h.Namespaces).SelectMany(n => n.Devices).ToHashSet();

        v.Segments = t.Segments
            .Select(s => s with { Members = s.Members.Where(v._shown.Contains).ToList() })
            .Where(s => s.Members.Count > 0)
            .ToList();
        v.Edges = t.Edges
            .Where(e => v._shown.Contains(e.From) && (e.To is null || v._shown.Contains(e.To)) && !IsSegmentChain(t, e))
            .OrderBy(e => e.Kind).ThenBy(e => e.From.Key, StringComparer.Ordinal)
            .ThenBy(e => e.To?.Key ?? "", StringComparer.Ordinal).ThenBy(e => e.Label, StringComparer.Ordinal)
            .ToList();
        var assumptions = t.Assumptions.Distinct().ToList();
        v.Assumptions = assumptions.Where(a => a.Device is null || v._shown.Contains(a.Device)).ToList();
        v.HiddenAssumptions = assumptions.Count - v.Assumptions.Count;
        return v;
    }

    /// <summary>The edges an unresolved end hangs off: the far end is not in the input.</summary>
    public IEnumerable<Edge> Unresolved => Edges.Where(e => e.To is null);

    /// <summary>Which namespace view a device is drawn in.</summary>
    public NamespaceView? NamespaceOf(DeviceRef d) =>
        Hosts.SelectMany(h => h.Namespaces).FirstOrDefault(n => n.Ns.Host == d.Host && n.Ns.Ns == d.Ns);

    private static bool IsPlainLoopback(Link l) =>
        l.IsLoopback && l.Addresses.All(a => a.Address.Equals(System.Net.IPAddress.Loopback) || a.Address.Equals(System.Net.IPAddress.IPv6Loopback));

    /// <summary>Underlay edges the linker drew as a chain through a segment's members (the segment stands for them).</summary>
    private static bool IsSegmentChain(Topology.Topology t, Edge e) =>
        e.Kind == EdgeKind.Underlay && e.To is not null && t.SegmentOf(e.From) is { } s &&
        s.Members.Contains(e.To) && e.Label == s.Subnet.ToString();
}

public sealed record HostView(Host Host, IReadOnlyList<NamespaceView> Namespaces);

public sealed record NamespaceView(NsRef Ns, IReadOnlyList<DeviceRef> Devices)
{
    public string Title => Ns.Ns.IsRoot ? "root namespace" : Ns.Ns.Name is not null ? $"netns {Ns.Ns.Name}" : $"netns {Ns.Ns.Id}";
}

/// <summary>How a device is described in every format.</summary>
public static class DeviceText
{
    /// <summary>The kind as the kernel names it; "ether" style link type for devices without one (NICs).</summary>
    public static string Kind(Link l) => l.Kind ?? (l.DetailsKnown ? l.LinkType ?? "device" : "?");

    /// <summary>Addresses worth showing: not link-local IPv6, in input order.</summary>
    public static IEnumerable<string> Addresses(Link l) =>
        l.Addresses.Where(a => !(a.Scope == "link" && !a.Prefix.IsV4)).Select(a => a.Prefix.ToString());

    public static string? State(Link l) =>
        l.Flags.Count == 0 && l.OperState is null ? "state unknown" : l.IsUp ? (l.HasCarrier ? null : "NO-CARRIER") : "DOWN";

    /// <summary>"veth 0a:58:0a:84:02:2e mtu 1500 198.18.2.46/23" — the details after the name.</summary>
    public static string Details(Link l)
    {
        var parts = new List<string> { Kind(l) };
        if (l.Mac is { } mac && !mac.IsZero) parts.Add(mac.ToString());
        if (l.Mtu is { } mtu) parts.Add($"mtu {mtu}");
        if (l.Vxlan is { } vx)
            parts.Add($"vni {vx.Vni?.ToString() ?? "?"}" + (vx.Remote is { } r ? $" remote {r}" : "") + $" dstport {vx.DstPort ?? TunnelLinker.DefaultPort}");
        parts.AddRange(Addresses(l));
        if (State(l) is { } s) parts.Add(s);
        return string.Join(' ', parts);
    }

    /// <summary>Short description of an edge relation for legends and text.</summary>
    public static string Relation(EdgeKind k) => k switch
    {
        EdgeKind.Veth => "veth",
        EdgeKind.BridgePort => "bridge port",
        EdgeKind.OvsPort => "ovs port",
        EdgeKind.OvsPatch => "ovs patch",
        EdgeKind.OvsTunnel => "ovs tunnel",
        EdgeKind.Master => "master",
        EdgeKind.TcRedirect => "tc redirect",
        EdgeKind.TcMirror => "tc mirror",
        EdgeKind.Tunnel => "tunnel",
        EdgeKind.TunnelUnderlay => "tunnel underlay",
        EdgeKind.Underlay => "underlay",
        EdgeKind.Parent => "parent",
        _ => k.ToString(),
    };
}
