using System.Net;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class RoutingParserTests
{
    [Fact]
    public void Table_all_reads_every_type_table_multipath_and_flags()
    {
        var (ns, host) = Parse("ip route show table all", "kinds/ip_route_show_table_all.txt");
        Assert.Empty(host.Warnings);
        Route R(string type, string dst, uint table = RouteTables.Main) =>
            ns.Routes.Single(r => r.Type == type && r.Destination.ToRouteString() == dst && r.Table == table);
        Assert.Equal(1400, R("unicast", "default", 100).Mtu);
        R("throw", "198.18.65.0/24", 100);
        R("blackhole", "198.18.62.0/24");
        R("unreachable", "198.18.63.0/24");
        R("prohibit", "198.18.64.0/24");
        Assert.Equal("host", R("local", "198.18.50.1", RouteTables.Local).Scope);
        R("broadcast", "198.18.50.255", RouteTables.Local);
        var mp = R("unicast", "198.18.61.0/24");
        Assert.Equal(2, mp.NextHops.Count);
        Assert.Equal(IPAddress.Parse("198.18.50.2"), mp.NextHops[1].Gateway);
        Assert.Equal(2, mp.NextHops[1].Weight);
        Assert.Contains("onlink", R("unicast", "198.18.66.0/24").Flags);
        Assert.Contains("linkdown", R("unicast", "198.18.67.0/24").Flags);
        var st = R("unicast", "198.18.60.0/24");
        Assert.Equal(("static", (uint?)100, "dum0"), (st.Protocol, st.Metric, st.Device));
        Assert.Equal(IPAddress.Parse("203.0.113.10"), R("unicast", "203.0.113.0/24").PrefSrc);
        Assert.Equal(50u, R("unicast", "2001:db8:2::/64").Metric);
        Assert.Equal(8, ns.Routes.Count(r => r.Type == "multicast" && r.Table == RouteTables.Local));
        Assert.Equal(new[] { Sections.AllTables, Sections.Routes4, Sections.Routes6 }, ns.Known.Intersect([Sections.Routes4, Sections.Routes6, Sections.AllTables]).Order());
    }

    [Fact]
    public void Plain_ip_route_knows_ipv4_main_only_and_dev_selector_is_partial()
    {
        var (ns, _) = Parse("ip r", "kinds/ip_route.txt");
        Assert.Contains(Sections.Routes4, ns.Known);
        Assert.DoesNotContain(Sections.Routes6, ns.Known);
        Assert.DoesNotContain(Sections.AllTables, ns.Known);
        var (dev, _) = Parse("ip route show dev dum0", "kinds/ip_route.txt");
        Assert.Empty(dev.Known);
    }

    [Fact]
    public void Old_double_spaced_routes_parse()
    {
        var (ns, _) = Parse("ip route", "public/docker-ipvlan_ip_route.txt");
        var r = ns.Routes.Single(x => !x.Destination.IsDefault);
        Assert.Equal(("kernel", "link", "eth0"), (r.Protocol, r.Scope, r.Device));
        Assert.Equal(IPAddress.Parse("192.168.140.2"), r.PrefSrc);
        var (v6, _) = Parse("ip -6 route", "public/docker-ipvlan_ip_-6_route.txt");
        var def = v6.Routes.Single(x => x.Destination.IsDefault);
        Assert.False(def.IsV4);
        Assert.Equal(1024u, def.Metric);
        Assert.Contains(Sections.Routes6, v6.Known);
    }

    [Fact]
    public void Rules_read_selectors_and_actions()
    {
        var (ns, _) = Parse("ip rule", "kinds/ip_rule.txt");
        Rule P(int prio) => ns.Rules.Single(r => r.Priority == prio);
        Assert.Equal(RouteTables.Local, P(0).Table);
        Assert.Equal(100u, P(100).Table);
        Assert.Equal("198.18.50.0/24", P(100).From.ToString());
        Assert.Equal(("dum0", "198.18.70.0/24", RouteTables.Main), (P(200).Iif, P(200).To.ToString(), P(200).Table));
        Assert.Equal((0x10u, 0xffu), (P(300).Fwmark!.Value, P(300).FwmarkMask!.Value));
        Assert.True(P(400).Not);
        Assert.Equal("prohibit", P(400).Action);
        Assert.Contains(Sections.Rules4, ns.Known);
        var (v6, _) = Parse("ip -6 rule", "kinds/ip_-6_rule.txt");
        Assert.All(v6.Rules, r => Assert.Equal("inet6", r.Family));
        Assert.Contains(Sections.Rules6, v6.Known);
    }

    [Fact]
    public void Route_get_is_a_lookup_not_a_route_and_errors_are_warnings()
    {
        var (ns, _) = Parse("ip route get 198.18.2.46", "worker/ip_route_get_198.18.2.46.txt");
        Assert.Empty(ns.Routes);
        var l = ns.RouteLookups.Single();
        Assert.Equal(("ovn-k8s-mp0", "198.18.2.2"), (l.Device, l.PrefSrc!.ToString()));
        var (err, host) = Parse("ip route get 198.18.61.5", "kinds/ip_route_get_198.18.61.5.txt");
        Assert.Empty(err.RouteLookups);
        Assert.Contains(host.Warnings, w => w.Message.Contains("Permission denied") && w.Source!.Line == 1);
    }
}
