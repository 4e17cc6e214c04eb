using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>Linux bridge (br_handle_frame: local, FDB, flood) and Open vSwitch (NORMAL-like learning switch).</summary>
internal sealed partial class Walker
{
    /// <param name="inPort">the port the frame came in by; null when the bridge device itself sends it</param>
    private Next BridgeForward(DeviceRef br, DeviceRef? inPort, Frame frame)
    {
        var ns = br.Namespace;
        var dst = frame.DstMac;
        var from = inPort?.Link.Name ?? br.Link.Name;
        if (inPort?.Link.BridgePort?.State is { } state && state != "forwarding")
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, from, null, dst, $"port state {state}: not forwarding"));
            return new End(Disposition.LinkDown, $"bridge port {inPort} is in state {state}", inPort);
        }
        var ports = _t.PortList(br);
        if (inPort is not null && (br.Link.Mac == dst || AnyPortHasMac(ports, dst)))
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, from, null, dst, "local address of the bridge: passed up to " + br.Link.Name));
            return new Ingress(br, frame, Up: true);
        }
        bool nf = inPort is not null && CallsIptables(br, frame);
        if (nf)
        {
            var before = frame.Ip.Destination;
            if (BridgeHook(br, Hook.Prerouting, ref frame) is { } pre) return pre;
            if (!frame.Ip.Destination.Equals(before) && !_isReply)
            {
                // br_nf_pre_routing_finish: a destination rewritten on the bridge is routed (ip_route_input): the
                // frame goes up to the bridge device as if addressed to it
                if (_record) Add(ns, new BridgeStep(br.Link.Name, from, null, dst, $"br_netfilter: destination rewritten to {frame.Ip.Destination}: routed by {br.Link.Name}"));
                return new Ingress(br, frame with { DstMac = br.Link.Mac ?? dst }, Up: true);
            }
        }
        if (!ns.Ns.IsKnown(Sections.Fdb))
            if (_record) Assume($"the bridge FDB of {ns} is not in the input: frames to unknown MACs are flooded");
        var fdb = BridgeFdbEntry(ns.Ns, br.Link.Name, dst);
        if (fdb is not null && _t.Device(ns, fdb.Device) is { } outPort && outPort != inPort)
        {
            if (!L2Reach.Forwards(outPort))
            {
                // br_forward: should_deliver() refuses a port that is down or not forwarding; the frame is not flooded instead
                if (_record) Add(ns, new BridgeStep(br.Link.Name, from, outPort.Link.Name, dst, $"fdb entry, but port {outPort.Link.Name} does not forward (down or {outPort.Link.BridgePort?.State ?? "disabled"}): dropped") { Evidence = fdb.Source });
                return new End(Disposition.LinkDown, $"bridge {br} sends frames for {dst} to port {outPort}, which is down", outPort);
            }
            if (_record) Add(ns, new BridgeStep(br.Link.Name, from, outPort.Link.Name, dst, "fdb entry") { Evidence = fdb.Source });
            if (nf && BridgeForwardHooks(br, ref frame) is { } denied) return denied;
            return BridgeOut(outPort, frame);
        }
        return Flood(br, inPort, frame, ovs: false, "flood (no fdb entry)", nf);
    }

    private static bool AnyPortHasMac(IReadOnlyList<DeviceRef> ports, MacAddress mac)
    {
        for (int i = 0; i < ports.Count; i++) if (ports[i].Link.Mac == mac) return true;
        return false;
    }

    /// <summary>The first FDB entry of the bridge (not a port's own, "self") for the MAC.</summary>
    private static FdbEntry? BridgeFdbEntry(NetNamespace ns, string bridge, MacAddress mac)
    {
        foreach (var f in ns.Fdb)
            if (f.Mac == mac && f.Master == bridge && !f.Flags.Contains("self")) return f;
        return null;
    }

    /// <summary>br_netfilter: with net.bridge.bridge-nf-call-iptables = 1 in the bridge's namespace (…-ip6tables for
    /// IPv6; the sysctls exist once the module is loaded, per namespace on recent kernels, default 1), a bridged IP
    /// frame that came in by a port goes through the IP hooks too: PREROUTING before the FDB lookup (br_nf_pre_routing),
    /// FORWARD and POSTROUTING before it leaves by its port (br_nf_forward_ip, br_nf_post_routing), with the bridge
    /// device as in and out device (physdev names the ports). The bridge family's own nft chains are other hooks.</summary>
    private bool CallsIptables(DeviceRef br, Frame frame)
    {
        var ns = br.Namespace;
        var key = frame.Ip.IsV4 ? "net.bridge.bridge-nf-call-iptables" : "net.bridge.bridge-nf-call-ip6tables";
        var value = _t.Sysctl(ns.Ns, key);
        if (value is null && !ns.Ns.IsKnown(Sections.Sysctls) && (ns.Ns.Iptables.Count > 0 || ns.Ns.Nftables is { Chains.Count: > 0 }))
            if (_record) Assume($"whether bridged frames of {br} go through the firewall of {ns} (br_netfilter, {key}) is not in the input: assumed not");
        if (value != "1") return false;
        if (_record) Add(ns, new SysctlStep(key, value, $"br_netfilter: frames bridged by {br.Link.Name} go through the IP firewall"));
        return true;
    }

    /// <summary>One IP hook run on a bridged frame (br_netfilter), the bridge as its device; NAT rewrites the frame's packet.</summary>
    private End? BridgeHook(DeviceRef br, Hook hook, ref Frame frame)
    {
        var flow = frame.Ip;
        var name = br.Link.Name;
        var end = hook switch
        {
            Hook.Prerouting => RunHook(br.Namespace, hook, ref flow, name, null, Disposition.DeniedIn),
            Hook.Forward => Filter(br.Namespace, hook, flow, name, name, Disposition.DeniedForward, Established(br.Namespace), Ctx(br.Namespace)),
            _ => RunHook(br.Namespace, hook, ref flow, null, name, Disposition.DeniedOut, frame.NextHop),
        };
        frame = frame with { Ip = flow };
        return end;
    }

    /// <summary>br_nf_forward_ip then br_nf_post_routing: the FORWARD and POSTROUTING hooks of a frame the bridge sends on.</summary>
    private End? BridgeForwardHooks(DeviceRef br, ref Frame frame) =>
        BridgeHook(br, Hook.Forward, ref frame) ?? BridgeHook(br, Hook.Postrouting, ref frame);

    /// <summary>An Open vSwitch bridge: OVN's pipeline when its logical switch ports are in the input
    /// (<see cref="OvnForward"/>), else it switches like NORMAL (learning, flooding).</summary>
    private Next OvsForward(DeviceRef br, DeviceRef inPort, Frame frame)
    {
        RecordedTraces(br, inPort, frame);
        if (FlowsOf(br) is { } flows) return OpenFlowForward(br, inPort, frame, flows);
        if (OvnForward(br, inPort, frame) is { } ovn) return ovn;
        if (LspOf(inPort) is null && _record) Assume($"OpenFlow tables of {br} are not in the input: it is assumed to forward like the NORMAL action (a learning switch); `ovs-ofctl dump-flows {br.Link.Name}` on {br.Host.Name} would confirm");
        return OvsNormal(br, inPort, frame);
    }

    /// <summary>The NORMAL action: an internal port with the frame's MAC takes it up its stack, else the learning switch
    /// floods (the MAC table is not in the input).</summary>
    private Next OvsNormal(DeviceRef br, DeviceRef inPort, Frame frame)
    {
        var ns = br.Namespace;
        var ports = _t.PortList(br);
        // an internal port with that MAC (the bridge's own first) takes the frame up its stack
        DeviceRef? local = br != inPort && br.Link.Mac == frame.DstMac ? br : null;
        for (int i = 0; local is null && i < ports.Count; i++)
            if (ports[i] != inPort && ports[i].Link.Mac == frame.DstMac && IsOvsInternal(_t, ports[i])) local = ports[i];
        if (local is not null)
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, local.Link.Name, frame.DstMac, "internal port with that MAC"));
            return new Ingress(local, frame, Up: true);
        }
        return Flood(br, inPort, frame, ovs: true, "flood (MAC table not in the input)");
    }

    /// <summary>
    /// A flooded frame goes out of every port that forwards. Where each copy goes is the one L2 path of the
    /// model (<see cref="L2Reach.PathTo"/>, the checks' walk too); the trace follows the copy that lands on a
    /// device with the frame's MAC, else the one that reaches the holder of the next hop (the device that
    /// answered ARP for it: where the packet was meant to go, and where it dies when its MAC is wrong), else
    /// one whose path carries it on regardless of MACs (tc redirect, tunnel). The step says how many ports
    /// the frame was flooded to and which copy is followed. The candidates are the ports but the one it came
    /// in by, and for OVS the bridge's own internal device first.
    /// </summary>
    private Next Flood(DeviceRef br, DeviceRef? inPort, Frame frame, bool ovs, string decision, bool brNetfilter = false)
    {
        var ns = br.Namespace;
        var from = inPort?.Link.Name ?? br.Link.Name;
        var ports = _t.PortList(br);
        int count = ovs && br != inPort ? 1 : 0; // the ports it is flooded to, for the step (only counted when recorded)
        if (_record) foreach (var p in ports) if (p != inPort && L2Reach.Forwards(p)) count++;
        (DeviceRef Dev, bool Internal)? best = null;
        int bestScore = -1;
        DeviceRef? bestLanding = null;
        // a learning switch has learnt the MAC from the port right in front of it: that port first, which spares
        // a big bridge exploring every port
        if (_t.PortByMac(br).TryGetValue(frame.DstMac, out var direct) && direct != inPort && L2Reach.Forwards(direct) && !(ovs && IsOvsInternal(_t, direct)) &&
            FloodScore(direct, frame, out var directLanding) == MacScore)
        {
            best = (direct, false);
            bestScore = MacScore;
            bestLanding = directLanding;
        }
        foreach (var port in bestScore == MacScore ? [] : Candidates(br, inPort, ovs))
        {
            DeviceRef? landing = null;
            int score = port.Internal
                ? port.Dev.Link.Mac == frame.DstMac ? MacScore : Holds(port.Dev, frame.NextHop) ? HolderScore : 0
                : FloodScore(port.Dev, frame, out landing);
            if (score > bestScore) { best = port; bestScore = score; bestLanding = landing ?? port.Dev; }
            if (score == MacScore) break;
        }
        if (best is not { } chosen)
        {
            // nothing is flooded to a port that is down; when the port in front of the destination is the one
            // that is down, that port is where the packet dies (the kernel's counters stop at the bridge)
            if (DownPortTo(br, inPort, frame.DstMac) is { } down)
            {
                if (_record) Add(ns, new BridgeStep(br.Link.Name, from, down.Link.Name, frame.DstMac, $"{decision}: {frame.DstMac} is behind {down}, which is down (the bridge port does not forward); no other port forwards: dropped"));
                return new End(Disposition.LinkDown, $"bridge {br} would send frames for {frame.DstMac} towards {down}, which is down", down);
            }
            if (_record) Add(ns, new BridgeStep(br.Link.Name, from, null, frame.DstMac, decision + ": the bridge has no other port that forwards"));
            return new End(Disposition.DroppedOtherHost, $"bridge {br} has no port to send a frame for {frame.DstMac} to", br);
        }
        var why = bestScore switch
        {
            MacScore => $"{frame.DstMac} is behind {chosen.Dev.Link.Name}",
            HolderScore => $"no port leads to {frame.DstMac}: every copy is dropped as another host's; following {chosen.Dev.Link.Name}, " +
                $"toward {bestLanding}, which holds the next hop {frame.NextHop}",
            CarriedScore => $"no port leads to {frame.DstMac}; following {chosen.Dev.Link.Name}, whose path carries frames on regardless of MAC",
            _ => $"no port leads to {frame.DstMac}; every receiver drops it as another host's — following {chosen.Dev.Link.Name}",
        };
        if (_record) Add(ns, new BridgeStep(br.Link.Name, from, chosen.Dev.Link.Name, frame.DstMac, $"{decision}, {count} port(s); {why}"));
        if (brNetfilter && !chosen.Internal && BridgeForwardHooks(br, ref frame) is { } denied) return denied;
        return chosen.Internal ? new Ingress(chosen.Dev, frame, Up: true) : BridgeOut(chosen.Dev, frame);
    }

    private const int MacScore = 3, HolderScore = 2, CarriedScore = 1;

    /// <summary>How well the copy of a flooded frame sent out of <paramref name="port"/> fits: it lands on a device with
    /// the frame's MAC, on the holder of the next hop, or is carried on by a redirect or a tunnel (the one L2 path of
    /// the model, <see cref="L2Reach.PathTo"/>).</summary>
    private int FloodScore(DeviceRef port, Frame frame, out DeviceRef? landing)
    {
        var path = L2Reach.PathTo(_t, port, egress: true, frame.DstMac, leavingBridge: true);
        landing = path.Landing;
        if (path.Landing is { } l)
        {
            if (path.Accepted && l.Link.Mac == frame.DstMac || frame.DstMac.IsMulticast) return MacScore;
            if (Holds(l, frame.NextHop)) return HolderScore;
        }
        if (path.Redirected) return CarriedScore;
        foreach (var d in path.Path)
            if (d.Link.Kind == LinkKinds.Vxlan) return CarriedScore; // a tunnel carries the frame whatever its MAC
        return 0;
    }

    /// <summary>The device's namespace holds the address (on any of its devices).</summary>
    private bool Holds(DeviceRef d, System.Net.IPAddress? address)
    {
        if (address is null) return false;
        foreach (var (o, _) in _t.OwnersOf(address))
            if (o.Host == d.Host && o.Ns == d.Ns) return true;
        return false;
    }

    /// <summary>A port that does not forward and leads to <paramref name="mac"/> (it has that MAC, or its veth peer
    /// has): the device that is down — the port, or the veth peer whose being down took the port's carrier
    /// (a bridge port without carrier is disabled).</summary>
    private DeviceRef? DownPortTo(DeviceRef br, DeviceRef? inPort, MacAddress mac)
    {
        foreach (var p in _t.PortList(br))
        {
            if (p == inPort || L2Reach.Forwards(p)) continue;
            var peer = _t.VethPeer(p);
            if (p.Link.Mac != mac && peer?.Link.Mac != mac) continue;
            return p.Link.IsUp && peer is { Link.IsUp: false } ? peer : p;
        }
        return null;
    }

    private IEnumerable<(DeviceRef Dev, bool Internal)> Candidates(DeviceRef br, DeviceRef? inPort, bool ovs)
    {
        if (ovs && br != inPort) yield return (br, true);
        // a port that is down (or not forwarding) gets nothing: the kernel never floods to it
        foreach (var p in _t.PortList(br))
            if (p != inPort && L2Reach.Forwards(p)) yield return (p, ovs && IsOvsInternal(_t, p));
    }

    /// <summary>br_dev_queue_push_xmit: a frame larger than the out port's MTU is dropped (is_skb_forwardable).</summary>
    private Next BridgeOut(DeviceRef port, Frame frame)
    {
        if (port.Link.Mtu is { } m && frame.Ip.Size > m)
        {
            if (_record) Add(port.Namespace, new MtuStep(port.Link.Name, m, frame.Ip.Size, "a bridge drops frames larger than the out port's MTU"));
            return new End(Disposition.MtuExceeded, $"{frame.Ip.Size}-byte packet does not fit mtu {m} of bridge port {port}: dropped", port);
        }
        return new Egress(port, frame);
    }
}
