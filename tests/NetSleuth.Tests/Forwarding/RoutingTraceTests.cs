using NetSleuth.Forwarding;
using NetSleuth.Model;

namespace NetSleuth.Tests.Forwarding;

public sealed class RoutingTraceTests
{
    [Fact]
    public void Given_a_router_when_traced_then_delivered_both_ways_with_arp_simulated()
    {
        var m = new RouterModel();

        var r = m.Trace();

        Assert.True(r.Delivered);
        Assert.Equal(["h:c", "h:r", "h:s"], r.Forward.Hops.Select(h => h.Node));
        Assert.Equal("198.18.1.10", r.Forward.Flow.Source.ToString());
        var arp = r.Forward.Hops[0].Steps.OfType<ArpStep>().Single();
        Assert.Equal("h:r:r-c", arp.AnsweredBy);
        Assert.Equal(["h:s", "h:r", "h:c"], r.Reply!.Hops.Select(h => h.Node));
    }

    [Fact]
    public void Given_ip_forward_off_on_the_router_when_traced_then_forwarding_disabled_at_the_arrival_device()
    {
        var m = new RouterModel();
        m.R.Sysctls["net.ipv4.ip_forward"] = "0";

        var r = m.Trace();

        Assert.Equal(Disposition.ForwardingDisabled, r.Forward.Disposition);
        Assert.Equal("h:r:r-c", r.Forward.At);
        Assert.Null(r.Reply);
    }

    [Fact]
    public void Given_forwarding_unknown_when_traced_then_insufficient_info_names_the_sysctl_and_namespace()
    {
        var m = new RouterModel();
        m.R.Sysctls.Remove("net.ipv4.ip_forward");

        var r = m.Trace();

        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("run `sysctl net.ipv4.ip_forward` on host h (namespace r)", r.Forward.Missing!.ToString());
    }

    [Theory]
    [InlineData(RouteTypes.Blackhole, Disposition.Blackhole)]
    [InlineData(RouteTypes.Unreachable, Disposition.Unreachable)]
    [InlineData(RouteTypes.Prohibit, Disposition.Prohibited)]
    public void Given_a_special_route_on_the_router_when_traced_then_its_type_decides(string type, Disposition expected)
    {
        var m = new RouterModel();
        m.R.Routes.Add(new Route { Type = type, Destination = IpPrefix.Parse("198.18.2.0/25") });

        var r = m.Trace();

        Assert.Equal(expected, r.Forward.Disposition);
        Assert.Equal("h:r", r.Forward.At);
    }

    [Fact]
    public void Given_no_route_back_on_the_server_when_traced_then_the_reply_has_no_route()
    {
        var m = new RouterModel();
        m.S.Routes.RemoveAll(x => x.Destination.IsDefault);

        var r = m.Trace();

        Assert.True(r.Forward.Delivered);
        Assert.Equal(Disposition.NoRoute, r.Reply!.Disposition);
        Assert.Equal("h:s", r.Reply.At);
    }

    [Fact]
    public void Given_a_policy_rule_to_a_table_with_a_blackhole_when_traced_then_the_rule_decides()
    {
        var m = new RouterModel();
        m.R.Rules.Add(new Rule { Priority = 100, From = IpPrefix.Parse("198.18.1.0/24"), Table = 100 });
        m.R.Routes.Add(new Route { Type = RouteTypes.Blackhole, Destination = IpPrefix.Parse("198.18.2.20/32"), Table = 100 });

        var r = m.Trace();

        Assert.Equal(Disposition.Blackhole, r.Forward.Disposition);
        Assert.Contains(r.Forward.Hops[1].Steps.OfType<RuleStep>(), s => s.Priority == 100);
    }

