using NetSleuth.Model;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>The topology is frozen when linking ends: its indexes are made then and answer as the edges and the
/// model say; nothing is linked after that.</summary>
public sealed class FrozenTopologyTests
{
    [Fact]
    public void Given_a_linked_topology_When_an_edge_is_added_Then_it_is_refused()
    {
        var t = Linker.Link(PeerPodsModel.Build());
        var d = t.Devices.First();

        Assert.True(t.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => Linker.AddEdge(t, new Edge(EdgeKind.Veth, d, d, "late")));
    }

    [Fact]
    public void Given_the_frozen_edge_index_When_asked_Then_it_answers_as_the_edge_lists_do()
    {
        var t = Linker.Link(PeerPodsModel.Build());

        foreach (var d in t.Devices)
        {
            var peer = t.EdgesFrom(d).FirstOrDefault(e => e.Kind == EdgeKind.Veth && e.To is not null)?.To
                ?? t.EdgesTo(d).FirstOrDefault(e => e.Kind == EdgeKind.Veth)?.From;
            Assert.Equal(peer, t.VethPeer(d));
            var bridge = t.EdgesFrom(d).FirstOrDefault(e => e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort && e.To is not null)?.To;
            Assert.Equal(bridge, t.BridgeOf(d));
            var ports = t.EdgesTo(d).Where(e => e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort).Select(e => e.From).ToList();
            Assert.Equal(ports, t.PortList(d));
        }
    }

    [Fact]
    public void Given_addresses_on_both_sides_of_128_0_0_0_When_asked_by_prefix_Then_each_range_gets_its_own_in_address_order()
    {
        // 192.168/16 sorts above 10/8 only when the keys are unsigned; a signed sort would put it first and
        // the binary search would miss the 10/8 range
        var b = new HostBuilder("h");
        var root = b.Root;
        var eth0 = b.Dev(root, "eth0", null, "02:00:00:00:01:01", index: 2);
        b.Addr(root, eth0, "192.168.1.10/24");
        var p1 = b.Ns("p1");
        var p2 = b.Ns("p2");
        var (_, e1) = b.Veth(root, "v1", "02:00:00:00:00:01", p1, "eth0", "02:00:00:00:00:02");
        var (_, e2) = b.Veth(root, "v2", "02:00:00:00:00:03", p2, "eth0", "02:00:00:00:00:04");
        b.Addr(p1, e1, "10.128.0.9/24");
        b.Addr(p2, e2, "10.128.0.5/24");

        var t = Linker.Link(new Snapshot { Hosts = [b.Host] });

        Assert.Equal(["10.128.0.5", "10.128.0.9"], t.AddressesIn(IpPrefix.Parse("10.128.0.0/9")).Select(x => x.Address.Address.ToString()));
        Assert.Equal(["192.168.1.10"], t.AddressesIn(IpPrefix.Parse("192.168.0.0/16")).Select(x => x.Address.Address.ToString()));
        Assert.Equal(["10.128.0.9"], t.AddressesIn(IpPrefix.Parse("10.128.0.9/32")).Select(x => x.Address.Address.ToString()));
        Assert.Equal(3, t.AddressesIn(IpPrefix.Parse("0.0.0.0/0")).Count());
    }
}
