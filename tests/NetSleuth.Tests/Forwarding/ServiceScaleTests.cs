using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// Services at scale (issue 15): the evaluator's per-chain index (<see cref="IptablesIndex"/>: KUBE-SERVICES dispatched by
/// destination) gives the verdicts and steps of the linear scan, and identical kube-proxy tables read once and shared by
/// every node (<see cref="RuleSharing"/>) give the traces of unshared copies.
/// </summary>
public sealed class ServiceScaleTests
{
    private static ServicePort Port(int i) => new("default", "svc" + i, "http", i % 3 == 0 ? "udp" : "tcp", $"10.96.1.{i}", 80 + i % 5,
        i % 3 == 0 ? 30100 + i : null, i % 7 == 0 ? [] : i % 2 == 0 ? [("198.18.2.20", 8080), ("198.18.3.20", 8080)] : [("198.18.3.20", 9090)]);

    /// <summary>kube-proxy's rules for 120 Services (40 with a NodePort) on the service model's node, with rules around them
    /// the dispatch must leave in their place: a negated destination, two destinations, a conntrack match, a match the
    /// evaluator does not understand (the trace that meets it is uncertain), in KUBE-SERVICES and in KUBE-NODEPORTS.</summary>
    /// <param name="recentInServices">a rule with -m recent in KUBE-SERVICES before its last rule: every packet that gets
    /// that far (to a NodePort) is uncertain</param>
    private static ServiceModel Model(bool recentInServices = true)
    {
        var m = new ServiceModel();
        for (int i = 1; i <= 120; i++) m.Services.Add(Port(i));
        var text = KubeProxyRules.IptablesSave(m.Services, "198.18.0.0/16");
        const string nodePorts = "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports;";
        int first = text.IndexOf("-A KUBE-SERVICES -d ", StringComparison.Ordinal);
        text = text[..first] +
            "-A KUBE-SERVICES ! -d 10.96.1.9/32 -p udp -m udp --dport 9999 -j KUBE-MARK-MASQ\n" +
            "-A KUBE-SERVICES -d 10.96.1.8/32,10.96.1.11/32 -p tcp -m tcp --dport 88 -j KUBE-MARK-MASQ\n" +
            "-A KUBE-SERVICES -d 10.96.1.13/32 -p tcp -m tcp --dport 83 -m conntrack --ctstate NEW -j KUBE-MARK-MASQ\n" + text[first..];
        int last = text.IndexOf(nodePorts, StringComparison.Ordinal);
        if (recentInServices) text = text[..last] + "-A KUBE-SERVICES -d 10.96.1.40/32 -p tcp -m recent --rcheck --name probe -j DROP\n" + text[last..];
        int nodePortRules = text.IndexOf("-A KUBE-NODEPORTS ", StringComparison.Ordinal);
        text = text[..nodePortRules] + "-A KUBE-NODEPORTS -p udp -m udp ! --dport 30106 -m comment --comment \"negated\" -j KUBE-MARK-MASQ\n" + text[nodePortRules..];
        int afterNodePorts = text.LastIndexOf("-A KUBE-NODEPORTS ", StringComparison.Ordinal);
        afterNodePorts = text.IndexOf('\n', afterNodePorts) + 1;
        text = text[..afterNodePorts] + "-A KUBE-NODEPORTS -p tcp -m recent --rcheck --name probe -j DROP\n" + text[afterNodePorts..];
        m.Parse(["iptables-save"], text);
        return m;
    }

    [Fact]
    public void Given_kube_proxy_rules_for_many_services_when_traced_with_the_dispatch_index_then_every_trace_equals_the_linear_scan()
    {
        var m = Model();
        var nat = m.M.R.Iptables.Single(t => t.Name == "nat");
        Assert.True(IptablesIndex.Of(nat).DispatchedRules >= 140, $"{IptablesIndex.Of(nat).DispatchedRules} rules dispatched");

        var packets = new List<(string To, int Port, string Proto)>();
        foreach (var s in m.Services)
        {
            packets.Add((s.ClusterIp, s.Port, s.Protocol));
            packets.Add((s.ClusterIp, s.Port + 1, s.Protocol));
            packets.Add((s.ClusterIp, s.Port, s.Protocol == "tcp" ? "udp" : "tcp"));
        }
        packets.AddRange([("10.96.1.8", 88, "tcp"), ("10.96.1.11", 88, "tcp"), ("10.96.1.13", 83, "tcp"), ("10.96.1.9", 9999, "udp"),
            ("10.96.1.10", 9999, "udp"), ("10.96.1.40", 80, "tcp"), ("10.96.9.9", 80, "tcp"), ("198.18.3.20", 9090, "tcp"), ("198.18.1.1", 30110, "tcp")]);
        var (dnat, uncertain) = SameAsScan(m, packets);
        Assert.True(dnat >= 80, $"{dnat} traces translated");
        Assert.True(uncertain >= 1, "the rule with -m recent makes the packets that reach it uncertain, indexed or not");
    }