    [Fact]
    public void Given_a_throw_route_in_the_rule_table_when_traced_then_lookup_continues_with_main()
    {
        var m = new RouterModel();
        m.R.Rules.Add(new Rule { Priority = 100, Table = 100 });
        m.R.Routes.Add(new Route { Type = RouteTypes.Throw, Destination = IpPrefix.Parse("198.18.2.0/24"), Table = 100 });

        var r = m.Trace();

        Assert.True(r.Forward.Delivered);
        Assert.Contains(r.Forward.Hops[1].Steps.OfType<RoutingStep>(), s => s.Decision.StartsWith("throw", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_suppress_prefixlength_0_when_only_a_default_route_matches_then_the_next_rule_is_used()
    {
        var m = new RouterModel();
        m.R.Rules.Add(new Rule { Priority = 100, Table = 100, SuppressPrefixLength = 0 });
        m.R.Routes.Add(new Route { Type = RouteTypes.Blackhole, Destination = IpPrefix.DefaultV4, Table = 100 });

        var r = m.Trace();

        Assert.True(r.Forward.Delivered);
    }

    [Fact]
    public void Given_a_blackhole_rule_when_traced_then_blackhole()
    {
        var m = new RouterModel();
        m.R.Rules.Add(new Rule { Priority = 50, To = IpPrefix.Parse("198.18.2.0/24"), Action = RouteTypes.Blackhole });

        Assert.Equal(Disposition.Blackhole, m.Trace().Forward.Disposition);
    }

    [Fact]
    public void Given_strict_rp_filter_and_an_asymmetric_return_route_when_traced_then_rp_filter_drops_at_arrival()
    {
        var m = new RouterModel();
        // the router reaches the client subnet through r-s instead of r-c
        m.R.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.1.10/32"), Device = "r-s" });
        m.R.Sysctls["net.ipv4.conf.all.rp_filter"] = "1";
        // the client knows the router's MAC (the router would not answer its ARP request: below)
        m.B.Neigh(m.C, "198.18.1.1", "eth0", "02:00:00:00:01:01", "REACHABLE");

        var r = m.Trace();

        Assert.Equal(Disposition.RpFilterDrop, r.Forward.Disposition);
        Assert.Equal("h:r:r-c", r.Forward.At);
    }

    [Fact]
    public void Given_strict_rp_filter_and_an_asymmetric_return_route_when_the_client_asks_arp_then_the_router_does_not_answer()
    {
        // arp_process answers only when ip_route_input(target, sender, dev) passes fib_validate_source: the route back
        // to the client leaves by r-s, not r-c, so the request is ignored and the client's packet dies NEIGH_FAILED
        var m = new RouterModel();
        m.R.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.1.10/32"), Device = "r-s" });
        m.R.Sysctls["net.ipv4.conf.all.rp_filter"] = "1";

        var r = m.Trace();

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Contains("rp_filter (strict) refuses the sender 198.18.1.10", r.Forward.Reason);
    }

    [Theory]
    [InlineData("0", Disposition.NeighborUnreachable, "h:c:eth0")]
    [InlineData("2", Disposition.RpFilterDrop, "h:r:r-c")]
    public void Given_a_source_off_the_link_when_the_client_asks_arp_then_arp_announce_picks_the_sender_rp_filter_judges(
        string announce, Disposition expected, string at)
    {
        // arp_solicit: with arp_announce 0 the packet's own source (local, but on no subnet of eth0's peer) is the ARP
        // sender, which the router's strict rp_filter refuses; with 2 eth0's own address asks, the router answers, and
        // the packet itself is dropped by rp_filter on arrival (bridge-pods' rp-filter lab, where n2 has arp_announce 2)
        var m = new RouterModel();
        m.B.Addr(m.C, m.Link(m.C, "eth0"), "198.18.9.10/24");
        m.C.Sysctls["net.ipv4.conf.all.arp_announce"] = announce;
        m.R.Sysctls["net.ipv4.conf.all.rp_filter"] = "1";

        var r = m.Trace(with: q => q with { Source = System.Net.IPAddress.Parse("198.18.9.10") });

        Assert.Equal(expected, r.Forward.Disposition);
        Assert.Equal(at, r.Forward.At);
        if (announce == "0") Assert.Contains("refuses the sender 198.18.9.10", r.Forward.Reason);
    }

    [Fact]
    public void Given_loose_rp_filter_and_an_asymmetric_return_route_when_traced_then_it_passes()
    {
        var m = new RouterModel();
        m.R.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.1.10/32"), Device = "r-s" });
        m.R.Sysctls["net.ipv4.conf.r-c.rp_filter"] = "2";

        Assert.Equal(Disposition.Delivered, m.Trace().Forward.Disposition);
    }

    [Fact]
    public void Given_a_packet_larger_than_the_out_mtu_with_df_when_traced_then_mtu_exceeded_at_the_router()
    {
        var m = new RouterModel();
        m.Link(m.R, "r-s").Mtu = 1400;

        var r = m.Trace(with: q => q with { Size = 1500 });

        Assert.Equal(Disposition.MtuExceeded, r.Forward.Disposition);
        Assert.Equal("h:r:r-s", r.Forward.At);
        Assert.True(m.Trace(with: q => q with { Size = 1400 }).Delivered);
    }

    [Fact]
    public void Given_a_router_route_pointing_back_when_traced_then_loop()
    {
        var m = new RouterModel();
        m.R.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.2.20/32"), Gateway = System.Net.IPAddress.Parse("198.18.1.10"), Device = "r-c" });
        m.C.Sysctls["net.ipv4.ip_forward"] = "1";

        var r = m.Trace();

        Assert.Equal(Disposition.Loop, r.Forward.Disposition);
    }

    [Fact]
    public void Given_a_failed_neighbour_and_nobody_answering_when_traced_then_neighbor_unreachable()
    {
        var m = new RouterModel();
        m.R.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.2.20/32"), Gateway = System.Net.IPAddress.Parse("198.18.2.99"), Device = "r-s" });
        m.B.Neigh(m.R, "198.18.2.99", "r-s", null, "FAILED");

        var r = m.Trace();

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Contains("h:s:eth0", r.Forward.Reason);
    }

    [Fact]
    public void Given_a_stale_permanent_neighbour_with_a_wrong_mac_when_traced_then_dropped_other_host_at_the_receiver()
    {
        var m = new RouterModel();
        m.B.Neigh(m.R, "198.18.2.20", "r-s", "02:00:5e:10:00:99");

        var r = m.Trace();

        Assert.Equal(Disposition.DroppedOtherHost, r.Forward.Disposition);
        Assert.Equal("h:s:eth0", r.Forward.At);
        Assert.Contains("02:00:5e:10:00:99", r.Forward.Reason);
    }

    [Fact]
    public void Given_a_down_server_device_when_traced_then_link_down_names_it()
    {
        var m = new RouterModel();
        var eth0 = m.Link(m.S, "eth0");
        eth0.Flags.Remove("UP");
        eth0.Flags.Remove("LOWER_UP");
        var rs = m.Link(m.R, "r-s");
        rs.Flags.Remove("LOWER_UP");
        rs.Flags.Add("NO-CARRIER");

        var r = m.Trace();

        Assert.Equal(Disposition.LinkDown, r.Forward.Disposition);
        Assert.Equal("h:s:eth0", r.Forward.At);
    }

    [Fact]
    public void Given_multipath_when_traced_then_the_choice_is_stated()
    {
        var m = new RouterModel();
        m.R.Routes.Add(new Route
        {
            Destination = IpPrefix.Parse("198.18.2.20/32"),
            NextHops = [new NextHop { Device = "r-s" }, new NextHop { Device = "r-c" }],
        });

        var r = m.Trace();

        Assert.True(r.Forward.Delivered);
        Assert.Contains(r.Forward.Assumptions, a => a.Contains("multipath") && a.Contains("dev r-s"));
    }
}
