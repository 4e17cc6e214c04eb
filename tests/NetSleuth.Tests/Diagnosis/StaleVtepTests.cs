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
}
