using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Render;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// faults.md #21–23 on snapshots of the services lab collected live (`netsleuth collect --lab P -o DIR` of
/// `lab up services[-nft] --fault F`; Fixtures/services-lab/NOTE.md): missing masquerade out of the cluster, a NodePort
/// dropped by a firewall rule, an endpoint's bridge port without hairpin mode — each is the top finding, with its
/// evidence (file:line) and a shell-quoted fix; the healthy lab has none of them.
/// </summary>
public sealed class ServiceReachTests
{
    private static DiagnosisReport Diagnose(string dir)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "services-lab", dir);
        var snap = InputLoader.Load(Directory.GetFiles(root, "*.json").Order(StringComparer.Ordinal).ToList());
        return Diagnoser.Run(NetSleuth.Topology.Linker.Link(snap));
    }

    [Fact]
    public void Given_pod_traffic_leaving_the_cluster_without_masquerade_when_diagnosed_then_the_node_gets_a_masquerade_rule()
    {
        var r = Diagnose("iptables-missing-masquerade");

        var f = r.Findings[0];
        Assert.Equal("masquerade-missing", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("node1 does not masquerade", f.Title);
        Assert.Contains(f.Evidence, e => e.Kind == "route" && e.Text.StartsWith("default via 172.18.0.1", StringComparison.Ordinal) && e.Source is not null);
        // what is there: kube-proxy's and flannel's other rules, with their lines
        Assert.Contains(f.Evidence, e => e.Kind == "iptables rule" && e.Source is { Line: > 0 });
        var fix = Assert.Single(Assert.Single(f.Fix).Commands);
        Assert.Equal("ip netns exec nsvfix-n1 iptables -t nat -A POSTROUTING -s 10.244.0.0/16 '!' -d 10.244.0.0/16 -m comment --comment " +
                     "'masquerade pod traffic leaving the cluster' -j MASQUERADE", fix);
    }

    [Fact]
    public void Given_an_nftables_node_without_masquerade_when_diagnosed_then_the_rule_goes_to_the_end_of_the_cnis_chain()
    {
        var r = Diagnose("nft-missing-masquerade");

        var f = r.Findings[0];
        Assert.Equal("masquerade-missing", f.Id);
        Assert.Equal("ip netns exec nsvfix-n1 nft add rule ip flannel postrtg ip saddr 10.244.0.0/16 ip daddr '!=' 10.244.0.0/16 masquerade",
            Assert.Single(f.Fix[0].Commands));
    }

    [Theory, InlineData("iptables-nodeport-dropped"), InlineData("nft-nodeport-dropped")]
    public void Given_a_firewall_rule_dropping_a_node_port_when_diagnosed_then_it_is_named_with_its_delete_command(string dir)
    {
        var r = Diagnose(dir);

        var f = r.Findings[0];
        Assert.Equal("nodeport-blocked", f.Id);
        Assert.Contains("NodePort 30080/tcp", f.Title);
        Assert.Contains(f.Evidence, e => e.Kind == "firewall rule" && e.Source is not null);
        Assert.Contains(f.Evidence, e => e.Kind == "kube-proxy NodePort" && e.Text.Contains("30080", StringComparison.Ordinal));
        var fix = Assert.Single(f.Fix[0].Commands);
        if (dir.StartsWith("iptables", StringComparison.Ordinal))
            Assert.Equal("ip netns exec nsvfix-n1 iptables -t raw -D PREROUTING -i eth0 -p tcp -m tcp --dport 30080 -m comment --comment " +
                         "'block NodePorts from the LAN' -j DROP", fix);
        else
            Assert.Matches(@"^ip netns exec nsvfix-n1 nft delete rule inet firewall prerouting handle \d+$", fix);
        Assert.Contains("outside", f.Trace!.From);
    }

    [Fact]
    public void Given_an_endpoint_port_without_hairpin_when_diagnosed_then_a_warning_turns_hairpin_on()
    {
        var r = Diagnose("iptables-hairpin-off");

        var f = r.Findings[0];
        Assert.Equal("service-hairpin-off", f.Id);
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Contains("10.244.1.2", f.Title);
        Assert.Contains(f.Evidence, e => e.Kind == "device" && e.Text.Contains("vethn1pod", StringComparison.Ordinal));
        Assert.Contains(f.Evidence, e => e.Kind == "kube-proxy endpoint" && e.Source is { Line: > 0 });
        Assert.Equal("ip -n nsvfix-n1 link set dev vethn1pod type bridge_slave hairpin on", Assert.Single(f.Fix[0].Commands));
        Assert.DoesNotContain(r.Findings, x => x.Id == "service-hairpin-off" && x.Title.Contains("n2pod", StringComparison.Ordinal));
    }

    [Theory, InlineData("iptables-healthy"), InlineData("nft-healthy")]
    public void Given_the_healthy_services_lab_when_diagnosed_then_none_of_the_service_findings(string dir)
    {
        var r = Diagnose(dir);

        Assert.DoesNotContain(r.Findings, f => f.Id is "masquerade-missing" or "nodeport-blocked" or "service-hairpin-off" or "service-no-endpoints");
        Assert.False(r.HasErrors, DiagnosisText.Render(r));
    }
}
