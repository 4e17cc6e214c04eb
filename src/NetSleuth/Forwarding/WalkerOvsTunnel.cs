using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// An OpenFlow output to an Open vSwitch tunnel port (geneve, vxlan, gre, stt with options:remote_ip; OVN's
/// `ovn-CHASSIS-0`): the outer packet goes from this host to remote_ip through the underlay (routed, then its next hop
/// resolved, as OVS's userspace tunnels do with its copy of the routes), and the far bridge's flows take the frame in by
/// its tunnel port with the tunnel key and metadata the flows set (OVN: the logical datapath and ports).
/// </summary>
internal sealed partial class Walker
{
    private static readonly HashSet<string> OvsTunnelTypes = ["geneve", "vxlan", "gre", "stt"];

    /// <summary>The tunnel interface an output goes to, by ofport or name, or null.</summary>
    private static OvsInterface? TunnelPort(OvsBridge b, OfOutput o)
    {
        foreach (var p in b.Ports)
            foreach (var i in p.Interfaces)
                if (OvsTunnelTypes.Contains(i.Type ?? "") && (o.PortName is { } n ? i.Name == n : i.OfPort == o.Port)) return i;
        return null;
    }

    private static IPAddress? OptionIp(OvsInterface i, string key) =>
        i.Options.TryGetValue(key, out var v) && IPAddress.TryParse(v.Trim('"'), out var ip) ? ip : null;

    private Next CrossTunnel(DeviceRef br, DeviceRef inPort, Frame frame, OvsInterface tun, OfOutput o, int crossed)
    {
        var ns = br.Namespace;
        var remote = OptionIp(tun, "remote_ip");
        var key = $"tun_id 0x{o.Packet.TunId:x}" + (o.Packet.TunMeta[0] != 0 ? $", tun_metadata0 0x{o.Packet.TunMeta[0]:x}" : "");
        var what = $"{tun.Type} port {tun.Name}" + (remote is null ? "" : $" to {remote}");
        if (remote is null)
        {
            if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, tun.Name, frame.DstMac, $"OpenFlow: {o} → {what} ({key}): remote_ip=flow or not shown"));
            return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} send it into {what}, whose far end the input does not show (options:remote_ip)", br);
        }
        if (crossed > 2) return new End(Disposition.Loop, $"the frame crossed Open vSwitch tunnels {crossed} times", br);
        // the far end: the bridge on another host with a tunnel port of the same type pointing back here
        (DeviceRef Br, OvsBridge Flows, OvsInterface Iface)? far = null;
        foreach (var e in _t.EdgesFrom(br).Concat(_t.EdgesTo(br)))
        {
            if (e.Kind != EdgeKind.OvsTunnel) continue;
            var other = e.From == br ? e.To : e.From;
            if (other is null || other.Ns.Ovs is not { } ovs) continue;
            foreach (var b in ovs.Bridges)
            {
                if (b.Name != other.Link.Name) continue;
                foreach (var p in b.Ports)
                    foreach (var i in p.Interfaces)
                        if (i.Type == tun.Type && OptionIp(i, "remote_ip") is { } back &&
                            (OptionIp(tun, "local_ip") is { } local ? back.Equals(local) : _t.OwnersOf(back).Any(x => x.Device.Host == br.Host)) &&
                            (OptionIp(i, "local_ip") is not { } farLocal || farLocal.Equals(remote)))
                            far ??= (other, b, i);
            }
        }
        if (_record) Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, tun.Name, frame.DstMac,
            $"OpenFlow: {o} → {what} ({key})" + (far is { } f0 ? $", host {f0.Br.Host.Name}'s {f0.Iface.Name}" : "")) { Evidence = tun.Source });
        // the outer packet through this host's underlay (OVS routes userspace tunnels with the kernel's routes)
        if (OuterDropFrom(ns, OptionIp(tun, "local_ip"), null, remote, $"{br}'s {tun.Type} packet to {remote}", 0) is { } why)
            return new End(Disposition.NeighborUnreachable, $"the OpenFlow flows of {br} send it into {what}, but {why}", br);
        if (far is not { } f)
            return new End(Disposition.Uncertain, $"the OpenFlow flows of {br} send it into {what}: no bridge of the input has the tunnel port at {remote}", br);
        if (FlowsOf(f.Br) is not { } farFlows)
        {
            if (_record) Assume($"OpenFlow tables of {f.Br} are not in the input: the frame from {f.Iface.Name} is assumed to be switched like NORMAL");
            return OvsNormal(f.Br, f.Br, frame);
        }
        var arriving = OpenFlow.Packet(frame, f.Iface.OfPort ?? -1, f.Iface.Name, _isReply);
        arriving.TunId = o.Packet.TunId;
        arriving.TunMeta = (ulong[])o.Packet.TunMeta.Clone();
        return OpenFlowForward(f.Br, f.Br, frame, farFlows, arriving, crossed + 1);
    }
}
