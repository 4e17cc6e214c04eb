using static NetSleuth.Lab.LabFaults;

namespace NetSleuth.Lab.Scenarios;

/// <summary>
/// Two flannel-style nodes on one underlay link: each (n1, n2) has a cni0 bridge with one pod
/// (n1pod, n2pod) and flannel.1, a VXLAN device with no remote and nolearning; for the other node it
/// holds what flannel writes — a route "POD-NET via FLANNEL-ADDR dev flannel.1 onlink", a permanent
/// neighbour FLANNEL-ADDR → the other flannel.1's MAC, and an FDB entry that MAC → the other node.
/// </summary>
internal sealed class Flannel : LabScenario
{
    public const int Vni = 1;
    public const int Port = 8472;
    public const string WrongDst = "198.51.100.99";
    public const string StaleMac = "02:00:5e:f1:00:99";

    private static string NodeIp(int n) => $"198.51.100.{n}";
    private static string FlannelMac(int n) => $"02:00:5e:f1:00:0{n}";
    private static string FlannelAddr(int n) => $"198.18.{n}.0";
    private static string Gateway(int n) => $"198.18.{n}.1";
    public static string PodIp(int n) => $"198.18.{n}.2";

    public override string Name => "flannel";
    public override string Summary =>
        "two flannel-style nodes (n1, n2: cni0 bridge + one pod each) joined by flannel.1 VXLAN devices driven by FDB entries and permanent neighbours";

    public override IReadOnlyList<(string, string)> Conflicts => [(MissingNeighbor, StaleNeighbor)];

    public override IReadOnlyDictionary<string, string> FaultChanges { get; } = new Dictionary<string, string>
    {
        [VniMismatch] = $"n2's flannel.1 has VNI {Vni + 1}, n1's {Vni}",
        [PortMismatch] = $"n2's flannel.1 uses dstport 4789, n1's {Port}",
        [WrongRemote] = $"n1's FDB entry for n2's flannel.1 MAC has dst {WrongDst}, which nobody owns (n2 is {NodeIp(2)})",
        [MissingNeighbor] = $"n1 has no permanent neighbour {FlannelAddr(2)} on flannel.1 (nolearning: ARP for it is dropped)",
        [StaleNeighbor] = $"n1's permanent neighbour {FlannelAddr(2)} holds {StaleMac} (n2's flannel.1 had it before being recreated), for which n1's FDB has no entry",
    };

    public override LabPlan Plan(string prefix, IReadOnlySet<string> faults)
    {
        var p = new LabPlan { Prefix = prefix };
        p.Tools["bridge"] = "iproute2";
        p.Hosts.Add(new LabHost("node1", p.Ns("n1"), [p.Ns("n1"), p.Ns("n1pod")]));
        p.Hosts.Add(new LabHost("node2", p.Ns("n2"), [p.Ns("n2"), p.Ns("n2pod")]));
        var broken = faults.ToList();
        p.Probes.Add(new LabProbe("pod-pod", "node1", p.Ns("n1pod"), PodIp(2), 56, false, broken.Count == 0,
            broken.Count == 0 ? "n2pod answers through the flannel.1 tunnel" : string.Join("; ", broken.Select(f => $"{f}: {Symptoms[f]}"))));
        return p;
    }

    /// <summary>What the probe shows here (the catalogue's symptom lines are written for peer-pods).</summary>
    private static readonly Dictionary<string, string> Symptoms = new()
    {
        [VniMismatch] = "ping fails; the encapsulated UDP reaches n2's eth0, nothing arrives on its flannel.1",
        [PortMismatch] = "ping fails; n2 answers the UDP with ICMP port unreachable",
        [WrongRemote] = $"ping fails; n1 sends the UDP to {WrongDst}, whose ARP is never answered",
        [MissingNeighbor] = $"ping fails; n1's ARP for {FlannelAddr(2)} is broadcast on flannel.1, which has no FDB entry for it, and dropped",
        [StaleNeighbor] = $"ping fails; n1's flannel.1 has no FDB entry for {StaleMac} and drops the frames",
    };

    public override void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults)
    {
        foreach (var ns in plan.Hosts.SelectMany(h => h.Namespaces))
        {
            sh.Sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
            sh.Sysctl(ns, "net.ipv4.conf.default.rp_filter", "0");
        }
        string n1 = plan.Ns("n1"), n2 = plan.Ns("n2");
        // underlay: one link between the two nodes
        sh.Ip(n1, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", n2);
        for (int n = 1; n <= 2; n++)
        {
            string node = plan.Ns($"n{n}"), pod = plan.Ns($"n{n}pod");
            sh.Sysctl(node, "net.ipv4.ip_forward", "1");
            sh.Ip(node, "addr", "add", NodeIp(n) + "/24", "dev", "eth0");
            sh.Ip(node, "link", "set", "eth0", "up");

            // cni0 and the pod
            sh.Ip(node, "link", "add", "cni0", "type", "bridge");
            sh.Ip(node, "addr", "add", Gateway(n) + "/24", "dev", "cni0");
            sh.Ip(node, "link", "set", "cni0", "up");
            sh.Ip(node, "link", "add", "vethpod", "type", "veth", "peer", "name", "eth0", "netns", pod);
            sh.Ip(node, "link", "set", "vethpod", "master", "cni0");
            sh.Ip(node, "link", "set", "vethpod", "up");
            sh.Ip(pod, "addr", "add", PodIp(n) + "/24", "dev", "eth0");
            sh.Ip(pod, "link", "set", "eth0", "up");
            sh.Ip(pod, "route", "add", "default", "via", Gateway(n));

            // flannel.1
            int vni = n == 2 && faults.Contains(VniMismatch) ? Vni + 1 : Vni;
            int port = n == 2 && faults.Contains(PortMismatch) ? 4789 : Port;
            sh.Ip(node, "link", "add", "flannel.1", "type", "vxlan", "id", vni.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "local", NodeIp(n), "dev", "eth0", "dstport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "nolearning");
            sh.Ip(node, "link", "set", "flannel.1", "mtu", "1450", "address", FlannelMac(n));
            sh.Ip(node, "addr", "add", FlannelAddr(n) + "/32", "dev", "flannel.1");
            sh.Ip(node, "link", "set", "flannel.1", "up");
        }
        for (int n = 1; n <= 2; n++)
        {
            string node = plan.Ns($"n{n}");
            int other = 3 - n;
            sh.Ip(node, "route", "add", $"198.18.{other}.0/24", "via", FlannelAddr(other), "dev", "flannel.1", "onlink");
            if (!(n == 1 && faults.Contains(MissingNeighbor)))
                sh.Ip(node, "neigh", "replace", FlannelAddr(other), "lladdr", n == 1 && faults.Contains(StaleNeighbor) ? StaleMac : FlannelMac(other),
                    "dev", "flannel.1", "nud", "permanent");
            string dst = n == 1 && faults.Contains(WrongRemote) ? WrongDst : NodeIp(other);
            sh.Run("bridge", "-n", node, "fdb", "append", FlannelMac(other), "dev", "flannel.1", "dst", dst, "self", "permanent");
        }
    }
}
