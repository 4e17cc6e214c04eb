using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// br-int driven by OVN, as far as the input shows OVN's logical switch ports (`ovn-nbctl list
/// Logical_Switch_Port`): an OVS interface whose external_ids:iface-id names a logical switch port is
/// that port. Port security drops frames entering from the port with a source MAC it does not allow,
/// and frames leaving to it with a destination MAC it does not allow; the L2 lookup sends a frame only
/// to the port whose addresses hold its MAC (or a port with "unknown"); the ARP responder answers for
/// a port's IPs with the port's MAC. The logical router, ACLs and tunnels are not modelled: a frame
/// for a MAC no logical port holds falls back to NORMAL, and the trace says so.
/// </summary>
internal sealed partial class Walker
{
    /// <summary>Every logical switch port in the input, by name (the topology's index, made once).</summary>
    private IReadOnlyDictionary<string, OvnLogicalSwitchPort> Lsps() => _t.LogicalSwitchPorts;

    /// <summary>The logical switch port bound to the OVS interface DEV (external_ids:iface-id), or null.</summary>
    private OvnLogicalSwitchPort? LspOf(DeviceRef dev)
    {
        if (dev.Ns.Ovs is null || Lsps().Count == 0) return null;
        return _t.OvsIfaceId(dev.Ns, dev.Link.Name) is { } id && Lsps().TryGetValue(id, out var lsp) ? lsp : null;
    }

