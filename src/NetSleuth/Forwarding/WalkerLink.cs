using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>Devices: transmit (tc egress, then by kind), receive (tc ingress, bridge hook, the L2 address check).</summary>
internal sealed partial class Walker
{
    private Next Transmit(Egress e)
    {
        var dev = e.Dev;
        var ns = dev.Namespace;
        if (LinkCheck(dev) is { } down) return down;
        if (RunTc(dev, "egress", e.Frame) is { } tc) return tc;
        var link = dev.Link;
        if (link.Kind == LinkKinds.Tun && IsOvsPort(_t, dev))
            return OvsForward(_t.BridgeOf(dev) ?? dev, dev, e.Frame); // an internal port of a userspace (netdev) datapath
        switch (link.Kind)
        {
            case LinkKinds.Veth:
                var peer = _t.VethPeer(dev);
                if (peer is null && _t.SegmentOf(dev) is not null)
                    return Underlay(dev, e.Frame); // a veth standing for a wire between hosts (labs)
                if (peer is null)
                    return Missing(ns, "ip -d link show; ip netns list-id", $"the veth peer of {dev} is not in the input", dev);
                if (_record) Add(ns, new VethStep(link.Name, peer.Namespace.ToString(), peer.Link.Name) { Evidence = link.Source });
                if (!peer.Link.IsUp)
                    return new End(Disposition.LinkDown, $"the veth peer {peer} is down: {dev} drops what it sends", peer);
                if (peer.Link.Mtu is { } pm && e.Frame.Ip.Size > pm)
                {
                    if (_record) Add(peer.Namespace, new MtuStep(peer.Link.Name, pm, e.Frame.Ip.Size, "veth drops frames larger than the receiving peer's MTU"));
                    return new End(Disposition.MtuExceeded, $"{e.Frame.Ip.Size}-byte packet does not fit mtu {pm} of {peer}: dropped by the veth", peer);
                }
                return new Ingress(peer, e.Frame);
            case LinkKinds.Vxlan:
                return Encapsulate(dev, e.Frame);
            case LinkKinds.Bridge:
                return BridgeForward(dev, null, e.Frame);
            case LinkKinds.OpenVSwitch:
                if (_t.BridgeOf(dev) is null && !IsOvsBridgeDevice(dev))
                    return Missing(ns, dev.Ns.Ovs is { Bridges.Count: > 0 } ? $"ovs-vsctl port-to-br {link.Name}" : "ovs-vsctl show",
                        $"{dev} is an Open vSwitch device (kind openvswitch): a bridge or an internal port of one, and the input does not say which (nor which bridge)", dev);
                return OvsForward(_t.BridgeOf(dev) ?? dev, dev, e.Frame);
            case LinkKinds.Dummy:
                return new End(Disposition.Blackhole, $"{dev} is a dummy device: it discards what it sends", dev);
            case LinkKinds.Tun:
                return new End(Disposition.InsufficientInfo, $"{dev} hands the packet to the process behind the tun/tap device; what it does is not in the input", dev);
            case null when link.DetailsKnown || link.LinkType is "ether":
                return Underlay(dev, e.Frame);
            case null:
                return Missing(ns, "ip -d link show", $"the kind of {dev} (veth, vxlan, physical, …) is not in the input", dev);
            default:
                return new End(Disposition.Uncertain, $"{dev} is a {link.Kind} device, which the tracer does not simulate", dev);
        }
    }

    /// <summary>A kind-openvswitch device that is a bridge: it has ports, or the OVSDB evidence names it a bridge.
    /// Otherwise it may as well be an internal port: the input does not say.</summary>
    private bool IsOvsBridgeDevice(DeviceRef dev)
    {
        if (_t.PortList(dev).Count > 0) return true;
        if (dev.Ns.Ovs is not { } ovs) return false;
        foreach (var b in ovs.Bridges)
            if (b.Name == dev.Link.Name) return true;
        return false;
    }

    /// <summary>Open vSwitch's internal ports: kind openvswitch (kernel datapath) or a tap the OVSDB lists (userspace datapath).</summary>
    internal static bool IsOvsInternal(Topology.Topology t, DeviceRef d) =>
        d.Link.Kind == LinkKinds.OpenVSwitch || (d.Link.Kind == LinkKinds.Tun && IsOvsPort(t, d));

    /// <summary>A non-internal port of an OVS bridge whose datapath is userspace ("netdev").</summary>
    internal static bool IsUserspaceOvsPort(Topology.Topology t, DeviceRef d) =>
        d.Link.Kind != LinkKinds.Tun && d.Link.Kind != LinkKinds.OpenVSwitch && d.Ns.Ovs is not null &&
        t.UserspaceOvsInterfaces(d.Ns).Contains(d.Link.Name);

