using NetSleuth.Import;
using NetSleuth.Import.Firewall;
using NetSleuth.Import.IpJson;
using NetSleuth.Import.Ovs;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

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
        var rule = rs.Rules.Single(r => r.Table == "ncoltest");
        Assert.Contains("4789", rule.Expr!.Value.GetRawText());
        // iptables-nft keeps its tables in nftables too
        Assert.Contains(rs.Tables, t => t is { Family: "ip", Name: "nat" });
        Assert.Equal(["nftables"], ns.Known);
    }

    [Fact]
    public void Given_iptables_save_When_parsed_Then_chains_policies_rules_targets_and_quoted_comments_are_kept()
    {
        var lines = Fixture.Text("ip-json", "wk.iptables-save.txt").Split('\n');
        var log = new ImportLog();

        var tables = IptablesSave.Read(lines, "ipv4", i => new SourceRef("wk.iptables-save.txt", i + 1), log);

        Assert.Empty(log.Warnings);
        Assert.Equal(["filter", "nat"], tables.Select(t => t.Name));
        var fwd = tables[0].Rules.Single();
        Assert.Equal(("FORWARD", "ACCEPT", false), (fwd.Chain, fwd.Target!, fwd.IsGoto));
        Assert.Equal(["-s", "198.18.2.0/23", "-m", "comment", "--comment", "pod net", "-j", "ACCEPT"], fwd.Args);
        Assert.Equal(6, fwd.Source!.Line);
        var nat = tables[1];
        Assert.Null(nat.Chains.Single(c => c.Name == "KUBE-TEST").Policy);
        Assert.Equal("ACCEPT", nat.Chains.Single(c => c.Name == "POSTROUTING").Policy);
        var g = nat.Rules.Single();
        Assert.Equal(("KUBE-TEST", true), (g.Target!, g.IsGoto));
    }

    [Fact]
    public void Given_ovs_vsctl_json_tables_When_built_Then_bridges_ports_and_interfaces_are_linked()
    {
        List<OvsVsctlJson.Row> Table(string t) =>
            OvsVsctlJson.Table(Fixture.Text("ip-json", $"ovs-vsctl-f-json-list-{t}.json"), out _)!;

        var state = OvsVsctlJson.Build(Table("bridge"), Table("port"), Table("interface"), new SourceRef("ovs"));

        var br = Assert.Single(state.Bridges);
        Assert.Equal(("br-int", "netdev", "secure"), (br.Name, br.DatapathType!, br.FailMode!));
        Assert.Equal("physnet:br-ex", br.ExternalIds["ovn-bridge-mappings"]);
        Assert.Equal(["8b7266486ea2861", "br-int", "ovn-k8s-mp0", "vx0"], br.Ports.Select(p => p.Name));
        Assert.Equal(10, br.Ports.Single(p => p.Name == "8b7266486ea2861").Tag);
        var mp0 = br.Ports.Single(p => p.Name == "ovn-k8s-mp0").Interfaces.Single();
        Assert.Equal(("internal", MacAddress.Parse("0a:58:0a:84:02:02"), "k8s-node1"), (mp0.Type!, mp0.Mac!.Value, mp0.ExternalIds["iface-id"]));
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
