using System.Net;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class NeighborAndTcTests
{
    [Fact]
    public void Ip_neigh_reads_states_router_and_proxy()
    {
        var (ns, _) = Parse("ip neigh", "kinds/ip_neigh.txt");
        Neighbor N(string a) => ns.Neighbors.Single(n => n.Address.Equals(IPAddress.Parse(a)));
        Assert.Equal(["PERMANENT"], N("203.0.113.1").State);
        Assert.True(N("203.0.113.3").Router);
        Assert.Equal(["INCOMPLETE"], N("203.0.113.20").State);
        Assert.Null(N("203.0.113.20").Mac);
        Assert.True(N("2001:db8:1::1").Router);
        Assert.Contains(Sections.Neighbors, ns.Known);
        var (proxy, _) = Parse("ip neigh show proxy", "kinds/ip_neigh_show_proxy.txt");
        Assert.True(proxy.Neighbors.Single().Proxy);
        Assert.DoesNotContain(Sections.Neighbors, proxy.Known);
    }

    [Fact]
    public void The_mission_neighbour_entry_holds_the_pod_eth0_mac()
    {
        var (ns, _) = Parse("ip neigh", "worker/ip_neigh.txt");
        var n = ns.Neighbors.Single(x => x.Address.Equals(IPAddress.Parse("198.18.2.46")));
        Assert.Equal(("ovn-k8s-mp0", "0a:58:0a:84:02:2e"), (n.Device, n.Mac.ToString()));
    }

    [Theory]
    [InlineData("arp -a", "kinds/arp_-a.txt")]
    [InlineData("arp -n", "kinds/arp_-n.txt")]
    public void Arp_both_formats_agree_with_ip_neigh(string command, string fixture)
    {
        var (ns, host) = Parse(command, fixture);
        Assert.Empty(host.Warnings);
        Neighbor N(string a) => ns.Neighbors.Single(n => n.Address.Equals(IPAddress.Parse(a)) && !n.Proxy);
        Assert.Equal("02:00:00:00:00:01", N("203.0.113.1").Mac.ToString());
        Assert.Contains("PERMANENT", N("203.0.113.1").State);
        Assert.Contains("INCOMPLETE", N("203.0.113.20").State);
        Assert.True(ns.Neighbors.Single(n => n.Address.Equals(IPAddress.Parse("203.0.113.99"))).Proxy);
        Assert.DoesNotContain(Sections.Neighbors, ns.Known); // arp shows no IPv6
    }

    [Fact]
    public void Bridge_fdb_reads_vxlan_remotes_and_masters()
    {
        var (ns, _) = Parse("bridge fdb show", "kinds/bridge_fdb_show.txt");
        var e = ns.Fdb.Single(f => f.Mac.ToString() == "02:11:22:33:44:55");
        Assert.Equal(("vx9", IPAddress.Parse("203.0.113.21")), (e.Device, e.Dst));
        Assert.Contains("self", e.Flags);
        Assert.Contains(ns.Fdb, f => f.Mac.IsZero && f.Dst!.Equals(IPAddress.Parse("203.0.113.20")));
        Assert.Equal("br0", ns.Fdb.First(f => f.Device == "vethA" && f.Flags.Count == 0).Master);
        Assert.Contains(Sections.Fdb, ns.Known);
    }

    [Fact]
    public void Mission_tc_filter_is_a_match_all_mirred_redirect()
    {
        var (ns, _) = Parse("ip netns exec pod tc filter show dev eth0 ingress", "pod/tc_filter_show_dev_eth0_ingress.txt");
        var f = ns.Filters.Single();
        Assert.Equal(("eth0", "ingress", "u32", true), (f.Device, f.Direction, f.Kind, f.MatchesAll!.Value));
        var a = f.Actions.Single();
        Assert.Equal(("mirred", "egress", "redirect", "vxlan1", "stolen"), (a.Kind, a.MirredDirection, a.MirredAction, a.TargetDevice, a.Control));
        // `dev eth0 root` prints the same ingress filter: the line's parent decides the direction
        var (root, _) = Parse("tc filter show dev eth0 root", "pod/tc_filter_show_dev_eth0_root.txt");
        Assert.Equal("ingress", root.Filters.Single().Direction);
    }

    [Fact]
    public void Clsact_u32_with_keys_and_mirror_to_ingress()
    {
        var (ns, _) = Parse("tc filter show dev vethA ingress", "kinds/tc_filter_show_dev_vethA_ingress.txt");
        var f = ns.Filters.Single();
        Assert.False(f.MatchesAll);
        Assert.Equal(("ingress", "redirect", "vethB"), (f.Actions[0].MirredDirection, f.Actions[0].MirredAction, f.Actions[0].TargetDevice));
        var (eg, _) = Parse("tc filter show dev vethA egress", "kinds/tc_filter_show_dev_vethA_egress.txt");
        Assert.Equal(("egress", "mirror", "pipe"), (eg.Filters.Single().Direction, eg.Filters[0].Actions[0].MirredAction, eg.Filters[0].Actions[0].Control));
    }

    [Fact]
    public void Flower_matchall_gact_and_old_u32_format_from_public_samples()
    {
        var (hw, _) = Parse("tc -s filter show dev enp0s16np28 ingress", "public/netdev-hw-stats_tc_-s_filter_show_dev_enp0s16np28_ingress.txt");
        var f = hw.Filters.Single();
        Assert.Equal(("flower", false, "drop"), (f.Kind, f.MatchesAll!.Value, f.Actions.Single().Control));
        var (l2, _) = Parse("tc filter show dev swp2 egress", "public/netdev-l2miss_tc_filter_show_dev_swp2_egress.txt");
        Assert.Equal(2, l2.Filters.Count);
        Assert.All(l2.Filters, x => Assert.Equal("egress", x.Direction));
        var (ma, _) = Parse("tc filter show dev dummy1 ingress", "public/netdev-qevent_tc_filter_show_dev_dummy1_ingress.txt");
        Assert.Equal(("matchall", true, "0x66"), (ma.Filters.Single().Kind, ma.Filters[0].MatchesAll!.Value, ma.Filters[0].Handle));
        var (old, _) = Parse("tc filter show dev eth0 parent ffff:", "public/iproute2-gact-usage_tc_filter_show_dev_eth0_parent_ffff.txt");
        var u = old.Filters.Single();
        Assert.Equal(("u32", "ingress", false, "drop"), (u.Kind, u.Direction, u.MatchesAll!.Value, u.Actions.Single().Control));
    }

    [Fact]
    public void Qdiscs_read_ingress_and_clsact_parents()
    {
        var (ns, _) = Parse("tc qdisc show", "kinds/tc_qdisc_show.txt");
        Assert.Equal("ingress", ns.Qdiscs.Single(q => q.Device == "dum0" && q.Kind == "ingress").Parent);
        Assert.Equal("clsact", ns.Qdiscs.Single(q => q.Kind == "clsact").Parent);
        Assert.Equal("root", ns.Qdiscs.First(q => q.Device == "lo").Parent);
    }

    [Fact]
    public void Netns_list_id_and_list_name_namespaces()
    {
        var b = new NetSleuth.Import.HostBuilder("h");
        var pod = Apply(b, "ip netns exec pod ip netns list-id", "pod/ip_netns_list-id.txt");
        Assert.Equal(new NetnsIdEntry(0, "nimp-cap-wk"), pod.NetnsIds.Single());
        Apply(b, "ip netns", "host/ip_netns.txt");
        Assert.Contains(b.Host.Namespaces, n => n.Id == "nimp-cap-vmpod" && n.Name == "nimp-cap-vmpod");
    }
}

