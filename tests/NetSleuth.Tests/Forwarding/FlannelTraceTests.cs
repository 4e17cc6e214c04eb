using NetSleuth.Forwarding;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Forwarding;

/// <summary>Tracing pod to pod across flannel.1, whose far end for a frame is the dst of the FDB entry for the frame's destination MAC.</summary>
public sealed class FlannelTraceTests
{
    private static TraceResult Trace(FlannelCluster c, int from, int toNode) =>
        Tracer.Trace(NetSleuth.Topology.Linker.Link(c.Snapshot), new TraceRequest(FlannelCluster.Node(from), null, null, c.Pod(toNode)));

    [Fact]
    public void Given_a_healthy_cluster_when_traced_then_the_encapsulation_takes_the_fdb_dst_and_the_peer_delivers_both_ways()
    {
        var c = new FlannelCluster(3);

        var r = Trace(c, 0, 2);

        Assert.True(r.Delivered, r.Forward.Reason);
        var encap = Assert.Single(r.Forward.Hops.SelectMany(h => h.Steps).OfType<VxlanEncapStep>());
        Assert.Equal(FlannelCluster.NodeIp(2), encap.Remote);
        Assert.Equal($"fdb entry for the inner destination {FlannelCluster.Mac(2)}; flannel.1 has no remote", encap.RemoteFrom);
        Assert.Equal(c.Fdb(0, 2).Source, encap.Evidence);
        Assert.Contains(r.Forward.Hops.SelectMany(h => h.Steps).OfType<VxlanDecapStep>(), d => d.Node == FlannelCluster.Node(2));
        // the reply comes back through node 2's entry for node 0
        Assert.Equal(FlannelCluster.NodeIp(0), Assert.Single(r.Reply!.Hops.SelectMany(h => h.Steps).OfType<VxlanEncapStep>()).Remote);
    }

    [Fact]
    public void Given_an_fdb_dst_nobody_owns_when_traced_then_the_outer_packet_dies_unresolved_on_the_underlay()
    {
        var c = new FlannelCluster(3);
        c.Fdb(0, 2).Dst = System.Net.IPAddress.Parse("198.18.0.250");

        var r = Trace(c, 0, 2);

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Equal($"{FlannelCluster.Node(0)}:eth0", r.Forward.At);
    }

    [Fact]
    public void Given_the_far_node_with_another_vni_when_traced_then_its_socket_finds_no_device()
    {
        var c = new FlannelCluster(3);
        c.Flannel(2).Vxlan!.Vni = 2;

        var r = Trace(c, 0, 2);

        Assert.Equal(Disposition.TunnelMismatch, r.Forward.Disposition);
        Assert.Equal(FlannelCluster.Node(2), r.Forward.At);
    }

    [Fact]
    public void Given_no_fdb_entry_for_the_destination_mac_when_traced_then_the_frame_is_dropped_at_flannel()
    {
        var c = new FlannelCluster(3);
        c.Host(0).Root!.Fdb.Remove(c.Fdb(0, 2));

        var r = Trace(c, 0, 2);

        Assert.Equal(Disposition.NoTunnelEnd, r.Forward.Disposition);
        Assert.Contains("no remote and no FDB entry", r.Forward.Reason);
    }
}
