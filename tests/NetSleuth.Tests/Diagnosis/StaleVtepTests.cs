using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>Issue 21 item 6 without routes in the input (the real pastes of flannel#1795 are in the corpus):
/// an FDB entry on flannel.1 for a peer's old VTEP MAC.</summary>
public sealed class StaleVtepTests
{
    [Fact]
    public void Given_an_fdb_entry_with_a_peers_old_vtep_mac_and_no_routes_when_diagnosed_then_it_is_found_with_the_fix()
    {
        // node 0's `bridge fdb` and `ip -d link` only (no routes): its entry for node 2 holds a MAC node 2's flannel.1 no longer has
        var c = new FlannelCluster(3);
        var root = c.Host(0).Root!;
        root.Routes.RemoveAll(r => r.Device == "flannel.1");
        var old = MacAddress.Parse("9a:00:00:00:00:99");
        c.Fdb(0, 2).Mac = old;

        var r = Diag.Run(c.Snapshot);

        var f = Assert.Single(r.Findings, x => x.Id == "fdb-stale-vtep");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains(FlannelCluster.Mac(2).ToString(), f.Title);
        Assert.Equal([$"bridge fdb del {old} dev flannel.1 self", $"bridge fdb append {FlannelCluster.Mac(2)} dev flannel.1 dst {FlannelCluster.NodeIp(2)} self permanent"],
            Assert.Single(f.Fix).Commands);
    }

    [Fact]
    public void Given_a_lab_capture_of_a_stale_fdb_entry_When_diagnosed_Then_it_is_the_top_finding_with_both_lines_and_the_fix()
    {
        // Fixtures/transcripts/flannel-stale-fdb (NOTE.md): node2's flannel.1 re-created, node1's FDB entry kept the old MAC
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "transcripts", "flannel-stale-fdb");
        var snap = NetSleuth.Import.InputLoader.Load([$"node1={Path.Combine(dir, "node1.txt")}", $"node2={Path.Combine(dir, "node2.txt")}"]);
        var r = Diagnoser.Run(NetSleuth.Topology.Linker.Link(snap));

        var f = r.Findings[0];
        Assert.Equal("fdb-stale-vtep", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains(f.Evidence, e => e.Host == "node1" && e.Text.Contains("1e:9a:ef:d0:7d:e2") && e.Source!.Line == 6);
        Assert.Contains(f.Evidence, e => e.Host == "node2" && e.Text.Contains("06:cf:28:8e:d8:4d") && e.Source!.Line == 2);
        var step = Assert.Single(f.Fix);
        Assert.Equal("node1", step.Host);
        Assert.Equal(["bridge fdb del 1e:9a:ef:d0:7d:e2 dev flannel.1 self", "bridge fdb append 06:cf:28:8e:d8:4d dev flannel.1 dst 10.13.0.12 self permanent"], step.Commands);
    }
}