    [Fact]
    public void Given_kube_proxy_node_ports_when_traced_with_the_dispatch_by_port_then_every_trace_equals_the_linear_scan()
    {
        var m = Model(recentInServices: false);
        var packets = new List<(string To, int Port, string Proto)>();
        foreach (var s in m.Services)
        {
            if (s.NodePort is not { } np) continue;
            // to the node's own address: KUBE-SERVICES' last rule jumps to KUBE-NODEPORTS, dispatched by port
            packets.Add(("198.18.1.1", np, s.Protocol));
            packets.Add(("198.18.1.1", np + 1, s.Protocol));
            packets.Add(("198.18.1.1", np, s.Protocol == "tcp" ? "udp" : "tcp"));
        }
        Assert.True(packets.Count >= 100, $"{packets.Count} packets");
        var (dnat, uncertain) = SameAsScan(m, packets);
        Assert.True(dnat >= 30, $"{dnat} traces translated");
        Assert.True(uncertain >= 1, "the rule with -m recent at the end of KUBE-NODEPORTS makes tcp packets to no NodePort uncertain");
    }

    /// <summary>Traces each packet from pod c with the dispatch and with the linear scan: the same trace, step for step.
    /// Returns how many were translated (DNAT) and how many were uncertain.</summary>
    private static (int Dnat, int Uncertain) SameAsScan(ServiceModel m, List<(string To, int Port, string Proto)> packets)
    {
        int uncertain = 0, dnat = 0;
        foreach (var (to, port, proto) in packets)
        {
            var indexed = m.Trace("c", to, port, proto);
            TraceResult scanned;
            IptablesIndex.LinearScan = true;
            try { scanned = m.Trace("c", to, port, proto); }
            finally { IptablesIndex.LinearScan = false; }
            var a = TraceText.Render(indexed);
            var b = TraceText.Render(scanned);
            if (a != b) Assert.Fail($"{proto} {to}:{port}\nindexed:\n{a}\nscanned:\n{b}");
            if (indexed.Forward.Disposition == Disposition.Uncertain) uncertain++;
            if (indexed.Forward.Hops.SelectMany(h => h.Steps).Any(s => s is NatStep { Kind: "DNAT" })) dnat++;
        }
        return (dnat, uncertain);
    }

    [Theory]
    [InlineData("-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-X", true)]
    [InlineData("! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ", true)]
    [InlineData("-d 10.96.0.10 -p udp --dport 53 -j KUBE-SVC-X", true)]
    [InlineData("! -d 10.96.0.10/32 -p tcp -j KUBE-MARK-MASQ", false)]
    [InlineData("-d 10.96.0.10/32,10.96.0.11/32 -p tcp -j KUBE-SVC-X", false)]
    [InlineData("-d 10.96.0.0/24 -p tcp -j KUBE-SVC-X", false)]
    [InlineData("-d 10.96.0.10/32 -m statistic --mode random --probability 0.5 -j KUBE-SEP-X", false)]
    [InlineData("-d 10.96.0.10/32 -m mark --mark 0x4000/0x4000 -j ACCEPT", false)]
    [InlineData("-d 10.96.0.10/32 -m recent --rcheck -j DROP", false)]
    [InlineData("-d 10.96.0.10/32 -p sctp -j KUBE-SVC-X", false)]
    [InlineData("-d 10.96.0.10/32 -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS", false)]
    public void Given_a_rule_when_indexed_then_only_one_the_evaluator_always_decides_is_dispatched_by_destination(string args, bool dispatched)
    {
        var rule = new IptablesRule { Chain = "KUBE-SERVICES", Args = [.. System.Text.RegularExpressions.Regex.Matches(args, "\"[^\"]*\"|\\S+").Select(x => x.Value)] }; // quoted parts kept whole, as iptables-save's parser keeps them
        Assert.Equal(dispatched, IptablesIndex.DispatchKeys(rule).Dst is not null);
    }

    [Theory]
    [InlineData("-p tcp -m comment --comment \"default/web:http\" -m tcp --dport 30080 -j KUBE-EXT-X", 30080)]
    [InlineData("-p udp -m udp --destination-port 30053 -j KUBE-EXT-X", 30053)]
    [InlineData("-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X", null)] // dispatched by its destination instead
    [InlineData("-d 10.96.0.0/24 -p tcp -m tcp --dport 80 -j KUBE-SVC-X", null)]
    [InlineData("-p tcp -m tcp ! --dport 30080 -j RETURN", null)]
    [InlineData("-p tcp -m tcp --dport 30080:30090 -j KUBE-EXT-X", null)]
    [InlineData("-p tcp -m multiport --dports 30080,30081 -j KUBE-EXT-X", null)]
    [InlineData("-p tcp -m tcp --dport 30080 --dport 30081 -j KUBE-EXT-X", null)]
    [InlineData("-p tcp -m tcp --dport 30080 -m recent --rcheck -j DROP", null)]
    [InlineData("-p tcp -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j KUBE-EXT-X", null)]
    public void Given_a_rule_without_a_destination_when_indexed_then_only_one_with_a_single_port_the_evaluator_always_decides_is_dispatched_by_port(string args, int? port)
    {
        var rule = new IptablesRule { Chain = "KUBE-NODEPORTS", Args = [.. System.Text.RegularExpressions.Regex.Matches(args, "\"[^\"]*\"|\\S+").Select(x => x.Value)] };
        Assert.Equal(port, IptablesIndex.DispatchKeys(rule).Port);
    }

