using NetSleuth.Model.Collections;
using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// An OVN-Kubernetes-like worker: br-int (kernel datapath, so every port has master ovs-system),
/// ovn-k8s-mp0 as an internal port holding the node's .2 address of its pod subnet, the cluster
/// network routed via mp0, and per pod a veth whose host end (15 hex digits, as OVN-K names it) is a
/// br-int port and whose other end is eth0 in an unnamed pod namespace with the OVN MAC 0a:58:IP.
/// </summary>
internal static class OvsNodeBuilder
{
    public const int PodMtu = 1400;
    public const string Kernel = "5.14.0-427.el9.x86_64";

    public static NodeUnit Build(Addressing plan, int node, Random rng)
    {
        var host = HostFactory.NewHost(Addressing.NodeName(node), Kernel);
        uint nodeIp = Addressing.NodeIp(node);
        var root = HostFactory.Root(host, nodeIp, Addressing.RackGateway(Addressing.Rack(node)));
        var unit = new NodeUnit(node, host, root);
        unit.Builders.Add(root);

        // the datapath and bridge devices of a kernel-datapath OVS are down with qdisc noop, as on real nodes
        var ovsSystem = root.AddLink("ovs-system", LinkKinds.OpenVSwitch, HostFactory.RandomMac(rng), 1500, qdisc: "noop");
        SetDown(ovsSystem);
        var brInt = root.AddLink("br-int", LinkKinds.OpenVSwitch, HostFactory.RandomMac(rng), PodMtu, qdisc: "noop");
        SetDown(brInt);
        var genev = root.AddLink("genev_sys_6081", LinkKinds.Geneve, HostFactory.RandomMac(rng), 65000);
        genev.ExtraInfo = new() { ["external"] = "true", ["dstport"] = "6081" };
        Enslave(genev, "ovs-system");
        uint mpIp = plan.ManagementIp(node);
        var mp0 = root.AddLink("ovn-k8s-mp0", LinkKinds.OpenVSwitch, Addressing.OvnMac(mpIp), PodMtu);
        Enslave(mp0, "ovs-system");
        mp0.OperState = "UNKNOWN";
        root.AddAddress(mp0, mpIp, plan.HostSubnetLength);
        root.AddRoute(Addressing.ClusterNetwork, Addressing.ClusterLength, plan.PodGateway(node), "ovn-k8s-mp0");
        root.AddNeighbor(plan.PodGateway(node), "ovn-k8s-mp0", Addressing.OvnMac(plan.PodGateway(node)));

        var bridge = new OvsBridge { Name = "br-int", DatapathType = "system", FailMode = "secure", Uuid = Uuid(rng), Source = CollectSources.Ovs };
        bridge.Ports.Add(Port("br-int", "internal", 65534, brInt.Mac!.Value, null));
        bridge.Ports.Add(Port("ovn-k8s-mp0", "internal", 2, mp0.Mac!.Value, "k8s-" + host.Name));
        bridge.Ports.Add(Port("genev_sys_6081", "geneve", 1, genev.Mac!.Value, null));
        root.Ns.Ovs = new OvsState { OvsVersion = "3.3.4", Bridges = [bridge], Source = CollectSources.Ovs };
        root.Ns.Known.Add(Sections.Ovs);
        unit.OvsBridge = bridge;

        long inode = 4026532300;
        for (int p = 0; p < plan.Options.PodsPerNode; p++)
        {
            inode += 1 + rng.Next(8);
            unit.Pods.Add(AddPod(plan, unit, p, inode, rng));
        }
        root.Filter().Rules.Add(new IptablesRule
        {
            Chain = "FORWARD",
            Args = ["-d", Addressing.Prefix(Addressing.ClusterNetwork, Addressing.ClusterLength).ToString(), "-j", "ACCEPT"],
            Target = "ACCEPT",
        });
        return unit;
    }

