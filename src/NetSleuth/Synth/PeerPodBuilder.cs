using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// Turns a pod into a Kata peer pod (cloud-api-adaptor shape): in the pod namespace vxlan1 (created
/// in the root namespace, so its UDP socket stays there, then moved in) and u32 match-all ingress
/// filters that redirect eth0 → vxlan1 and back; the pod VM is another host whose fixed namespace
/// podns holds vxlan0 (same VNI, remote = the worker) with the pod's IP and MAC.
/// </summary>
internal static class PeerPodBuilder
{
    public const int VxlanPort = 4789;
    public const int VniBase = 555000;
    public const int TunnelMtu = 1450;
    public const string VmKernel = "6.8.0-1021-azure";

    public static void Attach(Addressing plan, NodeUnit unit, PodSite pod, int peer, Random rng)
    {
        int vm = plan.VmNumber(unit.Index, peer);
        uint vmIp = Addressing.VmIp(vm);
        uint vni = (uint)(VniBase + vm);

        var vxlan1 = pod.Ns.AddLink("vxlan1", LinkKinds.Vxlan, HostFactory.RandomMac(rng), TunnelMtu, index: 3);
        vxlan1.Vxlan = Tunnel(vni, vmIp);
        XNetns(vxlan1);
        var eth0Filter = Redirect(pod.Ns, "eth0", "vxlan1");
        var vxFilter = Redirect(pod.Ns, "vxlan1", "eth0");

        var host = HostFactory.NewHost(Addressing.VmName(unit.Index, peer), VmKernel);
        var root = HostFactory.Root(host, vmIp, Addressing.VmGateway(Addressing.VmSubnet(vm)));
        var podns = new NsBuilder("podns", "podns", 4026532211 + rng.Next(50), isRoot: false);
        root.IpForward = podns.IpForward = false; // an end host, not a router
        var vxlan0 = podns.AddLink("vxlan0", LinkKinds.Vxlan, pod.Eth0.Mac!.Value, TunnelMtu, index: 3);
        vxlan0.Vxlan = Tunnel(vni, Addressing.NodeIp(unit.Index));
        XNetns(vxlan0);
        podns.AddAddress(vxlan0, pod.Ip, plan.HostSubnetLength);
        uint gw = plan.PodGateway(unit.Index);
        podns.AddRoute(0, 0, gw, "vxlan0");
        podns.AddRoute(Addressing.ClusterNetwork, Addressing.ClusterLength, gw, "vxlan0");
        podns.AddNeighbor(gw, "vxlan0", Addressing.OvnMac(gw));
        root.AddNetnsId(0, "podns");
        podns.AddNetnsId(0, "root");
        podns.Ns.Processes.Add(new NsProcess(812 + rng.Next(100), "kata-agent"));
        host.Namespaces.Add(podns.Ns);

        unit.Vms.Add(host);
        unit.Builders.Add(root);
        unit.Builders.Add(podns);
        pod.Peer = new PeerSite
        {
            Vm = host, VmRoot = root, PodNs = podns, WorkerVxlan = vxlan1, VmVxlan = vxlan0,
            Eth0Filter = eth0Filter, VxlanFilter = vxFilter, VmIp = vmIp, VmNumber = vm,
        };
    }

    private static VxlanInfo Tunnel(uint vni, uint remote) => new()
    {
        Vni = vni, Remote = Addressing.Ip(remote), DstPort = VxlanPort, Learning = false,
        UnderlayIndex = 2, Ttl = 0,
    };

    /// <summary>The device was made in the root namespace on eth0 (ifindex 2 there, the underlay index) and moved:
    /// link-netnsid 0; the collector keeps the underlay index, not the name iproute2 looks up in the wrong namespace.</summary>
    private static void XNetns(Link vxlan)
    {
        vxlan.LinkNetnsId = 0;
        vxlan.LinkNamespace = "root";
    }

    /// <summary>`tc qdisc add dev FROM ingress` + `tc filter add dev FROM parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev TO`.</summary>
    private static TcFilter Redirect(NsBuilder ns, string from, string to)
    {
        ns.Ns.Qdiscs.Add(new TcQdisc { Device = from, Kind = "ingress", Handle = "ffff:", Parent = "ingress", Source = CollectSources.Qdiscs });
        var f = new TcFilter
        {
            Device = from, Direction = "ingress", Parent = "ffff:", Kind = "u32", Protocol = "all", Pref = 49152,
            Handle = "800::800", Chain = 0, MatchesAll = true, Match = "00000000/00000000 at 0",
            Actions = [new TcAction { Kind = "mirred", MirredDirection = "egress", MirredAction = "redirect", TargetDevice = to, Control = "stolen", Index = 1 }],
            Source = CollectSources.Filters(from),
        };
        ns.Ns.Filters.Add(f);
        return f;
    }
}
