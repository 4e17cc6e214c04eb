using NetSleuth.Model;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>flannel.1 has no remote: the linker takes its far ends from its FDB entries, one per peer node.</summary>
public sealed class FdbTunnelLinkerTests
{
    private static TunnelMatch Match(NetSleuth.Topology.Topology t, FlannelCluster c, int n) =>
        t.Tunnel(t.Device(c.Host(n), c.Host(n).Root!, "flannel.1")!)!;

    [Fact]
    public void Given_a_healthy_flannel_cluster_when_linked_then_each_fdb_entry_reaches_the_peer_that_has_its_mac()
    {
        var c = new FlannelCluster(4);

        var t = Linker.Link(c.Snapshot);

        for (int n = 0; n < 4; n++)
        {
            var m = Match(t, c, n);
            Assert.Null(m.Far);
            Assert.Equal(3, m.FdbEnds.Count);
            foreach (var e in m.FdbEnds)
            {
                Assert.NotNull(e.Far);
                Assert.Equal(e.Entry.Mac, e.Far!.Link.Mac);
                Assert.Equal(e.Dst, e.Far.Link.Vxlan!.Local);
                Assert.Empty(e.NearMisses);
            }
        }
        // one resolved tunnel edge per pair of nodes, none with an assumption
        var tunnels = t.Edges.Where(e => e.Kind == EdgeKind.Tunnel).ToList();
        Assert.Equal(6, tunnels.Count);
        Assert.All(tunnels, e => { Assert.NotNull(e.To); Assert.Null(e.Assumption); Assert.Equal("vxlan vni 1 port 8472 via fdb", e.Label); });
    }

    [Fact]
    public void Given_one_node_with_another_vni_when_linked_then_its_entries_end_in_near_misses_naming_the_vnis()
    {
        var c = new FlannelCluster(3);
        c.Flannel(2).Vxlan!.Vni = 2;

        var t = Linker.Link(c.Snapshot);

        var odd = Match(t, c, 2);
        Assert.All(odd.FdbEnds, e => Assert.Null(e.Far));
        Assert.All(odd.FdbEnds, e => Assert.Equal("VNI 1 ≠ 2", Assert.Single(e.NearMisses).Reason));
        var healthy = Match(t, c, 0);
        Assert.Single(healthy.FdbEnds, e => e.Far is not null);
        Assert.Equal("VNI 2 ≠ 1", Assert.Single(healthy.FdbEnds.Single(e => e.Far is null).NearMisses).Reason);
    }

    [Fact]
    public void Given_an_fdb_dst_nobody_owns_when_linked_then_the_edge_is_unresolved_and_says_why()
    {
        var c = new FlannelCluster(3);
        c.Fdb(0, 1).Dst = System.Net.IPAddress.Parse("198.18.0.250");

        var t = Linker.Link(c.Snapshot);

        var end = Match(t, c, 0).FdbEnds.Single(e => e.Entry.Mac == FlannelCluster.Mac(1));
        Assert.Null(end.FarUnderlay);
        Assert.Null(end.Far);
        var edge = Assert.Single(t.Edges, e => e.Kind == EdgeKind.Tunnel && e.To is null);
        Assert.Equal($"fdb entry {FlannelCluster.Mac(1)} dst 198.18.0.250: 198.18.0.250 is not an address of any host in the input", edge.Assumption);
        // node 1's entry for node 0 reaches node 0, but node 0's way back is that same wrong entry
        var back = Match(t, c, 1).FdbEnds.Single(e => e.Entry.Mac == FlannelCluster.Mac(0));
        Assert.Equal($"its way back 198.18.0.250 is not an address of {FlannelCluster.Node(1)}", Assert.Single(back.NearMisses).Reason);
    }

    [Fact]
    public void Given_a_peer_whose_entry_back_points_elsewhere_when_linked_then_it_is_a_near_miss_saying_so()
    {
        var c = new FlannelCluster(3);
        c.Fdb(1, 0).Dst = FlannelCluster.NodeIp(2);

        var t = Linker.Link(c.Snapshot);

        var end = Match(t, c, 0).FdbEnds.Single(e => e.Entry.Mac == FlannelCluster.Mac(1));
        Assert.Null(end.Far);
        Assert.Contains($"its way back {FlannelCluster.NodeIp(2)} is not an address of {FlannelCluster.Node(0)}", Assert.Single(end.NearMisses).Reason);
    }
}
