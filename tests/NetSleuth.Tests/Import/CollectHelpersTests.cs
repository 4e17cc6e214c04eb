using NetSleuth.Collect;

namespace NetSleuth.Tests.Import;

public sealed class CollectHelpersTests
{
    [Theory]
    [InlineData("ncol*", "ncolx-wk", true)]
    [InlineData("root", "root", true)]
    [InlineData("inode:40265*", "inode:4026532177", true)]
    [InlineData("p?", "p12", false)]
    [InlineData("*pod", "ncolxwkpod", true)]
    [InlineData("*pod", "ncolxwkpod2", false)]
    public void Given_a_glob_When_matched_Then_star_and_question_mark_work_like_the_shell(string glob, string text, bool expected) =>
        Assert.Equal(expected, Glob.Matches(glob, text));

    [Theory]
    [InlineData("/proc/sys/net/ipv4/conf/eth0/rp_filter", "net.ipv4.conf.eth0.rp_filter")]
    [InlineData("/proc/sys/net/ipv4/conf/eth0.10/rp_filter", "net.ipv4.conf.eth0/10.rp_filter")]
    [InlineData("/proc/sys/net/ipv4/ip_forward", "net.ipv4.ip_forward")]
    public void Given_a_proc_path_When_keyed_Then_it_is_spelled_like_sysctl(string path, string key) =>
        Assert.Equal(key, Sysctls.Key(path));

    [Theory]
    [InlineData("net:[4026531840]", 4026531840L)]
    [InlineData("/run/netns/x", null)]
    [InlineData("net:[]", null)]
    public void Given_a_namespace_link_When_parsed_Then_the_inode_is_read(string link, long? inode) =>
        Assert.Equal(inode, NamespaceDiscovery.ParseNsLink(link));
}
