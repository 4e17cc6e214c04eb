using System.Net;
using System.Runtime.CompilerServices;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>VXLAN: encapsulation (FDB or remote, VNI, dstport, the outer packet sent from the underlay
/// namespace) and decapsulation by the far socket (port, then VNI).</summary>
internal sealed partial class Walker
{
    /// <summary>Outer IPv4 + UDP + VXLAN + inner Ethernet headers.</summary>
    private const int VxlanOverhead = 50;
    private const int DefaultVxlanPort = 8472;

    private Next Encapsulate(DeviceRef dev, Frame frame)
    {
        var ns = dev.Namespace;
        if (dev.Link.Vxlan is not { } vx)
            return Missing(ns, $"ip -d link show dev {Util.Shell.Quote(dev.Link.Name)}", $"the VXLAN attributes of {dev} are not in the input", dev);
        var fdb = ns.Ns.Fdb.Where(f => f.Device == dev.Link.Name && f.Dst is not null).ToList();
        var exact = fdb.FirstOrDefault(f => f.Mac == frame.DstMac);
        // vxlan_snoop learnt the MAC from a frame this device received during this trace (a static entry is never replaced)
        IPAddress? learnt = exact is null && !frame.DstMac.IsMulticast && _learnt.TryFdb(dev, frame.DstMac, out var l) ? l : null;
        var entry = learnt is not null ? null : exact ?? ZeroEntryTowards(dev, frame.DstMac) ?? fdb.FirstOrDefault(f => f.Mac.IsZero);
        var remote = learnt ?? entry?.Dst ?? vx.Remote;
        string RemoteFrom() => learnt is not null ? $"entry for {frame.DstMac} learnt from a frame it received from {learnt} (learning on)"
            : entry is null ? "remote of the device"
            : (entry.Mac.IsZero ? "default fdb entry" : $"fdb entry for the inner destination {entry.Mac}") +
              (vx.Remote is null ? $"; {dev.Link.Name} has no remote" : "");
        if (remote is null)
        {
            if (vx.Group is { } g)
                return new End(Disposition.Uncertain, $"{dev} sends to multicast group {g}, which the tracer does not simulate", dev);
            if (!ns.Ns.IsKnown(Sections.Fdb))
                return Missing(ns, $"bridge fdb show dev {Util.Shell.Quote(dev.Link.Name)}", $"{dev} has no remote; its FDB is not in the input", dev);
            return new End(Disposition.NoTunnelEnd, $"{dev} has no remote and no FDB entry for {frame.DstMac}: the frame is dropped", dev);
        }
        var vni = entry?.Vni ?? vx.Vni;
        int port = entry?.Port ?? vx.DstPort ?? DefaultVxlanPort;
        var underlay = _t.Tunnel(dev)?.Underlay ?? _t.LinkNamespace(dev);
        if (underlay is null)
            return Missing(new NsRef(dev.Host, dev.Host.Root ?? dev.Ns), "ip netns list-id; ip -d link show",
                $"the namespace {dev}'s UDP socket lives in is not in the input", dev);
        // df unset (the default): the outer packet may be fragmented; set: never; inherit: like the inner packet
        bool df = vx.Df switch { "set" => true, "inherit" => frame.Ip.DontFragment, _ => false };
        var outer = new Flow(vx.Local ?? IPAddress.Any, remote, Protocols.Udp, null, port, frame.Ip.Size + VxlanOverhead, df);
        if (_record) Add(ns, new VxlanEncapStep(dev.Link.Name, vni, remote, port, underlay.ToString(), vx.Local, RemoteFrom())
        {
            Evidence = entry?.Source ?? dev.Link.Source,
            Assumption = vx.Df is null ? "the device's df setting is not in the input: assumed unset (the default), so a large outer packet is fragmented" : null,
        });
        DeviceRef? bound = vx.UnderlayIndex is { } ui ? _t.Device(underlay.Host, underlay.Ns, ui) : null;
        return new Out(underlay, outer, bound, new Payload(frame, dev, vni));
    }

    /// <summary>vxlan_xmit replicates a frame with no FDB entry of its own to every all-zeros entry's dst: of those
    /// copies, the one that reaches the far device with the frame's MAC is the one that gets through (the others are
    /// dropped there as another host's). Null when no all-zeros entry leads to it.</summary>
    private FdbEntry? ZeroEntryTowards(DeviceRef dev, MacAddress mac)
    {
        if (_t.Tunnel(dev) is not { FdbEnds.Count: > 1 } tm) return null;
        foreach (var end in tm.FdbEnds)
            if (end.Entry.Mac.IsZero && end.Far is { } far && far.Link.Mac == mac) return end.Entry;
        return null;
    }

    /// <summary>The outer packet is delivered locally: vxlan_rcv finds the socket by UDP port, then the device by VNI.</summary>
    private Next Decapsulate(NsRef ns, Frame outer, Payload payload)
    {
        int port = outer.Ip.DestinationPort ?? DefaultVxlanPort;
        var candidates = SocketsIn(ns, payload.Vxlan);
        var onPort = candidates.Where(c => (c.Link.Vxlan?.DstPort ?? DefaultVxlanPort) == port).ToList();
        var listening = onPort.Where(c => c.Link.IsUp).ToList();
        // the devices whose socket the packet reached are where it died (what a finding about them explains)
        if (listening.Count == 0 || !listening.Any(c => c.Link.Vxlan?.Vni == payload.Vni))
            foreach (var c in candidates) Passed(c);
        if (listening.Count == 0)
        {
            var others = candidates.Select(c => $"{c} uses port {c.Link.Vxlan?.DstPort ?? DefaultVxlanPort}" + (c.Link.IsUp ? "" : " and is down"));
            var detail = onPort.Count > 0 ? $"{string.Join(", ", onPort)} would listen, but is down" :
                candidates.Count > 0 ? string.Join(", ", others) : "no VXLAN device has its socket here";
            return new End(Disposition.NoTunnelEnd, $"the VXLAN packet reaches {ns} on udp port {port}, where nothing listens ({detail}): ICMP port unreachable",
                ns);
        }
        var dev = listening.FirstOrDefault(c => c.Link.Vxlan?.Vni == payload.Vni);
        if (dev is null)
        {
            var vnis = string.Join(", ", listening.Select(c => $"{c} has VNI {c.Link.Vxlan?.Vni}"));
            return new End(Disposition.TunnelMismatch, $"the VXLAN packet reaches udp {port} in {ns}, but no device there has VNI {payload.Vni} ({vnis}): dropped",
                ns);
        }
        if (_record) Add(ns, new VxlanDecapStep(dev.Link.Name, payload.Vni, port, dev.Namespace.ToString()) { Evidence = dev.Link.Source });
        // vxlan_snoop: a device with learning on remembers where the inner source MAC lives
        if (dev.Link.Vxlan?.Learning != false && !payload.Frame.SrcMac.IsMulticast && !payload.Frame.SrcMac.IsZero &&
            (outer.Ip.Source.Equals(IPAddress.Any) ? OuterSource(payload.Vxlan) : outer.Ip.Source) is { } from &&
            !ns.Ns.Fdb.Any(f => f.Device == dev.Link.Name && f.Mac == payload.Frame.SrcMac))
            _learnt.LearnFdb(dev, payload.Frame.SrcMac, from);
        return new Ingress(dev, payload.Frame);
    }

    /// <summary>VXLAN devices whose UDP socket lives in <paramref name="ns"/>: from the sender's tunnel match, else an index.</summary>
    private List<DeviceRef> SocketsIn(NsRef ns, DeviceRef sender)
    {
        var list = new List<DeviceRef>();
        if (_t.Tunnel(sender) is { } tm)
        {
            if (tm.Far is { } far && InUnderlay(far, ns)) list.Add(far);
            foreach (var m in tm.NearMisses) if (InUnderlay(m.Far, ns) && !list.Contains(m.Far)) list.Add(m.Far);
            // a remote-less device (flannel): the far ends of its FDB entries
            foreach (var e in tm.FdbEnds)
            {
                if (e.Far is { } f && InUnderlay(f, ns) && !list.Contains(f)) list.Add(f);
                foreach (var m in e.NearMisses) if (InUnderlay(m.Far, ns) && !list.Contains(m.Far)) list.Add(m.Far);
            }
        }
        if (list.Count == 0) list.AddRange(VxlanIndex.Get(_t).In(ns));
        return list;
    }

    private bool InUnderlay(DeviceRef vx, NsRef ns) => (_t.Tunnel(vx)?.Underlay ?? _t.LinkNamespace(vx)) is { } u && NsRef.SameKey(u, ns);

    /// <summary>VXLAN devices by the namespace of their socket, built once per topology (only when a tunnel
    /// end is not already known from the linker's match).</summary>
    private sealed class VxlanIndex
    {
        private static readonly ConditionalWeakTable<Topology.Topology, VxlanIndex> Cache = new();
        private readonly Dictionary<string, List<DeviceRef>> _byUnderlay = new(StringComparer.Ordinal);

        public static VxlanIndex Get(Topology.Topology t) => Cache.GetValue(t, Build);

        private static VxlanIndex Build(Topology.Topology t)
        {
            var ix = new VxlanIndex();
            foreach (var d in t.Devices)
            {
                if (d.Link.Kind != LinkKinds.Vxlan) continue;
                var u = t.Tunnel(d)?.Underlay ?? t.LinkNamespace(d);
                if (u is null) continue;
                if (!ix._byUnderlay.TryGetValue(u.Key, out var l)) ix._byUnderlay[u.Key] = l = [];
                l.Add(d);
            }
            return ix;
        }

        public IReadOnlyList<DeviceRef> In(NsRef ns) => _byUnderlay.TryGetValue(ns.Key, out var l) ? l : [];
    }
}
