using static NetSleuth.Lab.LabFaults;

namespace NetSleuth.Lab.Scenarios;

/// <summary>
/// Host "node1": n1 (root) with bridge br0 and three pods n1pod1..3 (veths on br0); host "router":
/// one namespace forwarding between two underlay links; host "node2": n2 (root). Pods route via
/// br0's address, node1 and node2 via the router.
/// </summary>
internal sealed class BridgePods : LabScenario
{
    public const string Gateway = "198.18.10.1";
    public const string Node2Ip = "203.0.113.18";
    public const string WrongMac = "02:00:5e:10:00:99";
    private const int Pods = 3;

    public static string PodIp(int n) => $"198.18.10.{10 + n}";

    public override string Name => "bridge-pods";
    public override string Summary =>
        "node1 (n1: bridge br0 + pods n1pod1..3 on veths) routed through a router namespace to node2 (n2)";

    public override IReadOnlyDictionary<string, string> FaultChanges { get; } = new Dictionary<string, string>
    {
        [Mtu] = "the router-node2 link (r-n2, eth1 in n2) has MTU 1400, the rest 1500",
        [FirewallDrop] = "iptables in router: FORWARD drops 198.18.10.0/24 -> 203.0.113.16/28",
        [LinkDown] = "r-n2 in router is down",
        [NoRoute] = "n2 has no route back to the pod subnet 198.18.10.0/24",
        [StaleNeighbor] = $"router's neighbour entry for {Node2Ip} holds {WrongMac} (nud permanent, never re-resolved)",
        [IpForwardOff] = "net.ipv4.ip_forward=0 in router",
        [RpFilter] = "a second link r-n2b/eth2 carries n2's replies (its route to the pods), and router has rp_filter=1",
        [DanglingVeth] = "veth-pod1, the host end of n1pod1's eth0, is in namespace 'stray' (no lab host), not on br0",
        [WrongMaster] = "veth-pod1 is a port of br1 instead of br0: n1 still answers ARP on br1, so requests leave, but replies for n1pod1 are sent to br0 and die there",
    };

    public override IReadOnlyList<(string, string)> Conflicts => [(DanglingVeth, WrongMaster)];

    public override LabPlan Plan(string prefix, IReadOnlySet<string> faults)
    {
        var p = new LabPlan { Prefix = prefix };
        p.Hosts.Add(new LabHost("node1", p.Ns("n1"), [p.Ns("n1"), .. Enumerable.Range(1, Pods).Select(i => p.Ns($"n1pod{i}"))]));
        p.Hosts.Add(new LabHost("router", p.Ns("router"), [p.Ns("router")]));
        p.Hosts.Add(new LabHost("node2", p.Ns("n2"), [p.Ns("n2")]));
        if (faults.Contains(DanglingVeth)) p.ExtraNamespaces.Add(p.Ns("stray"));
        if (faults.Contains(FirewallDrop)) p.Tools["iptables"] = "iptables";

        var pod1Broken = faults.Where(f => f is DanglingVeth or WrongMaster).ToList();
        var pathBroken = faults.Where(f => f is not Mtu).ToList();
        p.Probes.Add(Probe(p, "pod-node2", Node2Ip, 56, false, pathBroken, "replies come back from n2 through the router"));
        p.Probes.Add(Probe(p, "pod-node2-large", Node2Ip, 1472, true, faults.ToList(), "a 1500-byte packet with DF fits every hop"));
        p.Probes.Add(Probe(p, "pod-pod", PodIp(2), 56, false, pod1Broken, "n1pod2 answers across br0"));
        return p;
    }

    private static LabProbe Probe(LabPlan p, string name, string ip, int size, bool df, List<string> breaking, string healthy) =>
        new(name, "node1", p.Ns("n1pod1"), ip, size, df, breaking.Count == 0,
            breaking.Count == 0 ? healthy : string.Join("; ", breaking.Select(f => $"{f}: {LabFaults.Find(f)!.Symptom}")));