    internal static bool IsOvsPort(Topology.Topology t, DeviceRef d) =>
        t.EdgesFrom(d).Any(e => e.Kind == EdgeKind.OvsPort) || t.EdgesTo(d).Any(e => e.Kind == EdgeKind.OvsPort);

    /// <summary>A frame leaving the machine by a physical device: to the device on the same underlay segment with that MAC.</summary>
    private Next Underlay(DeviceRef dev, Frame frame)
    {
        var seg = _t.SegmentOf(dev);
        if (seg is null)
            return new End(Disposition.InsufficientInfo,
                $"the frame leaves {dev.Host.Name} by {dev.Link.Name} to {frame.DstMac}; no host in the input is on that link — add that machine's snapshot",
                dev, new MissingInput($"the machine with MAC {frame.DstMac}", null, "netsleuth collect"));
        var to = seg.Members.FirstOrDefault(m => m != dev && m.Link.Mac == frame.DstMac);
        var others = seg.Members.Where(m => m != dev).ToList();
        if (to is null && others.Count == 1)
            to = others[0]; // one other end: the frame reaches it whatever its MAC (it decides)
        else if (to is null)
            return new End(Disposition.DroppedOtherHost,
                $"no device on {seg.Subnet} has MAC {frame.DstMac}: the frame is flooded and every receiver ({string.Join(", ", others)}) drops it as another host's",
                dev);
        if (_record) Add(dev.Namespace, new UnderlayStep(dev.Link.Name, to.Namespace.ToString(), to.Link.Name, seg.Subnet.ToString())
        { Assumption = $"hosts on {seg.Subnet} are assumed to share one L2 segment" });
        return new Ingress(to, frame);
    }

    private Next Receive(Ingress g)
    {
        var dev = g.Dev;
        var ns = dev.Namespace;
        if (!g.Up)
        {
            if (!dev.Link.IsUp)
            {
                if (_record) Add(ns, new LinkStep(dev.Link.Name, "DOWN (administratively)", false) { Evidence = dev.Link.Source });
                return new End(Disposition.LinkDown, $"{dev} is down: it drops what arrives", dev);
            }
            if (RunTc(dev, "ingress", g.Frame) is { } tc) return tc;
            if (_t.BridgeOf(dev) is { } br)
            {
                if (br.Link.Kind == LinkKinds.Bridge) return BridgeForward(br, dev, g.Frame);
                // a userspace (netdev) datapath reads its ports with packet sockets: the kernel's own stack
                // still receives every frame on them, and takes the ones addressed to the port's MAC
                if (IsUserspaceOvsPort(_t, dev) && dev.Link.Mac == g.Frame.DstMac)
                    return AcceptFrame(dev, g.Frame);
                return OvsForward(br, dev, g.Frame);
            }
            if (dev.Link.SlaveKind == LinkKinds.OpenVSwitch || dev.Link.Master == "ovs-system")
                return Missing(ns, "ovs-vsctl show", $"{dev} is an Open vSwitch port, but which bridge it belongs to is not in the input", dev);
            if (dev.Link.Master is { } master)
                return new End(Disposition.Uncertain, $"{dev} is enslaved to {master} ({dev.Link.SlaveKind ?? "unknown kind"}), which the tracer does not simulate", dev);
        }
        return AcceptFrame(dev, g.Frame);
    }

    /// <summary>eth_type_trans + ip_rcv: a unicast frame for another MAC is PACKET_OTHERHOST and dropped.</summary>
    private Next AcceptFrame(DeviceRef dev, Frame frame)
    {
        var link = dev.Link;
        var ns = dev.Namespace;
        if (frame.DstMac.IsMulticast || link.IsLoopback || link.LinkType is "none" || link.Flags.Contains("NOARP") && link.Mac is null)
            return new IpIn(dev, frame);
        if (link.Mac is not { } mac)
            return Missing(ns, "ip link show", $"the MAC address of {dev} is not in the input", dev);
        if (mac == frame.DstMac)
        {
            if (_record) Add(ns, new ReceiveStep(link.Name, mac, frame.DstMac, "for this device") { Evidence = link.Source });
            return new IpIn(dev, frame);
        }
        var promisc = link.IsPromiscuous ? " (promiscuous mode does not change that: only packet sockets see it)" : "";
        if (_record) Add(ns, new ReceiveStep(link.Name, mac, frame.DstMac, "addressed to another host: dropped") { Evidence = link.Source });
        return new End(Disposition.DroppedOtherHost,
            $"{dev} has MAC {mac}, but the frame is addressed to {frame.DstMac}: the kernel drops it as PACKET_OTHERHOST{promisc}", dev);
    }

    private static bool HasFilter(NetNamespace ns, string dev, string hook)
    {
        foreach (var f in ns.Filters)
            if (f.Device == dev && f.Direction == hook) return true;
        return false;
    }

