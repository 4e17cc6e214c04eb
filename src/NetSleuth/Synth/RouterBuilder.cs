using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>The underlay router: one interface (.1) per node rack and per pod-VM subnet, forwarding on,
/// a neighbour entry for every node and VM it has talked to.</summary>
internal static class RouterBuilder
{
    public static Host Build(Addressing plan)
    {
        var host = HostFactory.NewHost(Addressing.RouterName, "6.1.0-28-amd64");
        var root = new NsBuilder("root", null, HostFactory.RootInode, isRoot: true);
        int eth = 0;
        for (int r = 0; r < plan.Racks; r++)
        {
            uint gw = Addressing.RackGateway(r);
            var l = AddPort(root, eth++, gw);
            for (int n = r * Addressing.NodesPerRack; n < Math.Min(plan.Options.Nodes, (r + 1) * Addressing.NodesPerRack); n++)
                root.AddNeighbor(Addressing.NodeIp(n), l.Name, Addressing.UnderlayMac(Addressing.NodeIp(n)));
        }
        for (int s = 0; s < plan.VmSubnets; s++)
        {
            uint gw = Addressing.VmGateway(s);
            var l = AddPort(root, eth++, gw);
            for (int v = s * Addressing.VmsPerSubnet; v < Math.Min(plan.VmCount, (s + 1) * Addressing.VmsPerSubnet); v++)
                root.AddNeighbor(Addressing.VmIp(v), l.Name, Addressing.UnderlayMac(Addressing.VmIp(v)));
        }
        host.Namespaces.Add(root.Finish());
        return host;
    }

    private static Link AddPort(NsBuilder root, int n, uint ip)
    {
        var l = root.AddLink("eth" + n, null, Addressing.UnderlayMac(ip), Addressing.UnderlayMtu, qdisc: "fq_codel");
        root.AddAddress(l, ip, 24);
        return l;
    }
}
