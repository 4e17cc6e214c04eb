using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>The collector hands nft, iptables-save and ovs-vsctl output to the importer's parsers: they read
/// the outputs captured next to the ip -j fixtures.</summary>
public sealed class FirewallOvsJsonTests
{
    [Fact]
    public void Given_nft_json_When_parsed_Then_tables_base_chains_and_rules_are_read()
    {
        var (ns, log) = Fixture.Parse("wk.nft-j-list-ruleset.json", "nft -j list ruleset");

        Assert.Empty(log.Warnings);
        var rs = ns.Nftables!;
        Assert.Contains(rs.Tables, t => t is { Family: "inet", Name: "ncoltest" });
        var chain = rs.Chains.Single(c => c.Name == "forward_chain");
        Assert.Equal(("filter", "forward", 0, "accept"), (chain.Type!, chain.Hook!, chain.Priority!.Value, chain.Policy!));
        Assert.Contains("4789", rs.Rules.Single(r => r.Table == "ncoltest").Expr!.Value.GetRawText());
        // iptables-nft keeps its tables in nftables too: the collector runs iptables-save only then
        Assert.Contains(rs.Tables, t => t is { Family: "ip", Name: "nat" });
        Assert.Contains(Sections.Nftables, ns.Known);
    }

    [Fact]
    public void Given_iptables_save_When_parsed_Then_chains_rules_and_goto_targets_are_read()
    {
        var (ns, log) = Fixture.Parse("wk.iptables-save.txt", "iptables-save");

        Assert.Empty(log.Warnings);
        Assert.Equal(["filter", "nat"], ns.Iptables.Select(t => t.Name));
        var fwd = ns.Iptables[0].Rules.Single();
        Assert.Equal(("FORWARD", "ACCEPT"), (fwd.Chain, fwd.Target!));
        var g = ns.Iptables[1].Rules.Single();
        Assert.Equal(("KUBE-TEST", true), (g.Target!, g.IsGoto));
    }

    [Fact]
    public void Given_ovs_vsctl_json_tables_When_parsed_Then_bridges_ports_and_interfaces_are_linked()
    {
        var ns = new NetNamespace { Id = "root" };
        foreach (var t in new[] { "bridge", "port", "interface" })
            Assert.Empty(Fixture.Parse($"ovs-vsctl-f-json-list-{t}.json", $"ovs-vsctl -f json list {t}", ns).Log.Warnings);

        var br = Assert.Single(ns.Ovs!.Bridges);
        Assert.Equal(("br-int", "netdev", "secure"), (br.Name, br.DatapathType!, br.FailMode!));
        Assert.Equal("physnet:br-ex", br.ExternalIds["ovn-bridge-mappings"]);
        Assert.Equal(["8b7266486ea2861", "br-int", "ovn-k8s-mp0", "vx0"], br.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(10, br.Ports.Single(p => p.Name == "8b7266486ea2861").Tag);
        var vx = br.Ports.Single(p => p.Name == "vx0").Interfaces.Single();
        Assert.Equal(("vxlan", "198.51.100.201", "555005"), (vx.Type!, vx.Options["remote_ip"], vx.Options["key"]));
    }

    [Fact]
    public void Given_a_batch_of_six_commands_When_split_Then_six_json_values_come_back_in_order()
    {
        var values = JsonValues.Split(Fixture.Text("ip-json", "wkpod.ip-d-j-batch.json"), out var error);

        Assert.Null(error);
        Assert.Equal(6, values!.Count);
        Assert.Equal("lo", values[0][0].GetProperty("ifname").GetString());
        Assert.Equal(0, values[5][0].GetProperty("nsid").GetInt32());
    }

    [Theory]
    [InlineData("ip -j -d address show", true)]
    [InlineData("ip -details -json link show", true)]
    [InlineData("ip -dj a", true)]
    [InlineData("ip -n wk -j r show table all", true)]
    [InlineData("ip -j ru", true)]
    [InlineData("ip -f bridge -j neigh show", true)]
    [InlineData("tc -j filter show dev eth0 ingress", true)]
    [InlineData("bridge -j fdb show", true)]
    [InlineData("ip addr show", false)]
    [InlineData("ip -j addrlabel", false)]
    [InlineData("tc -j filter show", false)]
    public void Given_a_command_line_When_the_table_is_asked_Then_only_json_iproute2_listings_match(string command, bool matches)
    {
        Assert.Equal(matches, IpJsonCommands.Matches(command.Split(' ')));
    }
}
