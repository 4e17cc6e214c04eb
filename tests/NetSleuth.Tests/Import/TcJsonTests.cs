using NetSleuth.Collect;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

public sealed class TcJsonTests
{
    [Fact]
    public void Given_qdiscs_When_parsed_Then_root_ingress_and_clsact_are_told_apart()
    {
        var (ns, _) = Fixture.Parse("wkpod.tc-j-qdisc.json", "tc -j qdisc show");

        Assert.Equal([("lo", "noqueue", "root"), ("eth0", "noqueue", "root"), ("eth0", "ingress", "ingress"), ("vxlan1", "noqueue", "root"), ("vxlan1", "clsact", "clsact")],
            ns.Qdiscs.Select(q => (q.Device, q.Kind, q.Parent!)));
    }

    [Fact]
    public void Given_a_u32_match_all_mirred_filter_When_parsed_Then_one_filter_with_its_redirect_is_read()
    {
        var (ns, log) = Fixture.Parse("wkpod.tc-j-filter-eth0-ingress.json", "tc -j filter show dev eth0 ingress");

        Assert.Empty(log.Warnings);
        var f = Assert.Single(ns.Filters); // the chain head and the u32 hash table are not filters
        Assert.Equal(("eth0", "ingress", "u32", "all", 49152, true), (f.Device, f.Direction, f.Kind!, f.Protocol!, f.Pref!.Value, f.MatchesAll!.Value));
        var a = Assert.Single(f.Actions);
        Assert.Equal(("mirred", "redirect", "egress", "vxlan1", "stolen"), (a.Kind, a.MirredAction!, a.MirredDirection!, a.TargetDevice!, a.Control!));
    }

    [Fact]
    public void Given_a_clsact_ingress_filter_without_parent_When_parsed_Then_the_direction_comes_from_the_command()
    {
        var (ns, _) = Fixture.Parse("wkpod.tc-j-filter-vxlan1-ingress.json", "tc -j filter show dev vxlan1 ingress");

        var f = Assert.Single(ns.Filters);
        Assert.Equal(("vxlan1", "ingress", "eth0"), (f.Device, f.Direction, f.Actions.Single().TargetDevice!));
    }

    [Fact]
    public void Given_qdiscs_When_the_collector_plans_filter_listings_Then_only_hooks_that_can_hold_filters_are_asked()
    {
        var cmds = NamespaceCollector.FilterCommands(Fixture.Text("ip-json", "wkpod.tc-j-qdisc.json"));

        Assert.Equal(["filter show dev eth0 ingress", "filter show dev vxlan1 ingress", "filter show dev vxlan1 egress"], cmds);
    }
}
