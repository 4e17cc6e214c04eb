using NetSleuth.Model;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Import;

/// <summary>iptables/nft parsers on outputs captured in lab namespaces (Fixtures/netfilter/NOTE.md).</summary>
public sealed class NetfilterParserTests
{
    private static IptablesTable Table(NetNamespace ns, string name, string family = "ipv4") =>
        ns.Iptables.Single(t => t.Name == name && t.Family == family);

    [Theory]
    [InlineData("iptables-nft", "iptables-nft-save", "nf_tables")]
    [InlineData("iptables-legacy", "iptables-legacy-save", "legacy")]
    [InlineData("iptables-nft", "iptables-save", "nf_tables")]
    [InlineData("iptables-legacy", "iptables-save", "legacy")]
    public void Save_reads_tables_policies_rules_and_the_back_end(string dir, string tool, string backend)
    {
        var ns = NewNamespace();
        var log = Parse(ns, $"netfilter/{dir}/iptables-save.txt", tool);

        Assert.Empty(log.Warnings);
        Assert.True(ns.IsKnown(Sections.Iptables));
        Assert.Equal(["filter", "mangle", "nat", "raw"], ns.Iptables.Select(t => t.Name).Order());
        var filter = Table(ns, "filter");
        Assert.Equal(backend, filter.Backend);
        Assert.Equal("DROP", filter.Chains.Single(c => c.Name == "FORWARD").Policy);
        Assert.Null(filter.Chains.Single(c => c.Name == "cali-INPUT").Policy);
        var drop = filter.Rules.Single(r => r.Chain == "cali-INPUT" && r.Target == "DROP");
        Assert.Equal(["-p", "udp", "-m", "comment", "--comment", "cali:w7ud0UgQSEi_zKuQ", "-m", "udp", "--dport", "4789", "-j", "DROP"], drop.Args);
        var gotoRule = filter.Rules.Single(r => r.Target == "cali-wl-to-host");
        Assert.True(gotoRule.IsGoto);
        Assert.Contains("cali:hzgzCv6pT8Uz9KSf drop workload to host", gotoRule.Args);
        Assert.Null(filter.Rules.Single(r => r.Args.SequenceEqual(["-i", "eth0"])).Target);
        Assert.Equal(10, filter.Rules.Count);
        Assert.Equal(["DNAT", "MASQUERADE", "cali-POSTROUTING"], Table(ns, "nat").Rules.Select(r => r.Target!).Order(StringComparer.Ordinal));
        Assert.NotNull(drop.Source);
        Assert.Equal("-A cali-INPUT -p udp", File.ReadLines(drop.Source!.File).ElementAt(drop.Source.Line - 1)[..20]);
    }