    /// <summary>The device's filters on the hook, in preference order (stable: the input's order on a tie).</summary>
    private static IEnumerable<TcFilter> HookFilters(NetNamespace ns, string dev, string hook) =>
        HasFilter(ns, dev, hook) ? SortedFilters(ns, dev, hook) : [];

    private static IEnumerable<TcFilter> SortedFilters(NetNamespace ns, string dev, string hook) =>
        ns.Filters.Where(f => f.Device == dev && f.Direction == hook).OrderBy(f => f.Pref ?? 0);

    /// <summary>The tc filters of a hook, in preference order: match-all filters apply; mirred redirects
    /// steal the frame, gact drop drops it; a filter whose match is not understood makes the trace uncertain.</summary>
    private Next? RunTc(DeviceRef dev, string hook, Frame frame)
    {
        if (dev.Ns.Filters.Count == 0 && dev.Ns.IsKnown(Sections.Tc)) return null; // no filter anywhere in the namespace
        var ns = dev.Namespace;
        if (!ns.Ns.IsKnown(Sections.Tc) && !HasFilter(ns.Ns, dev.Link.Name, hook))
        {
            // Not shown at all: go on as if there were none (the usual case), and say the path rests on it.
            var missing = Missing(ns, $"tc filter show dev {Util.Shell.Quote(dev.Link.Name)} {hook}",
                $"the tc filters of {dev} are not in the input (a mirred redirect would change the path)", dev);
            if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, "?", $"not in the input, assumed none (to know: {missing.Missing})"));
            _deferred ??= missing;
            return null;
        }
        foreach (var f in HookFilters(ns.Ns, dev.Link.Name, hook))
        {
            if (f.Protocol is not (null or "all" or "ip" or "ipv4" or "0x0800")) continue;
            var name = $"{f.Kind ?? "filter"} pref {f.Pref?.ToString() ?? "?"}";
            if (f.MatchesAll != true)
            {
                if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, name, $"match '{f.Match ?? "?"}' is not understood: uncertain") { Evidence = f.Source });
                return new End(Disposition.Uncertain, $"tc {hook} filter {name} on {dev} matches on '{f.Match ?? "?"}', which the tracer does not evaluate", dev);
            }
            foreach (var a in f.Actions)
            {
                if (a.Kind == "mirred")
                {
                    var target = a.TargetDevice is null ? null : _t.Device(ns, a.TargetDevice);
                    var action = a.MirredAction ?? "redirect";
                    var dir = a.MirredDirection ?? "egress";
                    if (_record) Add(ns, new TcRedirectStep(dev.Link.Name, hook, action, a.TargetDevice ?? "?", dir) { Evidence = f.Source });
                    if (target is null)
                        return new End(Disposition.TcDrop, $"tc mirred on {dev} targets {a.TargetDevice ?? "?"}, which does not exist: dropped", dev);
                    // tcf_mirred_to_dev: a target that is down or has no carrier cannot take it; a redirect then
                    // shoots the packet in the hook that ran it (TC_INGRESS / TC_EGRESS), a mirror goes on
                    bool noCarrier = target.Link.Flags.Count > 0 ? target.Link.Flags.Contains("NO-CARRIER") || !target.Link.Flags.Contains("LOWER_UP")
                        : target.Link.OperState is "LOWERLAYERDOWN";
                    if (!target.Link.IsUp || noCarrier)
                    {
                        if (action == "mirror") continue;
                        var state = !target.Link.IsUp ? "down" : "without carrier";
                        if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, name, $"redirect target {target.Link.Name} is {state}: dropped") { Evidence = f.Source });
                        return new End(Disposition.TcDrop, $"tc {hook} filter {name} on {dev} redirects to {target}, which is {state}: tc drops it", dev);
                    }
                    if (action == "mirror") continue;
                    return dir == "ingress" ? new Ingress(target, frame) : new Egress(target, frame);
                }
                if (a.Kind == "gact")
                {
                    switch (a.Control)
                    {
                        case "drop" or "shot":
                            if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, name, "gact drop") { Evidence = f.Source });
                            return new End(Disposition.TcDrop, $"tc {hook} filter {name} on {dev} drops every packet", dev);
                        case "pass" or "ok":
                            if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, name, "gact pass") { Evidence = f.Source });
                            return null;
                        default:
                            continue;
                    }
                }
                if (_record) Add(ns, new TcFilterStep(dev.Link.Name, hook, name, $"action {a.Kind} not simulated: uncertain") { Evidence = f.Source });
                return new End(Disposition.Uncertain, $"tc {hook} filter {name} on {dev} has a {a.Kind} action, which the tracer does not simulate", dev);
            }
        }
        return null;
    }
}
