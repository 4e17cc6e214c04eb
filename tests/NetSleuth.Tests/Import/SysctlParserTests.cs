using NetSleuth.Model;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Import;

/// <summary>sysctl parser on outputs captured in a lab namespace (Fixtures/sysctl/NOTE.md).</summary>
public sealed class SysctlParserTests
{
    [Fact]
    public void Sysctl_a_keeps_the_forwarding_keys_only()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "sysctl/sysctl_-a.txt", "sysctl -a").Warnings);

        Assert.True(ns.IsKnown(Sections.Sysctls));
        Assert.Equal("1", ns.Sysctl("net.ipv4.ip_forward"));
        Assert.Equal("1", ns.Sysctl("net.ipv4.conf.eth0.rp_filter"));
        Assert.Equal("1", ns.Sysctl("net.ipv4.conf.eth0.proxy_arp"));
        Assert.NotNull(ns.Sysctl("net.ipv4.conf.all.rp_filter"));
        Assert.NotNull(ns.Sysctl("net.ipv4.conf.cali1234abcd.arp_ignore"));
        Assert.NotNull(ns.Sysctl("net.ipv6.conf.all.forwarding"));
        Assert.Null(ns.Sysctl("net.core.somaxconn"));
        Assert.True(ns.Sysctls.Count < 200, $"{ns.Sysctls.Count} keys kept");
    }

    [Fact]
    public void Single_keys_and_proc_files_are_read_but_do_not_make_the_section_known()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "sysctl/sysctl_net.ipv4.ip_forward.txt", "sysctl net.ipv4.ip_forward").Warnings);
        Assert.Empty(Parse(ns, "sysctl/sysctl_rp_filter.txt", "sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.eth0.rp_filter").Warnings);
        var cat = NewNamespace();
        Assert.Empty(Parse(cat, "sysctl/cat_proc_sys_net_ipv4_ip_forward.txt", "cat /proc/sys/net/ipv4/ip_forward").Warnings);

        Assert.Equal("1", ns.Sysctl("net.ipv4.ip_forward"));
        Assert.Equal("1", ns.Sysctl("net.ipv4.conf.eth0.rp_filter"));
        Assert.False(ns.IsKnown(Sections.Sysctls));
        Assert.Equal("1", cat.Sysctl("net.ipv4.ip_forward"));
    }

    [Fact]
    public void Proc_path_of_a_vlan_device_gives_the_sysctl_key_with_a_slash() =>
        Assert.Equal("net.ipv4.conf.eth0/100.rp_filter", NetSleuth.Import.Sysctl.SysctlParser.KeyOfPath("/proc/sys/net/ipv4/conf/eth0.100/rp_filter"));
}
