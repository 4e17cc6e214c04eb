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
    [Fact]
    public void Given_many_veths_whose_peers_are_on_other_hosts_When_linked_Then_each_finds_its_peer_on_the_first_host_that_holds_it()
    {
        // lab "hosts" are groups of namespaces of one machine: a veth's link-netns name may name a namespace of another group.
        // Each host takes the first of its namespaces with that name (and a device); the hosts are tried in input order.
        // Enough such veths that the linker indexes the namespaces by name (from the third) rather than scanning them.
        const int pairs = 6;
        var builders = Enumerable.Range(0, pairs + 1).Select(i => new HostBuilder($"g{i}")).ToList();
        var expected = new List<(string Host, string Ns, string Dev, string PeerHost, string PeerNs)>();
        for (int i = 0; i < pairs; i++)
        {
            var near = builders[i];
            var farB = builders[i + 1];
            // a decoy on the last group: a namespace of the same name, empty (no device), listed first
            var decoy = new NetNamespace { Id = $"peer{i}-empty", Name = $"peer{i}" };
            builders[pairs].Host.Namespaces.Insert(1, decoy);
            var a = near.Ns($"pod{i}");
            var b = farB.Ns($"peer{i}");
            var la = near.Dev(a, $"ve{i}", LinkKinds.Veth, $"02:00:00:00:{i:x2}:01", index: 40 + i);
            var lb = farB.Dev(b, $"vp{i}", LinkKinds.Veth, $"02:00:00:00:{i:x2}:02", index: 60 + i);
            la.LinkIndex = lb.Index;
            lb.LinkIndex = la.Index;
            la.LinkNetnsName = b.Name;
            lb.LinkNetnsName = a.Name;
            expected.Add((near.Host.Name, a.Id, la.Name, farB.Host.Name, b.Id));
        }
        // an earlier group (g1, before the near g2 and the far g3) has two namespaces named as the third pair's peer: the first
        // with a device of another index, the second with a device that would do. The host's first is tried and the host
        // passed over (the kernel's answer is on g3; a lab group names each namespace once)
        var early = builders[1].Ns("peer2");
        builders[1].Dev(early, "other2", LinkKinds.Veth, "02:00:00:00:ff:01", index: 99);
        var twin = new NetNamespace { Id = "peer2-twin", Name = "peer2" };
        builders[1].Host.Namespaces.Add(twin);
        var lure = builders[1].Dev(twin, "lure2", LinkKinds.Veth, "02:00:00:00:ff:02", index: 62);
        lure.LinkIndex = 42;
        lure.LinkNetnsName = "pod2";

        var t = Linker.Link(new Snapshot { Hosts = builders.Select(b => b.Host).ToList() });

        foreach (var (host, ns, dev, peerHost, peerNs) in expected)
        {
            var peer = t.VethPeer(Dev(t, host, ns, dev));
            Assert.NotNull(peer);
            Assert.Equal((peerHost, peerNs), (peer!.Host.Name, peer.Ns.Id));
        }
    }
}
