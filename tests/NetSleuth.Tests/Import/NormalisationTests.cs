using NetSleuth.Import;

namespace NetSleuth.Tests.Import;

public sealed class NormalisationTests
{
    [Theory]
    [InlineData("ip a", "ip address show")]
    [InlineData("ip addr show", "ip address show")]
    [InlineData("ip address list", "ip address show")]
    [InlineData("ip a s dev eth0", "ip address show dev eth0")]
    [InlineData("ip r", "ip route show")]
    [InlineData("ip ro ls table all", "ip route show table all")]
    [InlineData("ip -4 ro", "ip -4 route show")]
    [InlineData("ip r g 198.18.2.46", "ip route get 198.18.2.46")]
    [InlineData("ip n", "ip neighbor show")]
    [InlineData("ip neighbour show", "ip neighbor show")]
    [InlineData("ip -d li sh dev vxlan1", "ip -details link show dev vxlan1")]
    [InlineData("ip link s dev eth0 up", "ip link set dev eth0 up")]
    [InlineData("ip --details --stats link", "ip -details -stats link show")]
    [InlineData("ip -s -d l", "ip -stats -details link show")]
    [InlineData("ip -br a", "ip -brief address show")]
    [InlineData("ip -o addr", "ip -oneline address show")]
    [InlineData("ip -f inet6 r", "ip -6 route show")]
    [InlineData("ip ru", "ip rule show")]
    [InlineData("ip netns ls", "ip netns show")]
    [InlineData("ip net", "ip netns show")]
    [InlineData("ip netns list-id", "ip netns list-id")]
    [InlineData("tc f show dev eth0 ingress", "tc filter show dev eth0 ingress")]
    [InlineData("tc q", "tc qdisc show")]
    [InlineData("tc -s qdisc ls", "tc -stats qdisc show")]
    [InlineData("bridge fdb", "bridge fdb show")]
    public void Iproute2_abbreviations_expand_like_iproute2_matches(string typed, string expected)
    {
        var cl = CommandLine.Parse(typed, []);
        Assert.Equal(expected, cl.Text);
        Assert.Null(cl.Netns);
    }

    [Theory]
    [InlineData("sudo ip netns exec podns ip a", "podns", "ip address show")]
    [InlineData("ip netns exec podns tc filter show dev eth0 ingress", "podns", "tc filter show dev eth0 ingress")]
    [InlineData("ip -n podns -d link show vxlan0", "podns", "ip -details link show vxlan0")]
    [InlineData("ip -netns podns r", "podns", "ip route show")]
    [InlineData("ip --netns=podns r", "podns", "ip route show")]
    [InlineData("tc -n podns qdisc", "podns", "tc qdisc show")]
    [InlineData("sudo -E nsenter --net=/run/netns/podns ip a", "podns", "ip address show")]
    [InlineData("nsenter --net=/var/run/netns/podns -- ip neigh", "podns", "ip neighbor show")]
    [InlineData("sudo -u root ip netns e podns ip a", "podns", "ip address show")]
    public void Namespace_prefixes_are_taken_off_and_name_the_namespace(string typed, string netns, string expected)
    {
        var cl = CommandLine.Parse(typed, []);
        Assert.Equal(expected, cl.Text);
        Assert.Equal(netns, cl.Netns);
    }

    [Fact]
    public void Nsenter_by_pid_names_the_process_namespace()
    {
        var cl = CommandLine.Parse("nsenter -t 4242 -n ip -d link show eth0", []);
        Assert.Equal(4242, cl.NsPid);
        Assert.Equal("ip -details link show eth0", cl.Text);
        var shell = CommandLine.Parse("nsenter -t 4242 -n", []);
        Assert.True(shell.EntersShell);
    }

    [Fact]
    public void Variables_set_earlier_or_on_the_same_line_are_expanded()
    {
        var vars = new Dictionary<string, string>();
        Assert.Empty(CommandLine.Parse("NS=cni-5f3c", vars).Argv);
        Assert.Equal("cni-5f3c", CommandLine.Parse("ip netns exec $NS ip a", vars).Netns);
        Assert.Equal("cni-5f3c", CommandLine.Parse("ip netns exec \"${NS}\" ip a", vars).Netns);
        Assert.Equal("other", CommandLine.Parse("export P=other; ip -n $P a", vars).Netns);
    }

    [Theory]
    [InlineData("ip neigh | grep 198.18.2.46", true)]
    [InlineData("ip -d link show | head -20", true)]
    [InlineData("ip route | cat", false)]
    [InlineData("ip route 2>&1 | tee out.txt", false)]
    public void A_filtering_pipe_makes_the_output_partial(string typed, bool partial) =>
        Assert.Equal(partial, CommandLine.Parse(typed, []).Partial);

    [Fact]
    public void Loops_and_several_commands_cannot_be_attributed()
    {
        Assert.NotNull(CommandLine.Parse("for n in $(ip netns ls); do ip -n $n a; done", []).Problem);
        Assert.NotNull(CommandLine.Parse("ip a; ip r", []).Problem);
        Assert.Null(CommandLine.Parse("cd /tmp && ip a", []).Problem);
        Assert.True(CommandLine.Parse("ip a > /tmp/x", []).NoOutput);
    }
}
