using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>conntrack -L, ipvsadm -Ln, ipset and kube-proxy nat tables from real pastes (Fixtures/real/, each with the
/// source in its expect.txt), recognised from their content.</summary>
public sealed class ServiceImportTests
{
    private static (Snapshot Snap, List<Warning> Warnings) Load(string dir)
    {
        // as RealCorpusTests feeds them: every file but expect.txt, the stem naming the host
        var files = Directory.GetFiles(ImportTestKit.Fixture("real", dir)).Where(f => Path.GetFileName(f) != "expect.txt")
            .Select(f => Path.GetFileNameWithoutExtension(f) + "=" + f);
        var snap = InputLoader.Load(files);
        return (snap, snap.Warnings.Concat(snap.Hosts.SelectMany(h => h.Warnings)).ToList());
    }

    private static NetNamespace Root(Snapshot s) => s.Hosts.Single().Namespaces.Single(n => n.IsRoot);

    [Fact]
    public void Given_a_real_conntrack_paste_when_imported_then_the_dnat_mapping_is_read()
    {
        var (snap, warnings) = Load("aks-1912-conntrack");
        var ns = Root(snap);

        Assert.True(ns.IsKnown(Sections.Conntrack));
        Assert.Equal(3, ns.Conntrack.Count);
        var e = ns.Conntrack[0];
        Assert.Equal("tcp", e.Protocol);
        Assert.Equal("ESTABLISHED", e.State);
        Assert.Equal("10.0.223.224", e.Original.Dst.ToString());
        Assert.Equal(27017, e.Original.Dport);
        Assert.Equal("10.244.1.7", e.Reply.Src.ToString()); // the endpoint the Service was translated to
        Assert.Equal(["ASSURED"], e.Flags);
        Assert.Equal(86205, e.Timeout);
        Assert.EndsWith("node.txt", e.Source!.File);
        Assert.Equal(1, e.Source.Line);
        Assert.Contains(warnings, w => w.Source!.Line == 5); // "onntrack v1.4.3 …" lost its first letter in the paste
    }

    [Fact]
    public void Given_a_real_ipvsadm_paste_when_imported_then_services_and_real_servers_are_read()
    {
        var (snap, warnings) = Load("opsnull-251-ipvsadm");
        var ns = Root(snap);

        Assert.Empty(warnings);
        Assert.True(ns.IsKnown(Sections.Ipvs));
        Assert.Equal(7, ns.Ipvs.Count);
        var api = ns.Ipvs.Single(s => s.Address!.ToString() == "10.254.0.1");
        Assert.Equal(443, api.Port);
        Assert.Equal("rr", api.Scheduler);
        Assert.True(api.Persistent);
        Assert.Equal(["172.16.16.81:6443", "172.16.16.82:6443"], api.Destinations.Select(d => d.ToString()));
        Assert.All(api.Destinations, d => Assert.Equal("Masq", d.Forward));
        Assert.Equal(4, ns.Ipvs[0].Destinations.Count);
    }

    [Fact]
    public void Given_kube_proxy_nat_rules_the_tracer_simulates_when_imported_then_no_rule_is_named_not_simulated()
    {
        var (snap, warnings) = Load("k8s-114470-iptables-nat");

        Assert.Empty(warnings);
        Assert.Contains(Root(snap).Iptables, t => t.Name == "nat" && t.Rules.Count == 12);
    }

    /// <summary>Real `iptables-save` outputs of kube-proxy nodes (Fixtures/real/, sources in their expect.txt): every rule of every
    /// table is one the evaluator understands, or the import names it (file:line); a Service is traced through the rules.</summary>
    [Theory]
    [InlineData("coreos-kube-proxy-iptables-save", "k8s-worker-03", "11.1.2.87", 6379, "10.2.3.2:6379")]
    [InlineData("centos7-flannel-kube-proxy-iptables-save", "master-01-after", "10.2.226.53", 8080, "10.1.0.63:8080")]
    public void Given_a_real_kube_proxy_iptables_save_when_imported_then_every_rule_is_understood_or_named_and_a_service_is_traced(
        string dir, string host, string clusterIp, int port, string endpoint)
    {
        var (snap, warnings) = Load(dir);

        int rules = 0;
        foreach (var h in snap.Hosts)
            foreach (var t in h.Namespaces.Single(n => n.IsRoot).Iptables)
                foreach (var r in t.Rules)
                {
                    rules++;
                    if (NetSleuth.Forwarding.IptablesSyntax.NotUnderstood(t, r) is null) continue;
                    if (t.Name != "nat" && (r.Target is null || NetSleuth.Forwarding.IptablesEval.PassesThrough(r.Target))) continue;
                    Assert.Contains(warnings, w => w.Source == r.Source && w.Message.Contains("not simulated", StringComparison.Ordinal));
                }
        Assert.True(rules > 40, $"{rules} rules");
        Assert.Empty(warnings); // these are all understood

        var node = snap.Hosts.Single(h => h.Name == host).Namespaces.Single(n => n.IsRoot);
        Assert.Contains(NetSleuth.Forwarding.ServiceTable.Frontends(node), f => f.Address.ToString() == clusterIp && f.Port == port);
        // the same rules on the service model's node: a client pod's connection to the ClusterIP is translated to the endpoint
        var m = new NetSleuth.Tests.Forwarding.ServiceModel();
        var file = Directory.GetFiles(ImportTestKit.Fixture("real", dir)).Single(f => Path.GetFileNameWithoutExtension(f) == host);
        m.Parse(["iptables-save"], File.ReadAllText(file));
        Assert.Empty(m.Log.Warnings);
        var trace = m.Trace("c", clusterIp, port);
        var dnat = trace.Forward.Hops.SelectMany(x => x.Steps).OfType<NetSleuth.Forwarding.NatStep>().First(n => n.Kind == "DNAT");
        Assert.Equal($"{clusterIp}:{port}", dnat.Before);
        Assert.Equal(endpoint, dnat.After);
        Assert.Contains("KUBE-SEP-", dnat.Rule);
    }

    [Fact]
    public void Given_a_real_node_whose_services_lost_their_endpoints_when_imported_then_each_rejected_service_is_read()
    {
        var (snap, _) = Load("centos7-flannel-kube-proxy-iptables-save");
        var node = snap.Hosts.Single(h => h.Name == "master-01").Namespaces.Single(n => n.IsRoot);

        var none = NetSleuth.Forwarding.ServiceTable.WithoutEndpoints(node);

        Assert.Equal(11, none.Count); // 8 ClusterIP ports (filter KUBE-SERVICES), 3 NodePorts (KUBE-EXTERNAL-SERVICES)
        Assert.Contains(none, n => n.Name == "kube-system/kube-dns:dns" && n.Address!.ToString() == "10.2.0.10" && n.Port == 53 && n.Protocol == "udp");
        Assert.DoesNotContain(NetSleuth.Forwarding.ServiceTable.Frontends(node), f => f.Name.StartsWith("kube-system/", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_filter_rule_with_a_match_the_tracer_does_not_simulate_when_imported_then_it_is_named_with_its_line()
    {
        var snap = ImportTestKit.LoadText("""
            $ iptables-save
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            -A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
            -A FORWARD -p tcp -m limit --limit 5/min -j LOG --log-prefix "fw "
            -A FORWARD -d 10.96.0.0/12 -j ACCEPT
            COMMIT
            """);
        var warnings = snap.Warnings.Concat(snap.Hosts.SelectMany(h => h.Warnings)).ToList();

        var w = Assert.Single(warnings); // the LOG rule is passed by whatever it matches: not named
        Assert.Contains("iptables filter rule not simulated (-m physdev)", w.Message);
        Assert.Equal(5, w.Source!.Line);
    }

    [Fact]
    public void Given_session_affinity_when_imported_then_the_recent_rule_is_named_with_its_line()
    {
        var (_, warnings) = Load("k8s-47533-iptables-recent");

        var w = Assert.Single(warnings);
        Assert.Equal(7, w.Source!.Line);
        Assert.Contains("not simulated (-m recent)", w.Message);
    }

    [Fact]
    public void Given_ipset_list_and_ipvsadm_save_when_imported_then_read()
    {
        var snap = ImportTestKit.LoadText("""
            $ ipset list KUBE-CLUSTER-IP
            Name: KUBE-CLUSTER-IP
            Type: hash:ip,port
            Revision: 5
            Header: family inet hashsize 1024 maxelem 65536
            Size in memory: 408
            References: 2
            Number of entries: 2
            Members:
            10.96.0.1,tcp:443
            10.96.0.10,udp:53
            $ ipvsadm-save -n
            -A -t 10.96.0.1:443 -s rr
            -a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1
            -A -u 10.96.0.10:53 -s rr
            """);
        var ns = Root(snap);

        Assert.Equal(["10.96.0.1,tcp:443", "10.96.0.10,udp:53"], ns.Ipsets.Single().Members);
        Assert.Equal("hash:ip,port", ns.Ipsets[0].Type);
        Assert.Equal(2, ns.Ipvs.Count);
        Assert.Equal("Masq", ns.Ipvs[0].Destinations.Single().Forward);
        Assert.Empty(ns.Ipvs[1].Destinations);
    }

    [Fact]
    public void Given_a_real_kube_proxy_nftables_ruleset_when_imported_then_every_rule_is_understood_and_a_service_is_traced_through_it()
    {
        var (snap, warnings) = Load("k3s-kube-proxy-nft");
        var ns = Root(snap);

        Assert.Empty(warnings);
        var nft = ns.Nftables!;
        Assert.Equal(9, nft.Sets.Single(s => s.Name == "service-ips").Elements.Count);
        Assert.Equal("goto external-P6J77WGM-riset/hellopod-np-svc/tcp/", nft.Sets.Single(s => s.Name == "service-nodeports").Elements.Single().Value);
        var endpoints = NetSleuth.Forwarding.ServiceTable.Endpoints(ns);
        Assert.Contains((System.Net.IPAddress.Parse("10.42.4.206"), (int?)8080), endpoints);
        Assert.Contains((System.Net.IPAddress.Parse("10.34.4.142"), (int?)6443), endpoints);
        var noEndpoints = NetSleuth.Forwarding.ServiceTable.WithoutEndpoints(ns);
        Assert.Equal(["10.43.21.102:4317", "10.43.21.102:4318"], noEndpoints.Select(e => $"{e.Address}:{e.Port}").Order(StringComparer.Ordinal));
        Assert.Contains("otelcol-opentelemetry-collector", noEndpoints[0].Name);

        // the same rules on a node with a client pod: the ClusterIP is translated to one of its nine endpoints by numgen
        var m = new NetSleuth.Tests.Forwarding.ServiceModel();
        var text = File.ReadAllLines(Path.Combine(ImportTestKit.Fixture("real", "k3s-kube-proxy-nft"), "node.txt")); // the bare ruleset
        m.Parse(["nft", "list", "ruleset"], string.Join('\n', text) + "\n");
        m.M.R.Known.Add(Sections.Iptables);
        Assert.Empty(m.Log.Warnings);
        var r = m.Trace("c", "10.43.195.72", 8000);
        var steps = r.Forward.Hops.SelectMany(h => h.Steps).ToList();
        var dnat = steps.OfType<NetSleuth.Forwarding.NatStep>().First(n => n.Kind == "DNAT");
        Assert.Equal("10.43.195.72:8000", dnat.Before);
        Assert.StartsWith("10.42.", dnat.After);
        Assert.Equal(9, steps.OfType<NetSleuth.Forwarding.ChoiceStep>().Single().Alternatives.Count);
        Assert.Equal(8, r.Alternatives!.Count);
    }

    [Fact]
    public void Given_kube_proxy_nftables_rules_as_nft_json_when_imported_then_sets_and_maps_are_read_and_a_service_is_traced()
    {
        // `nft -j list ruleset` of node n1 of the services lab (nftables mode), captured in a lab namespace: what collect reads
        var json = File.ReadAllText(ImportTestKit.Fixture("nft-json", "kube-proxy-services-lab.json"));
        var m = new NetSleuth.Tests.Forwarding.ServiceModel();
        m.Parse(["nft", "-j", "list", "ruleset"], json);
        m.M.R.Known.Add(Sections.Iptables);

        Assert.Empty(m.Log.Warnings);
        var sets = m.M.R.Nftables!.Sets;
        var serviceIps = sets.Single(s => s.Name == "service-ips");
        Assert.Equal("ipv4_addr . inet_proto . inet_service", serviceIps.Type);
        Assert.Equal("verdict", serviceIps.MapType);
        Assert.Contains(serviceIps.Elements, e => e.Key == "10.96.0.10 . tcp . 80" && e.Value == "goto service-CDGGSHYL-default/web/tcp/http");
        Assert.Equal(["10.96.0.10", "10.96.0.53"], sets.Single(s => s.Name == "cluster-ips").Elements.Select(e => e.Key));
        Assert.Equal("tcp . 30080", sets.Single(s => s.Name == "service-nodeports").Elements.Single().Key);

        var r = m.Trace("c", "10.96.0.10", 80);
        var steps = r.Forward.Hops.SelectMany(h => h.Steps).ToList();
        Assert.DoesNotContain(steps, s => s is NetSleuth.Forwarding.FilterStep { Verdict: "uncertain" });
        var dnat = steps.OfType<NetSleuth.Forwarding.NatStep>().First(n => n.Kind == "DNAT");
        Assert.Equal("10.96.0.10:80", dnat.Before);
        Assert.Contains(dnat.After, new[] { "10.244.1.2:8080", "10.244.2.2:8080" });
        Assert.Equal(2, steps.OfType<NetSleuth.Forwarding.ChoiceStep>().Single().Alternatives.Count);
    }
}