    [Fact]
    public void Given_a_cluster_whose_nodes_hold_the_same_kube_proxy_table_when_loaded_then_it_is_read_once_and_traces_are_those_of_unshared_copies()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nsl-share-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SynthOptions(3, 3, SynthStyle.Bridge, Seed: 3) { Services = 60 };
            SynthWriter.Write(options, dir);
            var shared = InputLoader.Load([dir]);
            var nodes = shared.Hosts.Where(h => h.Name.StartsWith("node-", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, nodes.Count);
            var nat = nodes[0].Root!.Iptables.Single(t => t.Name == "nat");
            Assert.All(nodes, h => Assert.Same(nat, h.Root!.Iptables.Single(t => t.Name == "nat")));
            // each node's own filter table differs: not shared
            Assert.NotSame(nodes[0].Root!.Iptables.Single(t => t.Name == "filter"), nodes[1].Root!.Iptables.Single(t => t.Name == "filter"));

            // the same files, each read on its own (no sharing)
            var unshared = new Snapshot();
            foreach (var f in Directory.GetFiles(dir, "*.json").Where(f => Path.GetFileName(f) != SynthWriter.FaultsFile).Order(StringComparer.Ordinal))
                InputLoader.Merge(unshared, SnapshotJson.Load(f));
            var copies = unshared.Hosts.Where(h => h.Name.StartsWith("node-", StringComparison.Ordinal)).Select(h => h.Root!.Iptables.Single(t => t.Name == "nat")).ToList();
            Assert.Equal(3, copies.Distinct().Count());

            var ts = NetSleuth.Topology.Linker.Link(shared);
            var tu = NetSleuth.Topology.Linker.Link(unshared);
            var services = ClusterGenerator.ServicePorts(options);
            foreach (var h in nodes)
            {
                var pod = h.Namespaces.First(n => !n.IsRoot && n.Links.Any(l => l.Addresses.Any(a => a.Prefix.IsV4 && !IPAddress.IsLoopback(a.Address))));
                foreach (var svc in new[] { services[0], services[17], services[59] })
                {
                    var request = new TraceRequest(h.Name, pod.Name ?? pod.Id, null, IPAddress.Parse(svc.ClusterIp)) { Protocol = Protocols.Tcp, DestinationPort = 80, SourcePort = 40000 };
                    var a = Tracer.Trace(ts, request);
                    Assert.True(a.Delivered, TraceText.Render(a));
                    Assert.Equal(TraceText.Render(Tracer.Trace(tu, request)), TraceText.Render(a));
                }
            }
            var ds = Diagnoser.Run(ts, null, new DiagnoseOptions { VerifyFixes = false, SearchFixes = false });
            var du = Diagnoser.Run(tu, null, new DiagnoseOptions { VerifyFixes = false, SearchFixes = false });
            Assert.Equal(du.Findings.Select(f => f.ToString()), ds.Findings.Select(f => f.ToString()));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Given_identical_tables_in_two_files_when_read_with_sharing_then_the_second_is_the_first_and_counted()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(2, 2, SynthStyle.Bridge, Seed: 1) { Services = 20 }).GenerateAll();
        var a = SnapshotJson.Serialize(new Snapshot { Hosts = [snap.Hosts[0]] }, indented: false);
        var b = SnapshotJson.Serialize(new Snapshot { Hosts = [snap.Hosts[1]] }, indented: false);
        var sharing = new RuleSharing();

        var sa = SnapshotJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(a), "a.json", sharing);
        var sb = SnapshotJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(b), "b.json", sharing);

        var natA = sa.Hosts[0].Root!.Iptables.Single(t => t.Name == "nat");
        Assert.Same(natA, sb.Hosts[0].Root!.Iptables.Single(t => t.Name == "nat"));
        Assert.Equal(1, sharing.Shared);
        Assert.True(sharing.SharedBytes > RuleSharing.MinBytes);
        // what was shared is what an unshared read gives
        var alone = SnapshotJson.Deserialize(b, "b.json").Hosts[0].Root!.Iptables.Single(t => t.Name == "nat");
        Assert.Equal(alone.Rules.Select(r => r + " @" + r.Source), natA.Rules.Select(r => r + " @" + r.Source));
    }
}