    [Fact]
    public void Save_with_counters_reads_rule_and_chain_counters()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "netfilter/iptables-nft/iptables-save_-c.txt", "iptables-save -c").Warnings);
        var rule = Table(ns, "filter").Rules.Single(r => r.Chain == "INPUT");
        Assert.Equal(4, rule.Packets);
        Assert.Equal(336, rule.Bytes);
        var legacy = NewNamespace();
        Parse(legacy, "netfilter/iptables-legacy/iptables-save.txt", "iptables-legacy-save");
        Assert.Equal(5, Table(legacy, "filter").Chains.Single(c => c.Name == "OUTPUT").Packets); // legacy prints chain counters always
    }

    [Theory]
    [InlineData("iptables-nft")]
    [InlineData("iptables-legacy")]
    public void S_and_save_give_the_same_filter_rules(string dir)
    {
        var save = NewNamespace();
        Parse(save, $"netfilter/{dir}/iptables-save.txt", "iptables-save");
        var s = NewNamespace();
        Assert.Empty(Parse(s, $"netfilter/{dir}/iptables_-S.txt", "iptables -S").Warnings);
        var sv = NewNamespace();
        Assert.Empty(Parse(sv, $"netfilter/{dir}/iptables_-S_-v.txt", "iptables -S -v").Warnings);

        static IEnumerable<string> Rules(NetNamespace ns) => ns.Iptables.Single(t => t.Name == "filter").Rules.Select(r => $"{r.Chain} {r.Target} {r.IsGoto} {string.Join(' ', r.Args)}");
        Assert.Equal(Rules(save), Rules(s));
        Assert.Equal(Rules(save), Rules(sv));
        Assert.Equal(4, Table(sv, "filter").Rules.Single(r => r.Chain == "INPUT").Packets);
        Assert.False(s.IsKnown(Sections.Iptables)); // -S shows one table
        var nat = NewNamespace();
        Parse(nat, $"netfilter/{dir}/iptables_-t_nat_-S.txt", "iptables -t nat -S");
        Assert.Equal("nat", Assert.Single(nat.Iptables).Name);
    }

    [Theory]
    [InlineData("netfilter/iptables-nft/iptables_-nvL.txt", "iptables -nvL")]
    [InlineData("netfilter/iptables-legacy/iptables_-vnxL.txt", "iptables -vnxL")]
    [InlineData("netfilter/iptables-nft/iptables_-L_-n_--line-numbers.txt", "iptables -L -n --line-numbers")]
    public void List_output_reads_chains_targets_and_matches(string file, string command)
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, file, command).Warnings);

        var filter = Table(ns, "filter");
        Assert.Equal("DROP", filter.Chains.Single(c => c.Name == "FORWARD").Policy);
        Assert.Equal(10, filter.Rules.Count);
        var drop = filter.Rules.Single(r => r.Chain == "cali-INPUT" && r.Target == "DROP");
        Assert.Equal(["-p", "udp", "--match-text", "/* cali:w7ud0UgQSEi_zKuQ */ udp dpt:4789", "-j", "DROP"], drop.Args);
        Assert.True(filter.Rules.Single(r => r.Target == "cali-wl-to-host").IsGoto);
        if (command.Contains('v')) Assert.Equal(["-i", "cali+"], filter.Rules.Single(r => r.Target == "cali-wl-to-host").Args.Take(2));
        Assert.Equal(["-g", "cali-wl-to-host"], filter.Rules.Single(r => r.Target == "cali-wl-to-host").Args.TakeLast(2));
        var counting = filter.Rules.Single(r => r.Target is null);
        Assert.Equal(command.Contains('v') ? ["-i", "eth0"] : [], counting.Args);
        Assert.Equal(["-s", "198.18.2.0/23", "-d", "198.51.100.0/24", "-p", "tcp"], filter.Rules.Single(r => r.Target == "REJECT").Args.Take(6));
        if (command.Contains('v')) Assert.Equal(4, filter.Rules.Single(r => r.Chain == "INPUT").Packets);
    }

    [Fact]
    public void Ip6tables_outputs_are_ipv6_tables()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "netfilter/iptables-nft/ip6tables-save.txt", "ip6tables-save").Warnings);
        var l = NewNamespace();
        Assert.Empty(Parse(l, "netfilter/iptables-legacy/ip6tables_-nvL.txt", "ip6tables -nvL").Warnings);

        Assert.Equal("DROP", Table(ns, "filter", "ipv6").Chains.Single(c => c.Name == "INPUT").Policy);
        Assert.Equal(["-s", "fd00:198:18::/64", "-p", "udp", "--match-text", "udp dpt:4789", "-j", "DROP"], Table(l, "filter", "ipv6").Rules[1].Args);
        Assert.Equal("ipv6-icmp", Table(l, "filter", "ipv6").Rules[0].Args[1]);
    }

    [Theory]
    [InlineData("netfilter/nft/nft_list_ruleset.txt", "nft list ruleset")]
    [InlineData("netfilter/nft/nft_-a_list_ruleset.txt", "nft -a list ruleset")]
    [InlineData("netfilter/nft/nft_-j_list_ruleset.txt", "nft -j list ruleset")]
    public void Nft_text_and_json_read_tables_base_chains_and_rules(string file, string command)
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, file, command).Warnings);

        var rs = ns.Nftables!;
        Assert.True(ns.IsKnown(Sections.Nftables));
        Assert.Equal(7, rs.Tables.Count);
        Assert.Equal(14, rs.Chains.Count);
        Assert.Equal(21, rs.Rules.Count);
        var input = rs.Chains.Single(c => c.Family == "inet" && c.Name == "input");
        Assert.Equal(("filter", "input", 0, "accept"), (input.Type, input.Hook, input.Priority, input.Policy));
        var ingress = rs.Chains.Single(c => c.Family == "netdev");
        Assert.Equal(("ingress", -500), (ingress.Hook, ingress.Priority));
        Assert.Equal(command.Contains("-j") ? null : "eth0", ingress.Device); // nft 1.0.6 -j leaves the device out
        Assert.Equal(-100, rs.Chains.Single(c => c.Table == "nat" && c.Name == "PREROUTING").Priority);
        Assert.Equal("drop", rs.Chains.Single(c => c.Family == "ip" && c.Table == "filter" && c.Name == "FORWARD").Policy);
        Assert.Null(rs.Chains.Single(c => c.Name == "cali-wl").Hook);
        var vxlanDrop = rs.Rules.Single(r => r.Family == "inet" && r.Chain == "input" && r.Handle == 3 || (r.Family == "inet" && r.Chain == "input" && r.Handle is null && (r.Text?.StartsWith("udp dport 4789") ?? false)));
        if (command.Contains("-j")) Assert.NotNull(vxlanDrop.Expr);
        else Assert.Equal("udp dport 4789 counter packets 0 bytes 0 drop comment \"cali:vxlan drop\"", vxlanDrop.Text);
    }

    [Theory]
    [InlineData("netfilter/mixed/iptables-nft-save.txt", "iptables-nft-save", 1)]
    [InlineData("netfilter/mixed/iptables-nft_-S.txt", "iptables-nft -S", 1)]
    [InlineData("netfilter/mixed/iptables-nft_-nvL.txt", "iptables-nft -nvL", 1)]
    public void Nft_output_that_hides_legacy_rules_says_so_and_stays_incomplete(string file, string command, int line)
    {
        var ns = NewNamespace();
        var log = Parse(ns, file, command);

        var w = Assert.Single(log.Warnings);
        Assert.Contains("iptables-legacy rules exist too", w.Message);
        Assert.Equal(line, w.Source!.Line);
        Assert.False(ns.IsKnown(Sections.Iptables));
        Assert.Equal("ACCEPT", Assert.Single(Table(ns, "filter").Rules).Target);
    }
}
