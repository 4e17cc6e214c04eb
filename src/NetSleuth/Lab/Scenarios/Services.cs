using NetSleuth.Synth;
using NetSleuth.Util;
using static NetSleuth.Lab.LabFaults;

namespace NetSleuth.Lab.Scenarios;

/// <summary>Which of kube-proxy's modes the services lab programs.</summary>
internal enum KubeProxyMode { Iptables, Nftables }

/// <summary>
/// Kubernetes Services in real namespaces. Two nodes (n1, n2: a cbr0 bridge each, pods on veths, routed to each other
/// over the node LAN 172.18.0.0/24) and "outside" (ext: the LAN's router 172.18.0.1 on bridge lan0, which knows no
/// route to the pods). Pods: n1pod (10.244.1.2) and n2pod (10.244.2.2) are the endpoints of default/web (ClusterIP
/// 10.96.0.10:80/tcp → :8080, NodePort 30080) and default/dns (10.96.0.53:53/udp → :5353), each answering with its
/// name (socat); n1cli (10.244.1.3) is a client. kube-proxy's rules are loaded the way kube-proxy loads them
/// (<c>iptables-restore --noflush</c> in iptables mode, <c>nft -f</c> of <c>table ip kube-proxy</c> in nftables mode),
/// with a flannel-style masquerade for pod traffic leaving the cluster. The mode is part of the scenario's name:
/// "services" (iptables) and "services-nft".
/// </summary>
internal sealed class Services(KubeProxyMode mode) : LabScenario
{
    public const string ClusterCidr = "10.244.0.0/16";
    public const string ServiceCidr = "10.96.0.0/12";
    public const string WebIp = "10.96.0.10";
    public const int WebPort = 80;
    public const int TargetPort = 8080;
    public const int NodePort = 30080;
    public const string DnsIp = "10.96.0.53";
    public const int DnsPort = 53;
    public const int DnsTargetPort = 5353;
    public const string OutsideIp = "172.18.0.1";
    /// <summary>The endpoint the stale conntrack entry still names (a pod that was deleted).</summary>
    public const string GoneIp = "10.244.1.99";
    /// <summary>The client source port of the stale flow.</summary>
    public const int StaleSourcePort = 40053;

    public static string NodeIp(int n) => $"172.18.0.1{n}";
    public static string PodIp(int n) => $"10.244.{n}.2";
    public const string ClientIp = "10.244.1.3";
    private static string Gateway(int n) => $"10.244.{n}.1";
    private static string PodCidr(int n) => $"10.244.{n}.0/24";

    public KubeProxyMode Mode { get; } = mode;
    public override string Name => Mode == KubeProxyMode.Iptables ? "services" : "services-nft";
    public override string Summary =>
        $"Kubernetes Services, kube-proxy {(Mode == KubeProxyMode.Iptables ? "iptables" : "nftables")} mode: two nodes (n1: n1pod, n1cli; n2: n2pod) and " +
        $"an outside router (ext); ClusterIP {WebIp}:{WebPort} with both pods as endpoints, NodePort {NodePort}, masquerade out of the cluster";

    public override IReadOnlyDictionary<string, string> FaultChanges => Mode == KubeProxyMode.Iptables ? IptablesFaults : NftFaults;

    private static readonly Dictionary<string, string> IptablesFaults = new()
    {
        [NoEndpoints] = $"default/web has no endpoints: kube-proxy's filter KUBE-SERVICES rejects {WebIp}:{WebPort}, KUBE-EXTERNAL-SERVICES the NodePort",
        [StaleConntrack] = $"n1's conntrack holds udp {ClientIp}:{StaleSourcePort} → {DnsIp}:{DnsPort} translated to {GoneIp}:{DnsTargetPort} (a deleted pod)",
        [MissingMasquerade] = $"n1's POSTROUTING has no MASQUERADE for {ClusterCidr} leaving the cluster",
        [NodePortDropped] = $"n1: iptables -t raw PREROUTING drops tcp dport {NodePort} arriving on eth0",
        [HairpinOff] = "n1's cbr0 port vethn1pod (n1pod, an endpoint of default/web) has hairpin mode off",
        [EndpointUnreachable] = $"n2: iptables filter FORWARD drops tcp to n2pod ({PodIp(2)}:{TargetPort}), default/web's endpoint on n2: n1 cannot reach it",
    };

