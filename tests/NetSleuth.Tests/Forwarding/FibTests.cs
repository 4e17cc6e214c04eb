using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Diagnosis;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// The one FIB the tracer and the checks share, on the points where the copies it replaced disagreed:
/// goto rules, suppress_prefixlength, dead and linkdown next hops (fib_rules_lookup / fib_table_lookup).
/// </summary>
public sealed class FibTests
{
    private static readonly IPAddress Far = IPAddress.Parse("203.0.113.18");

    private static FibResult Lookup(RoutedModel m, IPAddress dst)
    {
        var t = Linker.Link(m.Snapshot);
        var host = t.FindHost("node1")!;
        return Fib.Lookup(t, new NsRef(host, host.Root!), dst);
    }

    [Fact]
    public void Given_a_goto_rule_when_looked_up_then_the_rules_it_jumps_over_are_not_consulted()
    {
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        n1.Rules.Add(new Rule { Priority = 100, Action = "goto", GotoTarget = 300 });
        n1.Rules.Add(new Rule { Priority = 200, Action = RouteTypes.Blackhole });

        var r = Lookup(m, Far);

        Assert.False(r.Blackholes);
        Assert.Equal("203.0.113.2", r.Gateway?.ToString());
    }

    [Fact]
    public void Given_suppress_prefixlength_0_on_main_when_looked_up_then_the_default_route_falls_through_to_the_next_rule()
    {
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        n1.Rules.Add(new Rule { Priority = 100, Table = RouteTables.Main, SuppressPrefixLength = 0 });
        n1.Rules.Add(new Rule { Priority = 200, Table = 100 });
        m.Node1.Route(n1, "default", "198.18.10.11", "br0", table: 100);

        var r = Lookup(m, Far);

        Assert.Equal(100u, r.Table);
        Assert.Equal("198.18.10.11", r.Gateway?.ToString());
        // a more specific main route is not suppressed
        Assert.Equal(RouteTables.Main, Lookup(m, IPAddress.Parse("203.0.113.5")).Table);
    }

    [Fact]
    public void Given_a_linkdown_route_when_looked_up_then_it_is_used_unless_the_device_ignores_linkdown_routes()
    {
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        n1.Routes.Single(r => r.Destination.IsDefault).Flags.Add("linkdown");

        Assert.Equal("203.0.113.2", Lookup(m, Far).Gateway?.ToString());

        n1.Sysctls["net.ipv4.conf.eth1.ignore_routes_with_linkdown"] = "1";
        Assert.False(Lookup(m, Far).Found);
    }

    [Fact]
    public void Given_a_dead_route_when_looked_up_then_it_is_skipped_for_a_less_specific_one()
    {
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        m.Node1.Route(n1, "203.0.113.16/28", "198.18.10.11", "br0").Flags.Add("dead");

        Assert.Equal("203.0.113.2", Lookup(m, Far).Gateway?.ToString());
    }

    [Fact]
    public void Given_a_blackhole_rule_when_the_checks_and_the_tracer_ask_then_both_see_the_same_drop()
    {
        var m = new RoutedModel();
        m.Node1.Root.Rules.Add(new Rule { Priority = 100, To = IpPrefix.Parse("203.0.113.16/28"), Action = RouteTypes.Prohibit });

        var r = Lookup(m, Far);
        var trace = Tracer.Trace(Linker.Link(m.Snapshot), new TraceRequest("node1", null, null, Far));

        Assert.True(r.Blackholes);
        Assert.Equal(RouteTypes.Prohibit, r.Rule?.Action);
        Assert.Equal(Disposition.Prohibited, trace.Forward.Disposition);
    }

    [Fact]
    public void Given_a_table_large_enough_to_be_indexed_when_looked_up_then_it_answers_as_a_scan_does()
    {
        // 40 routes in main (past the size from which a table is indexed): longest prefix first, the lower
        // metric among equals, the first listed on a tie
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        for (int i = 0; i < 36; i++) m.Node1.Route(n1, $"198.19.{i}.0/24", "203.0.113.2", "eth0");
        m.Node1.Route(n1, "198.19.7.0/25", "203.0.113.3", "eth0").Metric = 20;
        m.Node1.Route(n1, "198.19.7.0/25", "203.0.113.4", "eth0").Metric = 10;
        m.Node1.Route(n1, "198.19.8.0/25", "203.0.113.5", "eth0").Metric = 10;
        m.Node1.Route(n1, "198.19.8.0/25", "203.0.113.6", "eth0").Metric = 10;

        Assert.Equal("203.0.113.4", Lookup(m, IPAddress.Parse("198.19.7.9")).Gateway?.ToString());
        Assert.Equal("203.0.113.2", Lookup(m, IPAddress.Parse("198.19.7.200")).Gateway?.ToString());
        Assert.Equal("203.0.113.5", Lookup(m, IPAddress.Parse("198.19.8.1")).Gateway?.ToString());
        Assert.Equal("203.0.113.2", Lookup(m, Far).Gateway?.ToString()); // the default route
    }
}
