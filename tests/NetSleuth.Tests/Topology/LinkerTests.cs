using NetSleuth.Model;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

public sealed class LinkerTests
{
    private static DeviceRef Dev(NetSleuth.Topology.Topology t, string host, string ns, string name)
    {
        var h = t.FindHost(host)!;
        return t.Device(h, h.FindNamespace(ns)!, name)!;
    }

    [Fact]
    public void Given_the_peer_pods_lab_when_linked_then_veth_bridge_mirred_and_tunnel_edges_exist()
    {
        var t = Linker.Link(PeerPodsModel.Build());

        var eth0 = Dev(t, "worker", "wkpod", "eth0");
        Assert.Equal("8b7266486ea2861", t.VethPeer(eth0)!.Link.Name);
        Assert.Equal("br-int", t.BridgeOf(t.VethPeer(eth0)!)!.Link.Name);
        Assert.Equal(["8b7266486ea2861", "mp0-br"], t.PortsOf(Dev(t, "worker", "root", "br-int")).Select(d => d.Link.Name).Order());

        var redirects = t.Edges.Where(e => e.Kind == EdgeKind.TcRedirect).Select(e => $"{e.From.Link.Name}->{e.To!.Link.Name}").Order();
        Assert.Equal(["eth0->vxlan1", "vxlan1->eth0"], redirects);

        var tunnel = t.Tunnel(Dev(t, "worker", "wkpod", "vxlan1"))!;
        Assert.Equal("podvm:podns:vxlan0", tunnel.Far!.ToString());
        Assert.Equal("worker", tunnel.Underlay!.ToString());
        Assert.Single(t.Edges, e => e.Kind == EdgeKind.Tunnel);
        Assert.Single(t.Segments);
        Assert.Equal("198.51.100.0/24", t.Segments[0].Subnet.ToString());
    }

    [Fact]
    public void Given_a_vni_mismatch_when_linked_then_the_tunnel_is_unmatched_with_the_reason()
    {
        var t = Linker.Link(PeerPodsModel.Build(farVni: 555006));

        var tunnel = t.Tunnel(Dev(t, "worker", "wkpod", "vxlan1"))!;
        Assert.Null(tunnel.Far);
        var miss = Assert.Single(tunnel.NearMisses);
        Assert.Contains("VNI 555006 ≠ 555005", miss.Reason);
        Assert.Contains(t.Assumptions, a => a.Text.Contains("tunnel far end does not match"));
    }

    [Fact]
    public void Given_one_tunnel_end_missing_when_linked_then_the_end_is_unresolved()
    {
        var snap = PeerPodsModel.Build();
        snap.Hosts.RemoveAt(1);

        var t = Linker.Link(snap);

        var edge = Assert.Single(t.Edges, e => e.Kind == EdgeKind.Tunnel);
        Assert.Null(edge.To);
        Assert.Contains("198.51.100.201 is not an address of any host", edge.Assumption);
    }

    [Fact]
    public void Given_a_link_netns_name_that_names_nothing_when_linked_then_the_ifindex_pair_decides()
    {
        var snap = PeerPodsModel.Build();
        var eth0 = snap.Hosts[0].FindNamespace("wkpod")!.FindLink("eth0")!;
        eth0.LinkNamespace = null;
        eth0.LinkNetnsId = null;
        eth0.LinkNetnsName = "no-such-ns";

        var t = Linker.Link(snap);

        var d = Dev(t, "worker", "wkpod", "eth0");
        Assert.Equal("8b7266486ea2861", t.VethPeer(d)!.Link.Name);
        Assert.Contains(t.Assumptions, a => a.Text.Contains("link-netns 'no-such-ns'") && a.Text.Contains("matched"));
    }

    [Fact]
    public void Given_duplicate_ifindexes_in_different_namespaces_when_linked_then_each_peer_is_its_own()
    {
        var b = new HostBuilder("h");
        var a = b.Ns("a");
        var c = b.Ns("c");
        var (x, y) = b.Veth(b.Root, "va", "02:00:00:00:00:01", a, "eth0", "02:00:00:00:00:02");
        var (p, q) = b.Veth(b.Root, "vc", "02:00:00:00:00:03", c, "eth0", "02:00:00:00:00:04");
        // the same ifindex in two namespaces, as container runtimes make them
        y.Index = 7; q.Index = 7; x.LinkIndex = 7; p.LinkIndex = 7;

        var t = Linker.Link(new Snapshot { Hosts = [b.Host] });

        Assert.Equal("a", t.VethPeer(Dev(t, "h", "root", "va"))!.Ns.Id);
        Assert.Equal("c", t.VethPeer(Dev(t, "h", "root", "vc"))!.Ns.Id);
        Assert.DoesNotContain(t.Assumptions, a => a.Text.Contains("veth"));
    }
}