    private static readonly Dictionary<string, string> NftFaults = new()
    {
        [NoEndpoints] = $"default/web has no endpoints: table ip kube-proxy's no-endpoint-services / no-endpoint-nodeports maps reject it",
        [StaleConntrack] = IptablesFaults[StaleConntrack],
        [MissingMasquerade] = $"n1's table ip flannel has no masquerade for {ClusterCidr} leaving the cluster",
        [NodePortDropped] = $"n1: table inet firewall drops tcp dport {NodePort} arriving on eth0 at prerouting priority raw",
        [HairpinOff] = IptablesFaults[HairpinOff],
        [EndpointUnreachable] = $"n2: table inet firewall's forward chain drops tcp to n2pod ({PodIp(2)}:{TargetPort}), default/web's endpoint on n2: n1 cannot reach it",
    };

    public override LabPlan Plan(string prefix, IReadOnlySet<string> faults)
    {
        var p = new LabPlan { Prefix = prefix };
        p.Tools["socat"] = "socat";
        if (Mode == KubeProxyMode.Iptables) p.Tools["iptables-restore"] = "iptables";
        else p.Tools["nft"] = "nftables";
        if (faults.Contains(StaleConntrack)) p.Tools["conntrack"] = "conntrack";
        p.Hosts.Add(new LabHost("node1", p.Ns("n1"), [p.Ns("n1"), p.Ns("n1pod"), p.Ns("n1cli")]));
        p.Hosts.Add(new LabHost("node2", p.Ns("n2"), [p.Ns("n2"), p.Ns("n2pod")]));
        p.Hosts.Add(new LabHost("outside", p.Ns("ext"), [p.Ns("ext")]));
        bool masq = !faults.Contains(MissingMasquerade);
        p.Probes.Add(new LabProbe("pod-outside", "node1", p.Ns("n1cli"), OutsideIp, 56, false, masq,
            masq ? "n1 masquerades the pod's packets to its own address; the outside answers it"
                 : $"{MissingMasquerade}: the outside sees {ClientIp} and has no route back to it"));
        p.Probes.Add(new LabProbe("pod-pod", "node1", p.Ns("n1cli"), PodIp(2), 56, false, true, "n2pod answers across the node LAN"));
        return p;
    }

    /// <summary>The Services as kube-proxy sees them for these faults.</summary>
    public static List<ServicePort> ServicePorts(IReadOnlySet<string> faults) =>
    [
        new("default", "web", "http", "tcp", WebIp, WebPort, NodePort,
            faults.Contains(NoEndpoints) ? [] : [(PodIp(1), TargetPort), (PodIp(2), TargetPort)]),
        new("kube-system", "dns", "dns", "udp", DnsIp, DnsPort, null, [(PodIp(1), DnsTargetPort), (PodIp(2), DnsTargetPort)]),
    ];

