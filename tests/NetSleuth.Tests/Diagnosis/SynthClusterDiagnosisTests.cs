using NetSleuth.Diagnosis;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// Diagnose on generated clusters: every fault kind the style can place is placed once (on its own node),
/// and diagnose must name each of them — including the ones only visible against the other nodes (a
/// blackhole over another node's pods, a missing cluster route, forwarding off) — and raise nothing else.
/// </summary>
public sealed class SynthClusterDiagnosisTests
{
    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_every_fault_kind_placed_When_diagnosed_Then_each_is_found_and_nothing_else_is_raised(SynthStyle style)
    {
        var probe = new SynthOptions(24, 6, style, Seed: 7);
        int kinds = ClusterGenerator.FaultNames(probe).Count;
        var (snap, manifest) = new ClusterGenerator(probe with { Faults = kinds }).GenerateAll();

        var report = Diagnoser.Run(Linker.Link(snap));
        var (missed, falseAlarms) = FaultScore.Score(manifest, report);

        Assert.True(missed.Count == 0, "missed: " + string.Join("; ", missed.Select(f => $"{f.Name} on {f.Host}")));
        Assert.True(falseAlarms.Count == 0, "not placed: " + string.Join("; ", falseAlarms.Select(f => f.ToString())));
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_a_healthy_cluster_When_diagnosed_Then_no_warning_or_error_is_raised(SynthStyle style)
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(12, 5, style, Seed: 11)).GenerateAll();

        var report = Diagnoser.Run(Linker.Link(snap));

        Assert.Empty(report.Findings.Where(f => f.Severity >= Severity.Warning).Select(f => f.ToString()));
        Assert.Equal(0, report.PathsBroken);
    }
}

/// <summary>The cross-host checks on a healthy generated OVN-like cluster with faults put in by hand, and their fixes.</summary>
public sealed class CrossHostCheckTests
{
    private static (NetSleuth.Model.Snapshot Snap, Func<string, NetSleuth.Model.NetNamespace> Root) Cluster()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(8, 3, SynthStyle.Ovs, Seed: 2)).GenerateAll();
        return (snap, name => snap.Hosts.Single(h => h.Name == name).Root!);
    }

    [Fact]
    public void Given_a_node_without_the_cluster_route_When_diagnosed_Then_the_peers_route_is_the_fix_with_its_own_gateway()
    {
        var (snap, root) = Cluster();
        var node3 = root("node-0003");
        Assert.Equal(1, node3.Routes.RemoveAll(r => r.Destination.ToString() == "10.128.0.0/9"));

        var report = Diagnoser.Run(Linker.Link(snap));

        var f = Assert.Single(report.Findings, f => f.Id == "missing-route");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.StartsWith("node-0003 has no route 10.128.0.0/9 dev ovn-k8s-mp0, which 7 of the 8 hosts", f.Title);
        // node-0003's pod subnet is 10.128.4.0/23: its gateway sits at .1 like every peer's
        Assert.Equal(["ip route add 10.128.0.0/9 via 10.128.4.1 dev ovn-k8s-mp0 proto static"], f.Fix.Single().Commands);
        Assert.Contains(f.Evidence, e => e.Host == "node-0003" && e.Text.StartsWith("default via", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_node_with_forwarding_off_When_diagnosed_Then_it_is_told_apart_from_its_peers()
    {
        var (snap, root) = Cluster();
        root("node-0005").Sysctls["net.ipv4.ip_forward"] = "0";

        var report = Diagnoser.Run(Linker.Link(snap));

        var f = Assert.Single(report.Findings, f => f.Id == "ip-forward-disabled");
        Assert.Contains("node-0005", f.Title);
        Assert.Equal(["sysctl -w net.ipv4.ip_forward=1"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_blackhole_over_another_nodes_pods_When_diagnosed_Then_the_route_is_deleted_and_its_victims_named()
    {
        var (snap, root) = Cluster();
        root("node-0006").Routes.Add(new NetSleuth.Model.Route
        {
            Type = NetSleuth.Model.RouteTypes.Blackhole, Destination = new NetSleuth.Model.IpPrefix(System.Net.IPAddress.Parse("10.128.2.0"), 23), Protocol = "static",
        });

        var report = Diagnoser.Run(Linker.Link(snap));

        var f = Assert.Single(report.Findings, f => f.Id == "route-blackhole");
        Assert.Equal("node-0006: `blackhole 10.128.2.0/23` swallows 3 pod address(es) on node-0002", f.Title);
        Assert.Equal(["ip route del blackhole 10.128.2.0/23 proto static"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_fewer_than_four_hosts_of_a_kind_When_one_differs_Then_no_peer_finding_is_made()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(3, 2, SynthStyle.Ovs, Seed: 2)).GenerateAll();
        snap.Hosts.Single(h => h.Name == "node-0002").Root!.Routes.RemoveAll(r => r.Destination.ToString() == "10.128.0.0/9");

        var report = Diagnoser.Run(Linker.Link(snap));

        Assert.DoesNotContain(report.Findings, f => f.Id == "missing-route");
    }
}