public sealed class NeighborConflictTests
{
    [Fact]
    public void Two_readings_of_one_neighbour_with_different_macs_are_said_with_both_lines()
    {
        // the shape of a flapping entry as users paste it: `arp -an` run twice a few seconds apart
        var snapshot = LoadText("""
            [root@node1 ~]# arp -an
            ? (10.244.1.7) at 3a:1f:5c:9e:02:11 [ether] on cni0
            ? (10.244.1.1) at 52:54:00:12:34:56 [ether] on cni0
            [root@node1 ~]# arp -an
            ? (10.244.1.7) at 9e:4b:77:10:c2:08 [ether] on cni0
            ? (10.244.1.1) at 52:54:00:12:34:56 [ether] on cni0
            """);
        var host = snapshot.Hosts.Single();
        var ns = host.Namespaces.Single();
        Assert.Equal("9e:4b:77:10:c2:08", ns.Neighbors.Single(n => n.Address.ToString() == "10.244.1.7").Mac.ToString());
        var w = Assert.Single(host.Warnings, x => x.Message.Contains("both readings are kept", StringComparison.Ordinal));
        Assert.Equal(5, w.Source!.Line);
        Assert.Contains("but 3a:1f:5c:9e:02:11 at ", w.Message, StringComparison.Ordinal);
        Assert.Contains("transcript.txt:2;", w.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Warnings, x => x.Message.Contains("10.244.1.1", StringComparison.Ordinal));
        // both readings are in the model: the earlier one with its line
        var earlier = Assert.Single(ns.Neighbors.Single(n => n.Address.ToString() == "10.244.1.7").EarlierReadings);
        Assert.Equal(("3a:1f:5c:9e:02:11", 2), (earlier.Mac.ToString(), earlier.Source!.Line));
        Assert.Empty(ns.Neighbors.Single(n => n.Address.ToString() == "10.244.1.1").EarlierReadings);
    }
}
