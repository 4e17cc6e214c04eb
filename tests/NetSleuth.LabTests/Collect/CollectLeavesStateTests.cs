using System.Globalization;
using System.Text.RegularExpressions;

namespace NetSleuth.LabTests.Collect;

/// <summary>Collect never changes the machine: every namespace's state is the same before and after.</summary>
public sealed partial class CollectLeavesStateTests : IClassFixture<CollectLab>
{
    private readonly CollectLab _lab;
    public CollectLeavesStateTests(CollectLab lab) => _lab = lab;

    private const string DumpScript = """
        ip -d link show; ip addr show; ip route show table all; ip -6 route show table all
        ip rule show; ip -6 rule show; ip neigh show nud all; ip neigh show proxy; bridge fdb show
        ip netns list-id; tc qdisc show
        for d in eth0 vxlan1; do tc filter show dev $d ingress 2>/dev/null; tc filter show dev $d egress 2>/dev/null; done
        nft list ruleset; iptables-save; ip6tables-save
        sysctl -a -r '^net\.(ipv4|ipv6)\.' 2>/dev/null
        """;

    /// <summary>Everything the kernel would tell about each lab namespace, minus running timers.</summary>
    private string Dump()
    {
        var parts = new List<string>();
        foreach (var n in _lab.Names)
            parts.Add($"== {n}\n" + CollectLab.Sh($"ip netns exec {n} sh -c {NetSleuth.Util.Shell.Quote(DumpScript)}"));
        var pid = _lab.Holder!.Id.ToString(CultureInfo.InvariantCulture);
        parts.Add("== unnamed\n" + CollectLab.Sh($"nsenter -t {pid} -n sh -c {NetSleuth.Util.Shell.Quote(DumpScript)}"));
        var text = string.Join('\n', parts);
        text = Timers().Replace(text, "$1 T");
        // the kernel's own multicast group joins on a freshly made bridge (IGMP/MLD) land in its fdb at
        // their own pace; collect neither reads nor writes them differently, so they are left out
        text = KernelMulticast().Replace(text, "");
        return Generated().Replace(text, "# generated");
    }

    [GeneratedRegex(@"(\b\w*_timer) +[\d.]+")]
    private static partial Regex Timers();

    [GeneratedRegex(@"(?m)^(33:33:|01:00:5e:|224\.|ff0[0-9a-f]:).*\n?")]
    private static partial Regex KernelMulticast();

    [GeneratedRegex(@"# (Generated|Completed) .*")]
    private static partial Regex Generated();

    [Fact]
    public void Given_the_lab_When_collect_runs_Then_links_addresses_routes_rules_neighbours_tc_firewall_sysctls_and_netnsids_are_unchanged()
    {
        var before = Dump();
        Assert.Equal(before, Dump()); // the dump itself is stable

        CollectRun.Cli("--netns", _lab.Prefix + "*", "--netns", "inode:" + _lab.UnnamedInode);
        CollectRun.Cli(); // the whole machine too

        var after = Dump();
        Assert.Equal(before, after);
        Assert.Contains("mirred", before);
        Assert.Contains("198.18.2.46 dev ovn-k8s-mp0 lladdr 0a:58:0a:84:02:2e PERMANENT", before);
        Assert.Contains("net.ipv4.conf.eth0.rp_filter = 2", before);
    }
}
