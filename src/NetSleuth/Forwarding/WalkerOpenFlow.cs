using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>An Open vSwitch bridge whose OpenFlow table is in the input (`ovs-ofctl dump-flows BR`): the packet goes
/// through its flows (<see cref="OpenFlow"/>), each flow matched is a step, and the outputs say where it goes.</summary>
internal sealed partial class Walker
{
    /// <summary>The bridge's flows when its whole table is in the input, else null (then it is NORMAL).</summary>
    private static OvsBridge? FlowsOf(DeviceRef br)
    {
        if (br.Ns.Ovs is not { } ovs) return null;
        foreach (var b in ovs.Bridges)
            if (b.Name == br.Link.Name) return b.FlowsKnown ? b : null;
        return null;
    }

    /// <summary>The OVSDB interface of DEV on bridge BR (its ofport), or null.</summary>
    private static OvsInterface? OfInterface(OvsBridge b, string name)
    {
        foreach (var p in b.Ports)
            foreach (var i in p.Interfaces)
                if (i.Name == name) return i;
        return null;
    }

    /// <param name="arriving">the packet as a tunnel port of this bridge received it (in_port, tun_id, tun_metadata), or null</param>
    private Next OpenFlowForward(DeviceRef br, DeviceRef inPort, Frame frame, OvsBridge flows, OfPacket? arriving = null, int crossed = 0)
    {
        var ns = br.Namespace;
        int inNumber = inPort == br ? OpenFlow.LocalPort : OfInterface(flows, inPort.Link.Name)?.OfPort ?? -1;
        var packet = arriving ?? OpenFlow.Packet(frame, inNumber, inPort == br ? null : inPort.Link.Name, _isReply);
        var r = OpenFlow.Run(flows, packet);
        var inName = arriving?.InPortName ?? inPort.Link.Name; // a tunnel port has no device: its name
        if (_record)
            foreach (var (f, _) in r.Hits)
                Add(ns, new OpenFlowStep(br.Link.Name, f.Table, f.Priority, f.Cookie, string.Join(',', f.Match), string.Join(',', f.Actions)) { Evidence = f.Source });
        if (r.Uncertain is { } why)
        {
            if (OvnInstead(br, inPort, frame, why) is { } ovn) return ovn;
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, null, frame.DstMac, "OpenFlow: " + why));
            return new End(Disposition.Uncertain, $"the OpenFlow flows of {br}: {why}", br);
        }
        if (r.Outputs.Count == 0)
        {
            var last = r.Hits.Count > 0 ? r.Hits[^1].Flow : null;
            var reason = last is null
                ? $"no flow of table {r.MissTable ?? 0} matches (a table miss drops it)"
                : $"the last flow matched, table {last.Table} priority {last.Priority}{(last.Cookie is null ? "" : " cookie " + last.Cookie)}{(last.Source is { } s ? " (" + s + ")" : "")}, leaves it with no output";
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, null, frame.DstMac, $"OpenFlow: {reason}: dropped") { Evidence = last?.Source });
            // OVN's logical view (its switch ports in the input) names the logical stage and port when it drops the frame too
            if (arriving is null && OvnForward(br, inPort, frame) is End { Disposition: Disposition.OvsFlowDrop } ovn)
                return ovn with { Reason = $"{ovn.Reason}; the OpenFlow flows of {br} drop it too: {reason}" };
            return new End(Disposition.OvsFlowDrop, $"the OpenFlow flows of {br} drop it: {reason}", br);
        }
        if (r.Outputs.All(o => o.Kind == OfOutput.Controller))
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, null, frame.DstMac, "OpenFlow: sent to the controller only"));
            return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} send it to the controller, which the tracer does not model (dropped when no controller is connected)", br);
        }
        // every output is a copy; the trace follows the one that leads to the frame's destination
        var candidates = new List<(DeviceRef Dev, OfOutput Out)>();
        (OvsInterface Iface, OfOutput Out)? tunnel = null;
        foreach (var o in r.Outputs)
        {
            if (o.Kind == OfOutput.Controller) continue;
            if (o.Kind is OfOutput.Normal or OfOutput.Flood or OfOutput.All)
            {
                var f2 = FrameAfter(frame, o.Packet);
                if (f2 is null) return Tagged(br, inPort, frame, o);
                if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, null, f2.DstMac, $"OpenFlow: action {o.Kind}{(r.Outputs.Count > 1 ? $" (1 of {r.Outputs.Count} outputs)" : "")}"));
                return o.Kind == OfOutput.Normal ? OvsNormal(br, inPort, f2) : Flood(br, inPort, f2, ovs: true, "OpenFlow " + o.Kind);
            }
            DeviceRef? dev = o.Kind switch
            {
                OfOutput.Local => br,
                OfOutput.InPort => inPort,
                _ => PortDevice(br, flows, o),
            };
            if (dev is null && o.Kind == OfOutput.ToPort && TunnelPort(flows, o) is { } tun)
            {
                tunnel ??= (tun, o);
                continue;
            }
            if (dev is null)
            {
                if (r.Outputs.Count == 1)
                {
                    if (OvnInstead(br, inPort, frame, $"output to port {o.PortName ?? o.Port.ToString()}, which is no device in the input") is { } ovn) return ovn;
                    var which = o.PortName ?? (OfName(flows, o.Port) is { } n ? $"{o.Port} ({n})" : o.Port.ToString());
                    if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, which, frame.DstMac, "OpenFlow: output to a port with no device in the input"));
                    return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} send it to port {which}, which is no device in the input (a patch or tunnel port, or its ofport is not known: `ovs-ofctl show {br.Link.Name}`)", br);
                }
                continue;
            }
            candidates.Add((dev, o));
        }
        if (candidates.Count == 0 && tunnel is { } t)
            return CrossTunnel(br, inPort, FrameAfter(frame, t.Out.Packet) ?? frame, t.Iface, t.Out, crossed);
        if (candidates.Count == 0)
            return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} output it only to ports with no device in the input", br);
        var chosen = candidates[0];
        if (candidates.Count > 1)
        {
            int best = -1;
            foreach (var c in candidates)
            {
                var f2 = FrameAfter(frame, c.Out.Packet) ?? frame;
                int score = c.Dev == br || IsOvsInternal(_t, c.Dev) ? c.Dev.Link.Mac == f2.DstMac ? MacScore : 0 : FloodScore(c.Dev, f2, out _);
                if (score > best) { best = score; chosen = c; }
            }
        }
        var frameOut = FrameAfter(frame, chosen.Out.Packet);
        if (frameOut is null) return Tagged(br, inPort, frame, chosen.Out);
        if (_record) Add(ns, new BridgeStep(br.Link.Name, inName, chosen.Dev.Link.Name, frameOut.DstMac,
            $"OpenFlow: {chosen.Out}{(LspOf(chosen.Dev) is { } lsp ? $" (logical switch port {lsp.Name})" : "")}{(candidates.Count > 1 ? $" (following 1 of {candidates.Count} outputs)" : "")}"));
        if (chosen.Dev == br || IsOvsInternal(_t, chosen.Dev)) return new Ingress(chosen.Dev, frameOut, Up: true);
        return BridgeOut(chosen.Dev, frameOut);
    }

    /// <summary>Where the flows cannot be followed to the end and OVN's logical switch ports are in the input, OVN's
    /// logical pipeline decides (<see cref="OvnForward"/>), and the trace says so.</summary>
    private Next? OvnInstead(DeviceRef br, DeviceRef inPort, Frame frame, string why)
    {
        if (OvnForward(br, inPort, frame) is not { } ovn) return null;
        if (_record) Assume($"the OpenFlow flows of {br} could not be followed to the end ({why}): OVN's logical switch ports decided instead");
        return ovn;
    }

    private End Tagged(DeviceRef br, DeviceRef inPort, Frame frame, OfOutput o)
    {
        if (_record) Add(br.Namespace, new BridgeStep(br.Link.Name, inPort.Link.Name, null, frame.DstMac, $"OpenFlow: {o} with a VLAN tag"));
        return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} send it out tagged (VLAN {o.Packet.VlanTci & 0xfff}), which the tracer does not follow", br);
    }

    private static string? OfName(OvsBridge b, int ofport)
    {
        foreach (var p in b.Ports)
            foreach (var i in p.Interfaces)
                if (i.OfPort == ofport) return i.Name;
        return null;
    }

    /// <summary>The device of an output port: by ofport through the OVSDB, or by name (a --names dump; cut to 15 characters).</summary>
    private DeviceRef? PortDevice(DeviceRef br, OvsBridge b, OfOutput o)
    {
        var name = o.PortName ?? OfName(b, o.Port);
        if (name is null) return null;
        foreach (var p in _t.PortList(br))
            if (p.Link.Name == name || name.Length == 15 && p.Link.Name.StartsWith(name, StringComparison.Ordinal)) return p;
        return null;
    }

    /// <summary>The frame as the flows left it (MACs, IPv4 addresses, ports rewritten); null when it leaves with a VLAN
    /// tag it did not have.</summary>
    private static Frame? FrameAfter(Frame frame, OfPacket p)
    {
        if (p.VlanTci != 0) return null;
        var ip = frame.Ip;
        if (ip.IsV4)
        {
            var src = OpenFlow.Ip(p.NwSrc);
            var dst = OpenFlow.Ip(p.NwDst);
            if (!src.Equals(ip.Source) || !dst.Equals(ip.Destination)) ip = ip with { Source = src, Destination = dst };
        }
        if (ip.Protocol is Protocols.Tcp or Protocols.Udp)
        {
            if (p.TpDst >= 0 && p.TpDst != ip.DestinationPort) ip = ip with { DestinationPort = p.TpDst };
            if (p.TpSrc >= 0 && p.TpSrc != ip.SourcePort) ip = ip with { SourcePort = p.TpSrc };
        }
        var srcMac = new MacAddress(p.DlSrc);
        var dstMac = new MacAddress(p.DlDst);
        if (ip == frame.Ip && srcMac == frame.SrcMac && dstMac == frame.DstMac) return frame;
        return frame with { Ip = ip, SrcMac = srcMac, DstMac = dstMac };
    }
}
