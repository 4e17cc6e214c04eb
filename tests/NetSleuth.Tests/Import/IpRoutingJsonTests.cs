using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

public sealed class IpRoutingJsonTests
{
    [Fact]
    public void Given_route_show_table_all_When_parsed_Then_every_table_and_both_families_are_read()
    {
        var (ns, log) = Fixture.Parse("wk.ip-j-d-route-table-all.json", "ip -j -d route show table all");

        Assert.Empty(log.Warnings);
        var t100 = ns.Routes.Single(r => r.Destination == IpPrefix.Parse("203.0.113.0/24"));
        Assert.Equal((100u, IPAddress.Parse("198.18.2.46"), "ovn-k8s-mp0"), (t100.Table, t100.Gateway, t100.Device));
        var mp = ns.Routes.Single(r => r.Destination == IpPrefix.Parse("198.18.50.0/24"));
        Assert.Null(mp.Device);
        Assert.Equal([("ens3", 2), ("ovn-k8s-mp0", 1)], mp.NextHops.Select(h => (h.Device!, h.Weight ?? 0)));
        Assert.Equal(RouteTypes.Blackhole, ns.Routes.Single(r => r.Destination == IpPrefix.Parse("198.18.60.0/24")).Type);
        var v6 = ns.Routes.Single(r => r.Destination == IpPrefix.Parse("2001:db8::/64"));
        Assert.Equal((100u, "br-int", (uint?)1024), (v6.Table, v6.Device, v6.Metric));
        Assert.Contains(ns.Routes, r => r.Type == RouteTypes.Local && r.Table == RouteTables.Local && r.Destination == IpPrefix.Parse("198.51.100.163/32"));
        Assert.Contains(ns.Routes, r => !r.IsV4 && r.Type == RouteTypes.Multicast);
        Assert.Equal(["routes-all-tables", "routes4", "routes6"], ns.Known);
    }

    [Fact]
    public void Given_plain_route_show_When_parsed_Then_only_main_ipv4_is_known()
    {
        var (ns, _) = Fixture.Parse("wk.ip-j-route.json", "ip -j route show");

        Assert.All(ns.Routes, r => Assert.Equal(RouteTables.Main, r.Table));
        Assert.Contains(ns.Routes, r => r.Destination == IpPrefix.Parse("198.18.2.0/23") && r.PrefSrc!.Equals(IPAddress.Parse("198.18.2.2")));
        Assert.Equal(["routes4"], ns.Known);
    }

    [Fact]
    public void Given_ipv6_route_show_When_parsed_Then_default_like_destinations_are_ipv6()
    {
        var (ns, _) = Fixture.Parse("wk.ip-6-j-route-table-all.json", "ip -6 -j route show table all");

        Assert.NotEmpty(ns.Routes);
        Assert.All(ns.Routes, r => Assert.False(r.IsV4));
        Assert.Contains(Sections.Routes6, ns.Known);
        Assert.DoesNotContain(Sections.Routes4, ns.Known);
    }

    [Fact]
    public void Given_rules_with_port_ranges_When_parsed_Then_ranges_and_single_ports_are_read()
    {
        var (ns, _) = Fixture.Parse("ports.ip-j-rule.json", "ip -j rule show");

        var range = ns.Rules.Single(r => r.Table == 100);
        Assert.Equal(("1000-2000", "53", 17), (range.SPortRange, range.DPortRange, range.IpProto));
        var single = ns.Rules.Single(r => r.Table == 101);
        Assert.Equal(("7", "8000-8080"), (single.SPortRange, single.DPortRange));
    }