    public override void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults)
    {
        string n1 = plan.Ns("n1"), r = plan.Ns("router"), n2 = plan.Ns("n2");
        foreach (var ns in plan.Hosts.SelectMany(h => h.Namespaces).Concat(plan.ExtraNamespaces))
        {
            // independent of the machine's own defaults, which new namespaces inherit
            sh.Sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
            sh.Sysctl(ns, "net.ipv4.conf.default.rp_filter", "0");
        }
        sh.Sysctl(n1, "net.ipv4.ip_forward", "1");
        sh.Sysctl(r, "net.ipv4.ip_forward", faults.Contains(IpForwardOff) ? "0" : "1");
        sh.Sysctl(n2, "net.ipv4.ip_forward", "0");

        // node1: br0 and the pods
        sh.Ip(n1, "link", "add", "br0", "type", "bridge");
        sh.Ip(n1, "addr", "add", Gateway + "/24", "dev", "br0");
        sh.Ip(n1, "link", "set", "br0", "up");
        if (faults.Contains(WrongMaster))
        {
            sh.Ip(n1, "link", "add", "br1", "type", "bridge");
            sh.Ip(n1, "link", "set", "br1", "up");
        }
        for (int i = 1; i <= Pods; i++)
        {
            string pod = plan.Ns($"n1pod{i}"), hostEnd = $"veth-pod{i}";
            string hostNs = i == 1 && faults.Contains(DanglingVeth) ? plan.Ns("stray") : n1;
            sh.Ip(hostNs, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", pod);
            if (hostNs == n1) sh.Ip(n1, "link", "set", hostEnd, "master", i == 1 && faults.Contains(WrongMaster) ? "br1" : "br0");
            sh.Ip(hostNs, "link", "set", hostEnd, "up");
            sh.Ip(pod, "addr", "add", PodIp(i) + "/24", "dev", "eth0");
            sh.Ip(pod, "link", "set", "eth0", "up");
            sh.Ip(pod, "route", "add", "default", "via", Gateway);
        }

        // underlay: n1 —(203.0.113.0/28)— router —(203.0.113.16/28)— n2
        string lowMtu = faults.Contains(Mtu) ? "1400" : "1500";
        sh.Ip(n1, "link", "add", "eth1", "type", "veth", "peer", "name", "r-n1", "netns", r);
        sh.Ip(r, "link", "add", "r-n2", "mtu", lowMtu, "type", "veth", "peer", "name", "eth1", "mtu", lowMtu, "netns", n2);
        Address(sh, n1, "eth1", "203.0.113.1/28");
        Address(sh, r, "r-n1", "203.0.113.2/28");
        Address(sh, r, "r-n2", "203.0.113.17/28", up: !faults.Contains(LinkDown));
        Address(sh, n2, "eth1", Node2Ip + "/28");
        sh.Ip(n1, "route", "add", "default", "via", "203.0.113.2");
        sh.Ip(r, "route", "add", "198.18.10.0/24", "via", "203.0.113.1");
        if (faults.Contains(RpFilter))
        {
            sh.Ip(r, "link", "add", "r-n2b", "type", "veth", "peer", "name", "eth2", "netns", n2);
            Address(sh, r, "r-n2b", "203.0.113.33/28");
            Address(sh, n2, "eth2", "203.0.113.34/28");
            sh.Ip(n2, "route", "add", "198.18.10.0/24", "via", "203.0.113.33");
            // n2 asks for the router's MAC from eth2's own address, so only the IP replies meet the filter
            sh.Sysctl(n2, "net.ipv4.conf.all.arp_announce", "2");
            sh.Sysctl(r, "net.ipv4.conf.all.rp_filter", "1");
            sh.Sysctl(r, "net.ipv4.conf.r-n2b.rp_filter", "1");
        }
        else if (!faults.Contains(NoRoute)) sh.Ip(n2, "route", "add", "198.18.10.0/24", "via", "203.0.113.17");

        if (faults.Contains(StaleNeighbor))
            sh.Ip(r, "neigh", "replace", Node2Ip, "lladdr", WrongMac, "dev", "r-n2", "nud", "permanent");
        if (faults.Contains(FirewallDrop))
            sh.Exec(r, "iptables", "-w", "-A", "FORWARD", "-s", "198.18.10.0/24", "-d", "203.0.113.16/28", "-j", "DROP");
    }

    private static void Address(LabShell sh, string ns, string dev, string cidr, bool up = true)
    {
        sh.Ip(ns, "addr", "add", cidr, "dev", dev);
        if (up) sh.Ip(ns, "link", "set", dev, "up");
    }
}