    private static PodSite AddPod(Addressing plan, NodeUnit unit, int p, long inode, Random rng)
    {
        var root = unit.Root;
        uint ip = plan.PodIp(unit.Index, p);
        var mac = Addressing.OvnMac(ip);
        // named as CRI-O names a pod's namespace (/var/run/netns/UUID, OpenShift's runtime)
        string nsId = HostFactory.PodNetnsName(unit.Host.Name, inode, containerd: false);
        var pod = new NsBuilder(nsId, nsId, inode, isRoot: false);
        pod.Ns.Processes.Add(new NsProcess(2000 + p * 37 + rng.Next(30), "pause"));
        string vethName = HostFactory.Hex(rng, 15);
        var hostVeth = root.AddLink(vethName, LinkKinds.Veth, HostFactory.RandomMac(rng), PodMtu);
        Enslave(hostVeth, "ovs-system");
        hostVeth.Promiscuity = 1;
        var eth0 = pod.AddLink("eth0", LinkKinds.Veth, mac, PodMtu, index: 2);
        PairVeths(root, hostVeth, pod, eth0, netnsIdInRoot: p);
        pod.AddAddress(eth0, ip, plan.HostSubnetLength);
        pod.AddRoute(0, 0, plan.PodGateway(unit.Index), "eth0");
        pod.AddRoute(Addressing.ClusterNetwork, Addressing.ClusterLength, plan.PodGateway(unit.Index), "eth0");
        pod.AddNeighbor(plan.PodGateway(unit.Index), "eth0", Addressing.OvnMac(plan.PodGateway(unit.Index)));
        var rootNeigh = root.AddNeighbor(ip, "ovn-k8s-mp0", mac);
        string podName = $"app-{HostFactory.Hex(rng, 5)}-{HostFactory.Hex(rng, 5)}";
        var port = Port(vethName, "", 3 + p, hostVeth.Mac!.Value, "default_" + podName);
        port.Interfaces[0].ExternalIds["attached_mac"] = mac.ToString();
        unit.OvsBridge!.Ports.Add(port);
        unit.Host.Namespaces.Add(pod.Ns);
        unit.Builders.Add(pod);
        return new PodSite { Index = p, Ns = pod, HostVeth = hostVeth, Eth0 = eth0, Ip = ip, RootNeighbor = rootNeigh, OvsPort = port };
    }

    /// <summary>Fills both ends' peer references (ifindex, netnsid as each side numbers the other, namespace id).</summary>
    public static void PairVeths(NsBuilder root, Link hostEnd, NsBuilder pod, Link podEnd, int netnsIdInRoot)
    {
        hostEnd.LinkIndex = podEnd.Index;
        hostEnd.LinkNetnsId = netnsIdInRoot;
        hostEnd.LinkNamespace = pod.Ns.Id;
        podEnd.LinkIndex = hostEnd.Index;
        podEnd.LinkNetnsId = 0;
        podEnd.LinkNamespace = root.Ns.Id;
        root.AddNetnsId(netnsIdInRoot, pod.Ns.Id);
        pod.AddNetnsId(0, root.Ns.Id);
    }

    public static void Enslave(Link link, string master)
    {
        link.Master = master;
        link.SlaveKind = master == "ovs-system" ? LinkKinds.OpenVSwitch : LinkKinds.Bridge;
    }

    private static void SetDown(Link link)
    {
        link.Flags = ["BROADCAST", "MULTICAST"];
        link.OperState = "DOWN";
    }

    private static OvsPort Port(string name, string type, int ofport, MacAddress mac, string? ifaceId)
    {
        var iface = new OvsInterface
        {
            Name = name, Type = type, OfPort = ofport, MacInUse = mac, AdminState = "up", LinkState = "up", Source = CollectSources.Ovs,
        };
        if (ifaceId is not null) iface.ExternalIds["iface-id"] = ifaceId;
        return new OvsPort { Name = name, Interfaces = [iface], Source = CollectSources.Ovs };
    }

    private static string Uuid(Random rng) =>
        $"{HostFactory.Hex(rng, 8)}-{HostFactory.Hex(rng, 4)}-{HostFactory.Hex(rng, 4)}-{HostFactory.Hex(rng, 4)}-{HostFactory.Hex(rng, 12)}";
}