    [Fact]
    public void Given_rules_When_parsed_Then_selectors_and_actions_are_read()
    {
        var (ns, log) = Fixture.Parse("wk.ip-j-rule.json", "ip -j rule show");

        Assert.Empty(log.Warnings);
        Assert.Equal([0, 1000, 1100, 1200, 1300, 1400, 32766, 32767], ns.Rules.Select(r => r.Priority));
        var from = ns.Rules.Single(r => r.Priority == 1000);
        Assert.Equal((IpPrefix.Parse("198.18.2.0/23"), 100u, "to_tbl"), (from.From!.Value, from.Table!.Value, from.Action));
        var mark = ns.Rules.Single(r => r.Priority == 1100);
        Assert.Equal((0x10u, 0xffu), (mark.Fwmark!.Value, mark.FwmarkMask!.Value));
        var gotoRule = ns.Rules.Single(r => r.Priority == 1200);
        Assert.True(gotoRule.Not);
        Assert.Equal(("goto", 32766u, "br-int", IpPrefix.Parse("203.0.113.0/24")), (gotoRule.Action, gotoRule.GotoTarget!.Value, gotoRule.Iif!, gotoRule.To!.Value));
        Assert.Equal("unreachable", ns.Rules.Single(r => r.Priority == 1300).Action);
        var sup = ns.Rules.Single(r => r.Priority == 1400);
        Assert.Equal((17, "4789", 0, RouteTables.Main), (sup.IpProto!.Value, sup.DPortRange!, sup.SuppressPrefixLength!.Value, sup.Table!.Value));
        Assert.All(ns.Rules, r => Assert.Equal("inet", r.Family));
        Assert.Equal(["rules4"], ns.Known);
    }

    [Fact]
    public void Given_ipv6_rules_When_parsed_Then_they_are_inet6()
    {
        var (ns, _) = Fixture.Parse("wk.ip-6-j-rule.json", "ip -6 -j rule show");

        Assert.All(ns.Rules, r => Assert.Equal("inet6", r.Family));
        Assert.Equal(IpPrefix.Parse("2001:db8::/64"), ns.Rules.Single(r => r.Priority == 1001).From);
        Assert.Equal(["rules6"], ns.Known);
    }

    [Fact]
    public void Given_neighbours_When_parsed_Then_state_router_and_proxy_flags_are_read()
    {
        var (ns, _) = Fixture.Parse("wk.ip-j-neigh-nud-all.json", "ip -j neigh show nud all");
        Fixture.Parse("wk.ip-j-neigh-proxy.json", "ip -j neigh show proxy", ns);

        var perm = ns.Neighbors.Single(n => n.Address.Equals(IPAddress.Parse("198.18.2.46")));
        Assert.Equal((MacAddress.Parse("0a:58:0a:84:02:2e"), "ovn-k8s-mp0"), (perm.Mac!.Value, perm.Device));
        Assert.Equal(["PERMANENT"], perm.State);
        Assert.True(ns.Neighbors.Single(n => n.Address.Equals(IPAddress.Parse("198.51.100.9"))).Router);
        var proxy = ns.Neighbors.Single(n => n.Proxy);
        Assert.Equal(IPAddress.Parse("198.18.2.99"), proxy.Address);
        Assert.Null(proxy.Mac);
        Assert.Contains(Sections.Neighbors, ns.Known);
    }

    [Fact]
    public void Given_bridge_fdb_When_parsed_Then_vxlan_remote_entries_and_bridge_entries_are_read()
    {
        var (pod, _) = Fixture.Parse("wkpod.bridge-j-fdb.json", "bridge -j fdb show");
        var vx = pod.Fdb.Single(f => f.Device == "vxlan1");
        Assert.Equal((MacAddress.Zero, IPAddress.Parse("198.51.100.201")), (vx.Mac, vx.Dst!));
        Assert.Contains("permanent", vx.Flags);
        Assert.Contains("self", vx.Flags);

        var (wk, _) = Fixture.Parse("wk.bridge-j-fdb.json", "bridge -j fdb show");
        Assert.Contains(wk.Fdb, f => f.Master == "br-int" && f.Device == "8b7266486ea2861");
        Assert.Equal(["fdb"], wk.Known);
    }

    [Fact]
    public void Given_netns_list_id_When_parsed_Then_ids_keep_the_names_iproute2_printed()
    {
        var (ns, _) = Fixture.Parse("wk.ip-j-netns-list-id.json", "ip -j netns list-id");

        Assert.Equal([new NetnsIdEntry(0, "ncolxvm"), new NetnsIdEntry(1, "ncolxwkpod")], ns.NetnsIds);
        Assert.Equal(["netns-ids"], ns.Known);
    }
}
