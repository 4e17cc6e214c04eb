using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>VXLAN faults: on a peer pod's tunnel (peer-pods style) or on a node's flannel.1 (bridge style).</summary>
internal static class TunnelFaults
{
    /// <summary>#5: one end's VNI differs.</summary>
    public static PlacedFault VniMismatch(FaultContext c)
    {
        var (host, ns, dev) = OneEnd(c);
        uint old = dev.Vxlan!.Vni!.Value;
        dev.Vxlan.Vni = old + 1;
        return new PlacedFault(5, "vni-mismatch", host, ns, dev.Name, null, $"{dev.Name} has VNI {old + 1}, its peers use {old}");
    }

    /// <summary>#6: one end's UDP destination port differs.</summary>
    public static PlacedFault DstPortMismatch(FaultContext c)
    {
        var (host, ns, dev) = OneEnd(c);
        int old = dev.Vxlan!.DstPort!.Value;
        dev.Vxlan.DstPort = old == PeerPodBuilder.VxlanPort ? BridgeNodeBuilder.FlannelPort : PeerPodBuilder.VxlanPort;
        return new PlacedFault(6, "dstport-mismatch", host, ns, dev.Name, null, $"{dev.Name} sends to port {dev.Vxlan.DstPort}, its peers listen on {old}");
    }

    /// <summary>#7: the remote is an address the peer host does not own (peer pod: vxlan1 remote; flannel: one FDB dst).</summary>
    public static PlacedFault WrongRemote(FaultContext c)
    {
        if (c.Plan.IsBridge)
        {
            int other = c.OtherNode();
            var mac = Addressing.FlannelMac(other);
            var fdb = c.Unit.Root.Ns.Fdb.First(f => f.Device == "flannel.1" && f.Mac == mac);
            uint wrong = Addressing.RackGateway(Addressing.Rack(other)) + 249;
            fdb.Dst = Addressing.Ip(wrong);
            return new PlacedFault(7, "wrong-remote", c.Node, "root", "flannel.1", $"{mac} dev flannel.1 dst {fdb.Dst} self permanent",
                $"FDB sends {Addressing.NodeName(other)}'s flannel.1 MAC to {fdb.Dst}, which no host owns (it is {Addressing.Ip(Addressing.NodeIp(other))})");
        }
        var pod = c.AnyPeerPod();
        var vx = pod.Peer!.WorkerVxlan;
        uint bad = Addressing.VmGateway(Addressing.VmSubnet(pod.Peer!.VmNumber)) + 249;
        vx.Vxlan!.Remote = Addressing.Ip(bad);
        return new PlacedFault(7, "wrong-remote", c.Node, pod.Ns.Ns.Id, "vxlan1", null,
            $"vxlan1 remote is {vx.Vxlan.Remote}, but the pod VM {pod.Peer.Vm.Name} is {Addressing.Ip(pod.Peer.VmIp)}");
    }

    /// <summary>#8: a tunnel device's MTU leaves no room for the 50-byte VXLAN header on a 1500 underlay.</summary>
    public static PlacedFault Mtu(FaultContext c)
    {
        var (host, ns, dev) = OneEnd(c);
        dev.Mtu = Addressing.UnderlayMtu;
        return new PlacedFault(8, "mtu-overlay-too-big", host, ns, dev.Name, null,
            $"{dev.Name} MTU {dev.Mtu} + 50 > underlay eth0 MTU {Addressing.UnderlayMtu}");
    }

    /// <summary>#9: iptables drops the tunnel's UDP port on a receiving host.</summary>
    public static PlacedFault FirewallDrop(FaultContext c)
    {
        NsBuilder ns;
        string host;
        int port;
        if (c.Plan.IsBridge) { ns = c.Unit.Root; host = c.Node; port = BridgeNodeBuilder.FlannelPort; }
        else { var p = c.AnyPeerPod().Peer!; ns = p.VmRoot; host = p.Vm.Name; port = PeerPodBuilder.VxlanPort; }
        var rule = new IptablesRule
        {
            Chain = "INPUT", Args = ["-p", "udp", "-m", "udp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DROP"],
            Target = "DROP",
        };
        var table = ns.Filter();
        table.Rules.Insert(0, rule);
        for (int i = 0; i < table.Rules.Count; i++) table.Rules[i].Source = CollectSources.IptablesRule(3 + table.Chains.Count + i);
        return new PlacedFault(9, "firewall-drops-tunnel-port", host, "root", null, rule.ToString(), $"INPUT drops UDP port {port}, the VXLAN tunnel's");
    }

    /// <summary>The end a tunnel fault goes on: the node's flannel.1, or a peer pod's vxlan0 on its VM.</summary>
    private static (string Host, string Ns, Link Dev) OneEnd(FaultContext c)
    {
        if (c.Plan.IsBridge) return (c.Node, "root", c.Unit.Tunnel!);
        var peer = c.AnyPeerPod().Peer!;
        return (peer.Vm.Name, peer.PodNs.Ns.Id, peer.VmVxlan);
    }
}
