using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Diagnosis;
using NetSleuth.Tests.Import;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// `ip rule` flow selectors (ipproto, sport/dport ranges, uidrange) as fib_rule_match tests them, on rules captured
/// from iproute2 (Fixtures/iproute2/rules): honoured when the packet has them, and when it does not say (no port
/// given, the uid of a local sender) the lookup says which rule it could not decide and passes over it.
/// </summary>
public sealed class RuleFlowSelectorTests
{
    private static readonly IPAddress Far = IPAddress.Parse("203.0.113.18");

    /// <summary>node1 of the routed model with the captured rules and a default route in each of tables 100–103.</summary>
    private static (NetSleuth.Topology.Topology T, NsRef Ns) Model()
    {
        var m = new RoutedModel();
        var n1 = m.Node1.Root;
        var (parsed, _) = ImportTestKit.Parse("ip rule", Path.Combine("rules", "ip_rule_flow_selectors.txt"));
        n1.Rules.AddRange(parsed.Rules);
        for (uint t = 100; t <= 103; t++) m.Node1.Route(n1, "default", $"198.18.10.{t - 50}", "br0", table: t);
        var topo = Linker.Link(m.Snapshot);
        var host = topo.FindHost("node1")!;
        return (topo, new NsRef(host, host.Root!));
    }

    private static (FibResult R, List<string> Assumed) Out(Flow flow)
    {
        var (t, ns) = Model();
        var assumed = new List<string>();
        return (Fib.Lookup(t, ns, IPAddress.Parse("203.0.113.1"), flow.Destination, "lo", null, assumed, flow), assumed);
    }

    private static Flow Tcp(int? sport, int dport) => new(IPAddress.Parse("203.0.113.1"), Far, Protocols.Tcp, sport, dport, 100, true);
    private static Flow Udp(int sport, int dport) => new(IPAddress.Parse("203.0.113.1"), Far, Protocols.Udp, sport, dport, 100, true);

    [Fact]
    public void Given_the_captured_rules_When_parsed_Then_every_selector_is_kept()
    {
        var (ns, _) = ImportTestKit.Parse("ip rule", Path.Combine("rules", "ip_rule_flow_selectors.txt"));
        var r100 = ns.Rules.Single(r => r.Priority == 100);
        Assert.Equal((6, "443"), (r100.IpProto, r100.DPortRange));
        Assert.Equal("1000-2000", ns.Rules.Single(r => r.Priority == 110).SPortRange);
        Assert.Equal("1000-1000", ns.Rules.Single(r => r.Priority == 120).UidRange);
        Assert.Equal("53", ns.Rules.Single(r => r.Priority == 130).DPortRange);
    }

    [Fact]
    public void Given_tcp_to_443_When_looked_up_Then_the_ipproto_dport_rule_decides()
    {
        Assert.Equal(100u, Out(Tcp(40000, 443)).R.Table);
    }

    [Fact]
    public void Given_tcp_to_another_port_or_udp_to_443_When_looked_up_Then_the_rule_does_not_match()
    {
        Assert.Equal(RouteTables.Main, Out(Tcp(40000, 8443)).R.Table);
        Assert.Equal(RouteTables.Main, Out(Udp(3000, 443)).R.Table);
    }

    [Theory]
    [InlineData(1000, 101u)]
    [InlineData(2000, 101u)]
    [InlineData(2001, RouteTables.Main)]
    [InlineData(999, RouteTables.Main)]
    public void Given_udp_with_a_source_port_When_looked_up_Then_the_sport_range_is_inclusive(int sport, uint table)
    {
        Assert.Equal(table, Out(Udp(sport, 5000)).R.Table);
    }

    [Fact]
    public void Given_a_dport_rule_without_ipproto_When_udp_or_tcp_to_53_Then_it_matches_both()
    {
        Assert.Equal(103u, Out(Udp(3000, 53)).R.Table);
        Assert.Equal(103u, Out(Tcp(40000, 53)).R.Table);
    }

    [Fact]
    public void Given_a_local_sender_whose_uid_is_known_When_looked_up_Then_uidrange_is_honoured()
    {
        var icmp = new Flow(IPAddress.Parse("203.0.113.1"), Far, Protocols.Icmp, null, null, 84, true);
        Assert.Equal(102u, Out(icmp with { Uid = 1000 }).R.Table);
        Assert.Equal(RouteTables.Main, Out(icmp with { Uid = 0 }).R.Table);
    }

    [Fact]
    public void Given_a_local_sender_whose_uid_is_not_known_When_looked_up_Then_the_lookup_names_the_rule_it_could_not_decide()
    {
        var icmp = new Flow(IPAddress.Parse("203.0.113.1"), Far, Protocols.Icmp, null, null, 84, true);
        var (r, assumed) = Out(icmp);
        Assert.Equal(RouteTables.Main, r.Table);
        Assert.Contains(assumed, a => a.Contains("rule 120 (uidrange 1000-1000)") && a.Contains("uid of the sending socket is not known"));
        // the ICMP packet against the dport rule: the kernel reads its type and code there, which the flow does not carry
        Assert.Contains(assumed, a => a.Contains("rule 130 (dport 53)") && a.Contains("ICMP"));
    }

    [Fact]
    public void Given_a_received_packet_When_looked_up_Then_it_carries_uid_0_and_the_uidrange_rule_does_not_match_it()
    {
        var (t, ns) = Model();
        var assumed = new List<string>();
        var icmp = new Flow(IPAddress.Parse("198.18.10.11"), Far, Protocols.Icmp, null, null, 84, true);
        var r = Fib.Lookup(t, ns, icmp.Source, Far, "br0", null, assumed, icmp);
        Assert.Equal(RouteTables.Main, r.Table);
        Assert.DoesNotContain(assumed, a => a.Contains("rule 120"));
    }

    [Fact]
    public void Given_a_source_port_the_tracer_chose_When_the_sport_rule_is_met_Then_it_is_undecided_and_said()
    {
        var (r, assumed) = Out(Udp(40000, 5000) with { SourcePortChosen = true });
        Assert.Equal(RouteTables.Main, r.Table);
        Assert.Contains(assumed, a => a.Contains("rule 110 (ipproto udp sport 1000-2000)") && a.Contains("--sport"));
    }

    [Fact]
    public void Given_a_trace_with_tcp_dport_443_When_traced_Then_it_leaves_by_table_100s_gateway()
    {
        var (t, _) = Model();
        var req = new TraceRequest("node1", null, null, Far) { Protocol = Protocols.Tcp, DestinationPort = 443, SourcePort = 40000, TraceReply = false };
        var result = Tracer.Trace(t, req);
        Assert.Contains(result.Forward.Hops[0].Steps.OfType<RuleStep>(), s => s.Text.Contains("lookup 100"));
    }
}