    public override void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults)
    {
        string ext = plan.Ns("ext");
        foreach (var ns in plan.Hosts.SelectMany(h => h.Namespaces))
        {
            sh.Sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
            sh.Sysctl(ns, "net.ipv4.conf.default.rp_filter", "0");
        }
        // outside: the node LAN's router, a bridge with one port per node; no route to the pods or Services
        sh.Ip(ext, "link", "add", "lan0", "type", "bridge");
        sh.Ip(ext, "addr", "add", OutsideIp + "/24", "dev", "lan0");
        sh.Ip(ext, "link", "set", "lan0", "up");
        // the nodes' default gateway: a router (it forwards; it has no route to the pods or Services)
        sh.Sysctl(ext, "net.ipv4.ip_forward", "1");
        var pods = new Dictionary<int, List<(string Role, string Ip)>>
        {
            [1] = [("n1pod", PodIp(1)), ("n1cli", ClientIp)],
            [2] = [("n2pod", PodIp(2))],
        };
        for (int n = 1; n <= 2; n++)
        {
            string node = plan.Ns($"n{n}");
            sh.Sysctl(node, "net.ipv4.ip_forward", "1");
            sh.Ip(node, "link", "add", "eth0", "type", "veth", "peer", "name", $"lan-n{n}", "netns", ext);
            sh.Ip(ext, "link", "set", $"lan-n{n}", "master", "lan0");
            sh.Ip(ext, "link", "set", $"lan-n{n}", "up");
            sh.Ip(node, "addr", "add", NodeIp(n) + "/24", "dev", "eth0");
            sh.Ip(node, "link", "set", "eth0", "up");
            sh.Ip(node, "route", "add", "default", "via", OutsideIp);

            sh.Ip(node, "link", "add", "cbr0", "type", "bridge");
            sh.Ip(node, "addr", "add", Gateway(n) + "/24", "dev", "cbr0");
            sh.Ip(node, "link", "set", "cbr0", "up");
            foreach (var (role, ip) in pods[n])
            {
                string pod = plan.Ns(role), hostEnd = "veth" + role;
                sh.Ip(node, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", pod);
                sh.Ip(node, "link", "set", hostEnd, "master", "cbr0");
                // kubelet's hairpin-mode=hairpin-veth: a pod reaching itself through its Service
                sh.Ip(node, "link", "set", hostEnd, "type", "bridge_slave", "hairpin", role == "n1pod" && faults.Contains(HairpinOff) ? "off" : "on");
                sh.Ip(node, "link", "set", hostEnd, "up");
                sh.Ip(pod, "addr", "add", ip + "/24", "dev", "eth0");
                sh.Ip(pod, "link", "set", "eth0", "up");
                sh.Ip(pod, "route", "add", "default", "via", Gateway(n));
            }
        }
        sh.Ip(plan.Ns("n1"), "route", "add", PodCidr(2), "via", NodeIp(2));
        sh.Ip(plan.Ns("n2"), "route", "add", PodCidr(1), "via", NodeIp(1));

        // the endpoints answer with their names
        Directory.CreateDirectory(LabPaths.WorkDir(plan.Prefix));
        foreach (var role in new[] { "n1pod", "n2pod" })
        {
            Listen(sh, plan, role, $"TCP-LISTEN:{TargetPort},fork,reuseaddr");
            Listen(sh, plan, role, $"UDP-RECVFROM:{DnsTargetPort},fork");
        }

        var services = ServicePorts(faults);
        for (int n = 1; n <= 2; n++)
        {
            string node = plan.Ns($"n{n}");
            bool masq = !(n == 1 && faults.Contains(MissingMasquerade));
            if (Mode == KubeProxyMode.Iptables)
            {
                sh.RunWithInput(KubeProxyRules.IptablesSave(services, ClusterCidr), "ip", "netns", "exec", node, "iptables-restore", "--noflush");
                sh.RunWithInput(FlannelIptables(PodCidr(n), masq), "ip", "netns", "exec", node, "iptables-restore", "--noflush");
            }
            else
            {
                sh.RunWithInput(NumericOutputPriorities(KubeProxyRules.Nft(services, ClusterCidr, ServiceCidr)), "ip", "netns", "exec", node, "nft", "-f", "-");
                sh.RunWithInput(FlannelNft(PodCidr(n), masq), "ip", "netns", "exec", node, "nft", "-f", "-");
            }
        }
        string n1 = plan.Ns("n1");
        if (faults.Contains(NodePortDropped))
        {
            if (Mode == KubeProxyMode.Iptables)
                sh.Exec(n1, "iptables", "-w", "-t", "raw", "-A", "PREROUTING", "-i", "eth0", "-p", "tcp", "-m", "tcp", "--dport",
                    NodePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "comment", "--comment", "block NodePorts from the LAN", "-j", "DROP");
            else
                sh.RunWithInput("table inet firewall {\n\tchain prerouting {\n\t\ttype filter hook prerouting priority raw; policy accept;\n" +
                    $"\t\tiifname \"eth0\" tcp dport {NodePort} drop comment \"block NodePorts from the LAN\"\n\t}}\n}}\n",
                    "ip", "netns", "exec", n1, "nft", "-f", "-");
        }
        if (faults.Contains(EndpointUnreachable))
        {
            // a host firewall on n2 that does not let the Service's target port through to the pod
            string n2 = plan.Ns("n2");
            if (Mode == KubeProxyMode.Iptables)
                sh.Exec(n2, "iptables", "-w", "-t", "filter", "-A", "FORWARD", "-d", PodIp(2) + "/32", "-p", "tcp", "-m", "tcp", "--dport",
                    Inv(TargetPort), "-m", "comment", "--comment", "host firewall", "-j", "DROP");
            else
                sh.RunWithInput("table inet firewall {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n" +
                    $"\t\tip daddr {PodIp(2)} tcp dport {TargetPort} drop comment \"host firewall\"\n\t}}\n}}\n",
                    "ip", "netns", "exec", n2, "nft", "-f", "-");
        }
        if (faults.Contains(StaleConntrack))
            sh.Exec(n1, "conntrack", "-I", "-p", "udp", "-s", ClientIp, "-d", DnsIp, "--sport", Inv(StaleSourcePort), "--dport", Inv(DnsPort),
                "-r", GoneIp, "-q", ClientIp, "--reply-port-src", Inv(DnsTargetPort), "--reply-port-dst", Inv(StaleSourcePort),
                "--dst-nat", GoneIp, "-t", "600");
    }

    /// <summary>nft 1.0.6 (Debian 12) accepts the name dstnat only on the prerouting hook; kube-proxy's output chains at
    /// "dstnat - 10" / "dstnat + 10" are given as the numbers they stand for (-110, -90), which is also how nft lists them.</summary>
    private static string NumericOutputPriorities(string ruleset) => ruleset
        .Replace("hook output priority dstnat - 10;", "hook output priority -110;", StringComparison.Ordinal)
        .Replace("hook output priority dstnat + 10;", "hook output priority -90;", StringComparison.Ordinal);

    private static string Inv(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts a socat in the pod's namespace that answers with the pod's name; its log file under the lab's
    /// directory puts that directory on its command line, which is how `lab down` finds it.</summary>
    private static void Listen(LabShell sh, LabPlan plan, string role, string address)
    {
        var log = Path.Combine(LabPaths.WorkDir(plan.Prefix), $"socat-{role}-{address.Split(':')[0].ToLowerInvariant()}.log");
        var cmd = Shell.Join(["ip", "netns", "exec", plan.Ns(role), "socat", "-lf", log, address, $"SYSTEM:echo {role}"]);
        sh.Run("sh", "-c", cmd + " </dev/null >/dev/null 2>&1 &");
        // wait until it listens, so a test's first connection finds it
        var proto = address.StartsWith("TCP", StringComparison.Ordinal) ? "-tln" : "-uln";
        var port = address.Split(':')[1].Split(',')[0];
        for (int i = 0; i < 50; i++)
        {
            var r = Proc.Run("ip", ["netns", "exec", plan.Ns(role), "ss", "-H", proto, "sport", "=", ":" + port]);
            if (r.Ok && r.Stdout.Trim().Length > 0) return;
            Thread.Sleep(20);
        }
        throw new LabException($"socat in {plan.Ns(role)} does not listen on {address}");
    }

    /// <summary>flannel's masquerade rules (iptables) for a node with pod subnet POD: pod traffic leaving the cluster is masqueraded.</summary>
    private static string FlannelIptables(string pod, bool masquerade)
    {
        var sb = new System.Text.StringBuilder("*nat\n:FLANNEL-POSTRTG - [0:0]\n");
        sb.Append("-A POSTROUTING -m comment --comment \"flanneld masq\" -j FLANNEL-POSTRTG\n");
        sb.Append("-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment \"flanneld masq\" -j RETURN\n");
        sb.Append($"-A FLANNEL-POSTRTG -s {pod} -d {ClusterCidr} -m comment --comment \"flanneld masq\" -j RETURN\n");
        sb.Append($"-A FLANNEL-POSTRTG -s {ClusterCidr} -d {pod} -m comment --comment \"flanneld masq\" -j RETURN\n");
        sb.Append($"-A FLANNEL-POSTRTG ! -s {ClusterCidr} -d {pod} -m comment --comment \"flanneld masq\" -j RETURN\n");
        if (masquerade)
            sb.Append($"-A FLANNEL-POSTRTG -s {ClusterCidr} ! -d 224.0.0.0/4 -m comment --comment \"flanneld masq\" -j MASQUERADE --random-fully\n");
        sb.Append($"-A FLANNEL-POSTRTG ! -s {ClusterCidr} -d {ClusterCidr} -m comment --comment \"flanneld masq\" -j MASQUERADE --random-fully\n");
        sb.Append("COMMIT\n");
        return sb.ToString();
    }

    /// <summary>The same in flannel's nftables mode (<c>table ip flannel</c>).</summary>
    private static string FlannelNft(string pod, bool masquerade)
    {
        var sb = new System.Text.StringBuilder("table ip flannel {\n\tchain postrtg {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        sb.Append("\t\tmeta mark & 0x00004000 == 0x00004000 return\n");
        sb.Append($"\t\tip saddr {pod} ip daddr {ClusterCidr} return\n");
        sb.Append($"\t\tip saddr {ClusterCidr} ip daddr {pod} return\n");
        sb.Append($"\t\tip saddr != {ClusterCidr} ip daddr {pod} return\n");
        if (masquerade) sb.Append($"\t\tip saddr {ClusterCidr} ip daddr != 224.0.0.0/4 masquerade fully-random\n");
        sb.Append($"\t\tip saddr != {ClusterCidr} ip daddr {ClusterCidr} masquerade fully-random\n");
        sb.Append("\t}\n}\n");
        return sb.ToString();
    }
}
