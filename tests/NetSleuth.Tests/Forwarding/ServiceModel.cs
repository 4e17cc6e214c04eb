using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// <see cref="RouterModel"/> with a kube-proxy node as the router: client pod c (198.18.1.10) — node r — endpoint pods
/// s (198.18.2.20) and s2 (198.18.3.20, on r-s2 198.18.3.1/24); r also has eth1 203.0.113.1/24 to "outside" (ns o,
/// 203.0.113.50), the way out of the cluster. The Service default/web:http 10.96.0.10:80/tcp → both pods' :8080,
/// NodePort 30080; the pod CIDR is 198.18.0.0/16. Rules are the ones <see cref="KubeProxyRules"/> writes, read by the
/// importer's parsers (iptables-save, nft list ruleset) as a user's paste would be.
/// </summary>
internal sealed class ServiceModel
{
    public const string ClusterIp = "10.96.0.10";
    public readonly RouterModel M = new();
    public NetNamespace S2 { get; }
    public NetNamespace O { get; }
    public List<ServicePort> Services { get; } = [];

    public ServiceModel(bool endpoints = true)
    {
        S2 = M.B.Ns("s2");
        O = M.B.Ns("o");
        var (s2Eth, rs2) = M.B.Veth(S2, "eth0", "02:00:00:00:03:14", M.R, "r-s2", "02:00:00:00:03:01");
        M.B.Addr(S2, s2Eth, "198.18.3.20/24");
        M.B.Addr(M.R, rs2, "198.18.3.1/24");
        M.B.Route(S2, "default", "198.18.3.1", "eth0");
        var (oEth, rOut) = M.B.Veth(O, "eth0", "02:00:00:00:04:32", M.R, "eth1", "02:00:00:00:04:01");
        M.B.Addr(O, oEth, "203.0.113.50/24");
        M.B.Addr(M.R, rOut, "203.0.113.1/24");
        M.B.Route(M.R, "default", "203.0.113.254", "eth1");
        // the outside knows no route back to the pods: only a masqueraded packet gets an answer
        Services.Add(new ServicePort("default", "web", "http", "tcp", ClusterIp, 80, 30080,
            endpoints ? [("198.18.2.20", 8080), ("198.18.3.20", 8080)] : []));
        foreach (var ns in new[] { M.C, M.S, S2, O })
        {
            ns.Known.Add(Sections.Iptables); ns.Known.Add(Sections.Nftables);
        }
        M.R.Known.Add(Sections.Nftables);
    }

    /// <summary>The node's rules in iptables mode (kube-proxy's own text, through the iptables-save parser), plus a
    /// masquerade for pod traffic leaving the cluster as CNI plugins write it.</summary>
    public ServiceModel Iptables(bool masquerade = true, string? extraNat = null, bool podMasquerade = true)
    {
        var text = KubeProxyRules.IptablesSave(Services, "198.18.0.0/16", masquerade);
        if (podMasquerade)
            text = text.Replace("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n",
                "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n" +
                "-A POSTROUTING -s 198.18.0.0/16 ! -d 198.18.0.0/16 -m comment --comment \"pod traffic leaving the cluster\" -j MASQUERADE\n" + (extraNat ?? ""));
        Parse(["iptables-save"], text);
        return this;
    }

    /// <summary>The node's rules in nftables mode (`nft list ruleset` text).</summary>
    public ServiceModel Nft(bool masquerade = true)
    {
        Parse(["nft", "list", "ruleset"], KubeProxyRules.Nft(Services, "198.18.0.0/16", "10.96.0.0/16", masquerade));
        M.R.Known.Add(Sections.Iptables);
        return this;
    }

    public ImportLog Log { get; } = new();

    public void Parse(string[] argv, string text, NetNamespace? ns = null)
    {
        var lines = TextCleaner.Lines(text);
        var output = new CommandOutput(argv, lines, string.Join('-', argv) + ".txt", 1);
        var parser = CommandTable.Find(argv) ?? throw new InvalidOperationException("no parser for " + string.Join(' ', argv));
        parser.Parse(output, ns ?? M.R, Log);
        (ns ?? M.R).Known.Add(argv[0] == "nft" ? Sections.Nftables : argv[0] == "conntrack" ? Sections.Conntrack : Sections.Iptables);
    }

    public TraceResult Trace(string from, string to, int? port, string proto = Protocols.Tcp)
    {
        var t = NetSleuth.Topology.Linker.Link(new Snapshot { Hosts = [M.B.Host] });
        var request = new TraceRequest("h", from, null, System.Net.IPAddress.Parse(to)) { Protocol = proto, DestinationPort = port };
        return Tracer.Trace(t, request);
    }
}
