using System.Text.Json;
using NetSleuth.Forwarding;
using NetSleuth.Model;

namespace NetSleuth.Tests.Forwarding;

public sealed class FilterTraceTests
{
    [Fact]
    public void Given_an_iptables_forward_drop_on_the_router_when_traced_then_denied_forward_with_the_rule()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", null, "-A FORWARD -s 198.18.1.0/24 -d 198.18.2.16/28 -j DROP");

        var r = m.Trace();

        Assert.Equal(Disposition.DeniedForward, r.Forward.Disposition);
        Assert.Equal("h:r", r.Forward.At);
        Assert.Contains("-A FORWARD -s 198.18.1.0/24 -d 198.18.2.16/28 -j DROP", r.Forward.Reason);
    }

    [Fact]
    public void Given_a_reject_for_another_port_when_traced_then_icmp_is_not_matched()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.S, "filter", null, "-A INPUT -p tcp --dport 22 -j REJECT --reject-with icmp-port-unreachable");

        Assert.True(m.Trace().Delivered);
    }

    [Fact]
    public void Given_input_reject_for_the_port_when_traced_then_denied_in()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.S, "filter", null, "-A INPUT -p tcp -m tcp --dport 8080 -j REJECT");

        var r = m.Trace(with: q => q with { Protocol = Protocols.Tcp, DestinationPort = 8080 });

        Assert.Equal(Disposition.DeniedIn, r.Forward.Disposition);
        Assert.Equal("h:s", r.Forward.At);
    }

    [Fact]
    public void Given_policy_drop_with_new_and_established_rules_when_traced_then_both_ways_pass_the_user_chain()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", new() { ["FORWARD"] = "DROP" },
            "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A FORWARD -m comment --comment \"pods out\" -j PODS",
            "-A PODS -s 203.0.113.0/24 -j RETURN",
            "-A PODS -i r-c -o r-s -p icmp -m conntrack --ctstate NEW -j ACCEPT");

        var r = m.Trace();

        Assert.True(r.Delivered);
        Assert.Contains(r.Reply!.Hops[1].Steps.OfType<FilterStep>(), s => s.Rule!.Contains("ESTABLISHED"));
    }

    [Fact]
    public void Given_policy_drop_and_no_matching_rule_when_traced_then_the_policy_is_named()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", new() { ["FORWARD"] = "DROP" }, "-A FORWARD -i eth9 -j ACCEPT");

        var r = m.Trace();

        Assert.Equal(Disposition.DeniedForward, r.Forward.Disposition);
        Assert.Contains("policy DROP of chain FORWARD", r.Forward.Reason);
    }

    [Fact]
    public void Given_a_rule_with_a_match_not_understood_when_traced_then_uncertain_never_accept()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", null, "-A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -j DROP");

        var r = m.Trace();

        Assert.Equal(Disposition.Uncertain, r.Forward.Disposition);
        Assert.Contains("hashlimit", r.Forward.Reason);
    }

    /// <summary>The kernel matches a rule only when all its matches hold: one that fails, before or after a match the simulator
    /// does not understand, decides (the packet goes on to the next rule); when all the others hold the rule stays undecided.</summary>
    [Theory]
    [InlineData("-A FORWARD -d 198.18.9.9/32 -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD -p udp -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD ! -s 198.18.1.0/24 -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD -s 198.18.1.0/24 -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -j DROP", Disposition.Uncertain)]
    // the kernel checks the address, interface and protocol fields before any match module, wherever the command put them
    [InlineData("-A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -d 198.18.9.9/32 -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -p udp -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name x ! -s 198.18.1.0/24 -j DROP", Disposition.Delivered)]
    [InlineData("-A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name x -s 198.18.1.0/24 -j DROP", Disposition.Uncertain)]
    // an unknown module's option named like a known one is the module's: connmark's --mark is not the packet's mark
    [InlineData("-A FORWARD -m connmark --mark 0x1/0x1 -j DROP", Disposition.Uncertain)]
    [InlineData("-A FORWARD -m connmark ! --mark 0x1/0x1 -j DROP", Disposition.Uncertain)]
    public void Given_a_rule_whose_match_fails_before_one_not_understood_when_traced_then_the_rule_does_not_match(string rule, Disposition expected)
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", null, rule);

        var r = m.Trace();

        Assert.Equal(expected, r.Forward.Disposition);
    }

    /// <summary>A bridged firewall's rules as its README types them (github.com/thorstenkramm/bridged-firewall, README.md at
    /// d368231: `iptables -I|-A FORWARD -m physdev --physdev-is-bridged …`, the first one inserted at the top), the address and
    /// protocol fields after the physdev match the simulator does not know: the kernel checks those fields first.</summary>
    [Fact]
    public void Given_a_published_bridged_firewall_typed_with_fields_after_physdev_when_traced_then_rules_for_other_packets_do_not_match()
    {
        var m = new RouterModel();
        string[] rules =
        [
            "-A FORWARD -m physdev --physdev-is-bridged -m state --state ESTABLISHED,RELATED -j ACCEPT",
            "-A FORWARD -m physdev --physdev-is-bridged -d 192.168.178.50 -p tcp --dport 22 -j ACCEPT",
            "-A FORWARD -m physdev --physdev-is-bridged -d 192.168.178.50 -s 192.168.178.30 -p tcp --dport 22 -j ACCEPT",
        ];
        RouterModel.Iptables(m.R, "filter", new() { ["FORWARD"] = "DROP" }, rules);

        var r = m.Trace();

        // a new echo request is not ESTABLISHED, not for 192.168.178.50, not tcp: whatever physdev says, the policy drops it
        Assert.Equal(Disposition.DeniedForward, r.Forward.Disposition);
        Assert.Contains("policy DROP of chain FORWARD", r.Forward.Reason);

        // the README's ping rule holds for the echo request but for physdev: undecided, never assumed
        var ping = new RouterModel();
        RouterModel.Iptables(ping.R, "filter", new() { ["FORWARD"] = "DROP" },
            [.. rules, "-A FORWARD -m physdev --physdev-is-bridged -p icmp --icmp-type echo-request -j ACCEPT"]);
        Assert.Equal(Disposition.Uncertain, ping.Trace().Forward.Disposition);
    }

    [Fact]
    public void Given_an_nft_input_chain_dropping_icmp_from_the_client_when_traced_then_denied_in()
    {
        var m = new RouterModel();
        m.S.Known.Add(Sections.Nftables);
        m.S.Nftables = Nft("""[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"198.18.1.0","len":24}}}},{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"icmp"}},{"counter":{"packets":0,"bytes":0}},{"drop":null}]""");

        var r = m.Trace();

        Assert.Equal(Disposition.DeniedIn, r.Forward.Disposition);
        Assert.Equal("h:s", r.Forward.At);
    }

    [Fact]
    public void Given_an_nft_rule_for_another_port_when_traced_then_accepted()
    {
        var m = new RouterModel();
        m.S.Known.Add(Sections.Nftables);
        m.S.Nftables = Nft("""[{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":4789}},{"drop":null}]""");

        Assert.True(m.Trace().Delivered);
    }

    [Fact]
    public void Given_an_nft_expression_not_understood_when_traced_then_uncertain()
    {
        var m = new RouterModel();
        m.S.Known.Add(Sections.Nftables);
        m.S.Nftables = Nft("""[{"match":{"op":"==","left":{"meta":{"key":"cpu"}},"right":1}},{"accept":null}]""");

        Assert.Equal(Disposition.Uncertain, m.Trace().Forward.Disposition);
    }

    /// <summary>nf_tables ends a rule at its first match that fails: a match the simulator knows that fails after one it does
    /// not know decides (not matched), unless a verdict or another statement comes between them.</summary>
    [Theory]
    [InlineData("""{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"198.18.7.0","len":24}}}},{"drop":null}""", Disposition.Delivered)]
    [InlineData("""{"counter":{"packets":0,"bytes":0}},{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":4789}},{"drop":null}""", Disposition.Delivered)]
    [InlineData("""{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"198.18.1.0","len":24}}}},{"drop":null}""", Disposition.Uncertain)]
    [InlineData("""{"mangle":{"key":{"meta":{"key":"priority"}},"value":1}},{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":4789}},{"drop":null}""", Disposition.Uncertain)]
    public void Given_an_nft_match_not_understood_then_one_that_fails_when_traced_then_the_rule_does_not_match(string rest, Disposition expected)
    {
        var m = new RouterModel();
        m.S.Known.Add(Sections.Nftables);
        m.S.Nftables = Nft("""[{"match":{"op":"==","left":{"meta":{"key":"cpu"}},"right":1}},""" + rest + "]");

        Assert.Equal(expected, m.Trace().Forward.Disposition);
    }

    [Theory]
    // as `nft list ruleset` prints them (nft 1.0.x): the text form is evaluated like the `nft -j` one
    [InlineData("ip saddr 198.18.1.0/24 meta l4proto icmp counter packets 3 bytes 252 drop", Disposition.DeniedIn)]
    [InlineData("ip saddr != 198.18.1.0/24 meta l4proto icmp drop", Disposition.Delivered)]
    [InlineData("udp dport 4789 counter packets 0 bytes 0 drop", Disposition.Delivered)]
    [InlineData("ct state established,related accept", Disposition.Delivered)]
    [InlineData("iifname \"eth0\" meta l4proto icmp reject with icmp type admin-prohibited", Disposition.DeniedIn)]
    [InlineData("meta cpu 1 accept", Disposition.Uncertain)]
    public void Given_an_nft_rule_in_text_form_when_traced_then_it_is_evaluated_like_its_json(string text, Disposition expected)
    {
        var m = new RouterModel();
        m.S.Known.Add(Sections.Nftables);
        m.S.Nftables = Nft("[]");
        m.S.Nftables.Rules[0].Expr = null;
        m.S.Nftables.Rules[0].Text = text;

        Assert.Equal(expected, m.Trace().Forward.Disposition);
    }

    [Fact]
    public void Given_no_firewall_input_at_all_when_traced_then_insufficient_info_names_both_commands()
    {
        var m = new RouterModel();
        m.R.Known.Remove(Sections.Iptables);
        m.R.Known.Remove(Sections.Nftables);

        var r = m.Trace();

        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("run `iptables-save; nft list ruleset` on host h (namespace r)", r.Forward.Missing!.ToString());
    }

    private static NftRuleset Nft(string expr) => new()
    {
        Tables = [new NftTable { Family = "inet", Name = "t" }],
        Chains = [new NftChain { Family = "inet", Table = "t", Name = "input", Type = "filter", Hook = "input", Priority = 0, Policy = "accept" }],
        Rules = [new NftRule { Family = "inet", Table = "t", Chain = "input", Expr = JsonDocument.Parse(expr).RootElement.Clone() }],
    };
}
