using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>
/// Issue 21 item 1: captured outputs saved under a name that tells nothing ("out.txt"), with no command line
/// above them, are recognised from their content; a command typed with an en dash is still that command.
/// (The real corpus, Fixtures/real, holds the pasted variants: bare iptables-save, -S fragments, -L forms, nft.)
/// </summary>
public sealed class UnnamedSavedOutputTests
{
    private static Snapshot LoadAs(string source, string name) =>
        ImportTestKit.LoadText(File.ReadAllText(ImportTestKit.Fixture(source, name)), "out.txt", "h");

    private static NetNamespace Root(Snapshot s) => Assert.Single(s.Hosts).Root!;

    [Fact]
    public void Ovs_vsctl_show_with_no_command_line_is_read()
    {
        var s = LoadAs("ovs", "ovs-vsctl_show.txt");
        Assert.Empty(s.Warnings.Concat(s.Hosts.SelectMany(h => h.Warnings)));
        Assert.Contains(Root(s).Ovs!.Bridges, b => b.Name == "br-int" && b.FailMode == "secure");
    }

    [Fact]
    public void Ip_json_address_with_no_command_line_is_read()
    {
        var s = LoadAs("ip-json", "wk.ip-j-addr.json");
        Assert.Empty(s.Hosts.SelectMany(h => h.Warnings));
        Assert.Contains(Root(s).Links, l => l.Name == "lo" && l.Addresses.Any(a => a.Prefix.ToString() == "127.0.0.1/8"));
    }

    [Fact]
    public void Nft_list_ruleset_with_no_command_line_is_read()
    {
        var s = LoadAs("netfilter", "nft/nft_list_ruleset.txt");
        Assert.Empty(s.Hosts.SelectMany(h => h.Warnings));
        Assert.NotEmpty(Root(s).Nftables!.Chains);
    }

    [Fact]
    public void An_option_typed_with_an_en_dash_is_the_option()
    {
        var text = "# nft –a list ruleset\n" + File.ReadAllText(ImportTestKit.Fixture("netfilter", "nft", "nft_-a_list_ruleset.txt"));
        var s = ImportTestKit.LoadText(text, "session.txt", "h");
        Assert.Empty(s.Hosts.SelectMany(h => h.Warnings));
        Assert.Contains(Root(s).Nftables!.Rules, r => r.Handle is not null);
    }
}
