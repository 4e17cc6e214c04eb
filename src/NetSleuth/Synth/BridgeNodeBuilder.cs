using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// A flannel-like worker: pods on the cni0 Linux bridge (10.128.N.1/24), flannel.1 a VXLAN (VNI 1,
/// dstport 8472, nolearning) holding 10.128.N.0/32, and for every other node the three entries
/// flannel writes: a route "10.128.M.0/24 via 10.128.M.0 dev flannel.1 onlink", a permanent
/// neighbour 10.128.M.0 → M's flannel.1 MAC, and an FDB entry M's MAC → dst M's node address.
/// </summary>
internal static class BridgeNodeBuilder
{
    public const int FlannelVni = 1;
    public const int FlannelPort = 8472;
    public const int PodMtu = 1450;
    public const string Kernel = "6.8.0-49-generic";

    public static NodeUnit Build(Addressing plan, int node, Random rng)
    {
        var host = HostFactory.NewHost(Addressing.NodeName(node), Kernel);
        uint nodeIp = Addressing.NodeIp(node);
        var root = HostFactory.Root(host, nodeIp, Addressing.RackGateway(Addressing.Rack(node)));
        var unit = new NodeUnit(node, host, root);
        unit.Builders.Add(root);

        var flannel = root.AddLink("flannel.1", LinkKinds.Vxlan, Addressing.FlannelMac(node), PodMtu);
        flannel.Vxlan = new VxlanInfo
        {
            Vni = FlannelVni, Local = Addressing.Ip(nodeIp), DstPort = FlannelPort, Learning = false,
            UnderlayIndex = 2, UnderlayDevice = "eth0", Ttl = 0,
        };
        root.AddAddress(flannel, plan.HostSubnet(node), 32);
        unit.Tunnel = flannel;

        var cni0 = root.AddLink("cni0", LinkKinds.Bridge, HostFactory.RandomMac(rng), PodMtu);
        cni0.Bridge = new BridgeInfo { StpState = 0, VlanFiltering = false, AgeingTime = 30000 };
        root.AddAddress(cni0, plan.PodGateway(node), 24);
        root.Ns.Fdb.Add(new FdbEntry { Mac = cni0.Mac!.Value, Device = "cni0", Master = "cni0", Flags = ["permanent"], Source = CollectSources.Fdb });

        for (int m = 0; m < plan.Options.Nodes; m++)
        {
            if (m == node) continue;
            uint peerNet = plan.HostSubnet(m);
            root.AddRoute(peerNet, 24, peerNet, "flannel.1", protocol: "boot", onlink: true);
            root.AddNeighbor(peerNet, "flannel.1", Addressing.FlannelMac(m), "PERMANENT");
            root.Ns.Fdb.Add(new FdbEntry
            {
                Mac = Addressing.FlannelMac(m), Device = "flannel.1", Dst = Addressing.Ip(Addressing.NodeIp(m)),
                Flags = ["self", "permanent"], Source = CollectSources.Fdb,
            });
        }

        long inode = 4026532400;
        for (int p = 0; p < plan.Options.PodsPerNode; p++)
        {
            inode += 1 + rng.Next(8);
            unit.Pods.Add(AddPod(plan, unit, cni0, p, inode, rng));
        }
        var filter = root.Filter();
        string cluster = Addressing.Prefix(Addressing.ClusterNetwork, Addressing.ClusterLength).ToString();
        filter.Rules.Add(new IptablesRule { Chain = "FORWARD", Args = ["-s", cluster, "-j", "ACCEPT"], Target = "ACCEPT" });
        filter.Rules.Add(new IptablesRule { Chain = "FORWARD", Args = ["-d", cluster, "-j", "ACCEPT"], Target = "ACCEPT" });
        return unit;
    }

    private static PodSite AddPod(Addressing plan, NodeUnit unit, Link cni0, int p, long inode, Random rng)
    {
        var root = unit.Root;
        uint ip = plan.PodIp(unit.Index, p);
        var mac = HostFactory.RandomMac(rng);
        // named as containerd names a pod's namespace (/var/run/netns/cni-UUID): `ip -n NAME` and `netns NAME` reach it
        string name = HostFactory.PodNetnsName(unit.Host.Name, inode, containerd: true);
        var pod = new NsBuilder(name, name, inode, isRoot: false);
        pod.Ns.Processes.Add(new NsProcess(3000 + p * 41 + rng.Next(40), "pause"));
        var hostVeth = root.AddLink("veth" + HostFactory.Hex(rng, 8), LinkKinds.Veth, HostFactory.RandomMac(rng), PodMtu);
        OvsNodeBuilder.Enslave(hostVeth, "cni0");
        hostVeth.Promiscuity = 1;
        hostVeth.BridgePort = new BridgePortInfo { State = "forwarding", Learning = true, Flood = true, Isolated = false };
        var eth0 = pod.AddLink("eth0", LinkKinds.Veth, mac, PodMtu, index: 2);
        OvsNodeBuilder.PairVeths(root, hostVeth, pod, eth0, netnsIdInRoot: p);
        pod.AddAddress(eth0, ip, 24);
        pod.AddRoute(0, 0, plan.PodGateway(unit.Index), "eth0");
        pod.AddRoute(Addressing.ClusterNetwork, Addressing.ClusterLength, plan.PodGateway(unit.Index), "eth0");
        pod.AddNeighbor(plan.PodGateway(unit.Index), "eth0", cni0.Mac);
        var rootNeigh = root.AddNeighbor(ip, "cni0", mac);
        root.Ns.Fdb.Add(new FdbEntry { Mac = mac, Device = hostVeth.Name, Master = "cni0", Source = CollectSources.Fdb });
        root.Ns.Fdb.Add(new FdbEntry { Mac = hostVeth.Mac!.Value, Device = hostVeth.Name, Master = "cni0", Flags = ["permanent"], Source = CollectSources.Fdb });
        unit.Host.Namespaces.Add(pod.Ns);
        unit.Builders.Add(pod);
        return new PodSite { Index = p, Ns = pod, HostVeth = hostVeth, Eth0 = eth0, Ip = ip, RootNeighbor = rootNeigh };
    }
}