    /// <summary>OVN's pipeline on br-int for a frame from IN-PORT; null when no port of the bridge is bound to a
    /// logical switch port in the input (then the bridge is NORMAL) or the frame's destination is no logical
    /// port's MAC (the logical router's, say: NORMAL from there, with an assumption saying so).</summary>
    private Next? OvnForward(DeviceRef br, DeviceRef inPort, Frame frame)
    {
        if (Lsps().Count == 0) return null; // no port is bound to one (LspOf)
        var ns = br.Namespace;
        var ports = _t.PortList(br);
        var inLsp = LspOf(inPort);
        OvnLogicalSwitchPort? any = inLsp;
        for (int i = 0; any is null && i < ports.Count; i++) any = LspOf(ports[i]);
        if (any is null) return null;

        // ingress port security (ls_in_check_port_sec)
        if (inLsp is { PortSecurityKnown: true, PortSecurity.Count: > 0 } && !inLsp.PortSecurityMacs().Contains(frame.SrcMac))
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, null, frame.DstMac,
                $"OVN port security of logical port {inLsp.Name} allows {string.Join(", ", inLsp.PortSecurity)}; the frame's source MAC {frame.SrcMac} is not allowed: dropped") { Evidence = inLsp.Source });
            return new End(Disposition.OvsFlowDrop,
                $"OVN port security of {inLsp.Name} on {inPort} drops frames from {frame.SrcMac} (it allows {string.Join(", ", inLsp.PortSecurityMacs())})", inPort);
        }

        // L2 lookup (ls_in_l2_lkup): the port whose addresses hold the MAC
        for (int i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            if (p == inPort || LspOf(p) is not { } lsp || !lsp.AddressMacs().Contains(frame.DstMac)) continue;
            // egress port security (ls_out_check_port_sec)
            if (lsp is { PortSecurityKnown: true, PortSecurity.Count: > 0 } && !lsp.PortSecurityMacs().Contains(frame.DstMac))
            {
                if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, p.Link.Name, frame.DstMac,
                    $"OVN L2 lookup: {frame.DstMac} is an address of logical port {lsp.Name}, but its port security allows only {string.Join(", ", lsp.PortSecurity)}: dropped") { Evidence = lsp.Source });
                return new End(Disposition.OvsFlowDrop,
                    $"OVN port security of {lsp.Name} on {p} drops frames to {frame.DstMac} (it allows {string.Join(", ", lsp.PortSecurityMacs())})", p);
            }
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, p.Link.Name, frame.DstMac,
                $"OVN L2 lookup: {frame.DstMac} is an address of logical port {lsp.Name}") { Evidence = lsp.Source });
            return IsOvsInternal(_t, p) ? new Ingress(p, frame, Up: true) : BridgeOut(p, frame);
        }

        // no logical port has the MAC: a port in front of a device with it, whose logical port does not list it,
        // gets nothing (OVN does not learn MACs on ports without "unknown")
        bool unknown = false;
        for (int i = 0; i < ports.Count; i++) if (ports[i] != inPort && LspOf(ports[i]) is { } l && l.HasUnknown()) unknown = true;
        if (!unknown)
            for (int i = 0; i < ports.Count; i++)
            {
                var p = ports[i];
                if (p == inPort || LspOf(p) is not { } lsp || IsOvsInternal(_t, p) || FloodScore(p, frame, out _) != MacScore) continue;
                var has = lsp.Addresses.Count == 0 ? "no addresses" : "addresses " + string.Join(", ", lsp.Addresses);
                if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, null, frame.DstMac,
                    $"OVN L2 lookup: {frame.DstMac} is behind {p.Link.Name}, but its logical port {lsp.Name} has {has} and no port has \"unknown\": dropped") { Evidence = lsp.Source });
                return new End(Disposition.OvsFlowDrop,
                    $"OVN's L2 lookup on {br} has no logical port with {frame.DstMac}: {lsp.Name} (on {p}, in front of it) has {has}", p);
            }
        if (_record) Assume($"{br}: {frame.DstMac} is no logical switch port's MAC in the input (the logical router's, or a port not listed): switched like NORMAL from here");
        return null;
    }

    /// <summary>An answer of OVN's ARP responder: the MAC, the logical switch port that holds it (when the logical view is
    /// in the input), what decided (a flow, or the port's addresses) and its evidence.</summary>
    private sealed record OvnArp(MacAddress Mac, OvnLogicalSwitchPort? Lsp, string Detail, SourceRef? Evidence, string Bridge);

    /// <summary>What OVN's ARP responder answers on br-int for TARGET asked from DEV (a port of an OVN bridge, or a veth
    /// whose peer is one, as a pod's eth0): from br-int's flows when they are in the input and can be followed (the
    /// request through the OpenFlow pipeline comes back out of the port as a reply), else the MAC of the logical port
    /// whose addresses hold it; null when neither answers.</summary>
    private OvnArp? OvnArpAnswer(DeviceRef dev, IPAddress target)
    {
        var port = dev;
        var br = _t.BridgeOf(dev);
        if (br is null && _t.VethPeer(dev) is { } peer && _t.BridgeOf(peer) is { } pb && IsOvsBridgeNamed(pb)) { port = peer; br = pb; }
        if (br is null) return null;
        if (FlowsOf(br) is { } flows && FlowArp(br, flows, dev, port, target, out var viaFlows)) return viaFlows;
        if (Lsps().Count == 0 || LspOf(port) is not { } asker) return null;
        foreach (var p in _t.PortList(br))
            if (p != port && LspOf(p) is { } lsp && lsp.MacFor(target) is { } mac && lsp != asker)
                return new OvnArp(mac, lsp, $"{target} is an address of logical switch port {lsp.Name} ({string.Join(", ", lsp.Addresses)})", lsp.Source, br.Link.Name);
        return null;
    }

    /// <summary>The OVSDB of the device's namespace has a bridge of its name.</summary>
    private static bool IsOvsBridgeNamed(DeviceRef d)
    {
        if (d.Ns.Ovs is not { } ovs) return false;
        foreach (var b in ovs.Bridges) if (b.Name == d.Link.Name) return true;
        return false;
    }

    /// <summary>An ARP request from DEV for TARGET through BR's flows: true when the flows decide (ANSWER is the reply
    /// they send back out of DEV, or null when they send none), false when they cannot be followed.</summary>
    private bool FlowArp(DeviceRef br, OvsBridge flows, DeviceRef dev, DeviceRef port, IPAddress target, out OvnArp? answer)
    {
        answer = null;
        if (dev.Link.Mac is not { } mac || OfInterface(flows, port.Link.Name)?.OfPort is not { } ofport) return false;
        var spa = AskerAddress(dev, target, null) ?? IPAddress.Any;
        var r = OpenFlow.Run(flows, OpenFlow.ArpRequest(ofport, port.Link.Name, mac, spa, target));
        if (r.Uncertain is not null) return false;
        foreach (var o in r.Outputs)
        {
            bool back = o.Kind == OfOutput.InPort || o.Kind == OfOutput.ToPort && (o.Port == ofport || o.PortName == port.Link.Name);
            if (!back || o.Packet.ArpOp != 2 || !OpenFlow.Ip(o.Packet.ArpSpa).Equals(target)) continue;
            var answerMac = new MacAddress(o.Packet.ArpSha);
            var responder = r.Hits.Select(h => h.Flow).FirstOrDefault(f => f.Actions.Any(a => a.Contains("ARP_OP", StringComparison.OrdinalIgnoreCase) || a.Contains("arp_op", StringComparison.Ordinal)));
            OvnLogicalSwitchPort? lsp = null;
            foreach (var l in Lsps().Values)
                if (l.MacFor(target) == answerMac) { lsp = l; break; }
            var flowText = responder is null ? "br-int's flows" : $"OpenFlow table {responder.Table} priority {responder.Priority}{(responder.Cookie is null ? "" : " cookie " + responder.Cookie)}";
            answer = new OvnArp(answerMac, lsp,
                $"{flowText} answers the request for {target} with {answerMac}" + (lsp is null ? "" : $" (logical switch port {lsp.Name}: {string.Join(", ", lsp.Addresses)})"),
                responder?.Source ?? lsp?.Source, br.Link.Name);
            return true;
        }
        return true;
    }
}
