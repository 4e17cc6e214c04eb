using NetSleuth.Import.Sos;

namespace NetSleuth.Tests.Import;

public sealed class SosFileNamesTests
{
    [Theory]
    [InlineData("ovs-vsctl -t 5 list interface", "ovs-vsctl_-t_5_list_interface")]
    [InlineData("ip netns exec nimb_pod_1 ip -d address show", "ip_netns_exec_nimb_pod_1_ip_-d_address_show")]
    [InlineData("ovs-appctl bond/show", "ovs-appctl_bond.show")]
    [InlineData("/usr/sbin/ovs-vsctl --format=json list bridge", "ovs-vsctl_--format_json_list_bridge")]
    [InlineData("ls -laZ /run/openvswitch", "ls_-laZ_.run.openvswitch")]
    public void Mangle_names_files_as_sos_does(string command, string file) =>
        Assert.Equal(file, SosFileNames.Mangle(command));

    [Fact]
    public void Mangle_cuts_long_names_to_the_file_name_limit() =>
        Assert.Equal(255, SosFileNames.Mangle("ip netns exec " + new string('n', 300) + " ip route show table all").Length);

    [Fact]
    public void Words_joins_known_names_that_contain_underscores()
    {
        var known = new HashSet<string> { "br_ex", "nimb_pod_1" };
        Assert.Equal(["ovs-ofctl", "dump-ports", "br_ex"], SosFileNames.Words("ovs-ofctl_dump-ports_br_ex", known));
        Assert.Equal(["ovs-vsctl", "--format", "json", "list", "bridge"], SosFileNames.Words("ovs-vsctl_--format_json_list_bridge", known));
    }

    [Theory]
    [InlineData("ip_netns_exec_nimb_pod_1_ip_route_show_table_all", "nimb_pod_1", "ip_route_show_table_all")]
    [InlineData("ip_netns_exec_other_ns_iptables-save", "other_ns", "iptables-save")]
    [InlineData("ip_netns_exec_a-b_ethtool_-k_eth0", "a-b", "ethtool_-k_eth0")]
    public void Netns_exec_files_split_into_namespace_and_command(string file, string ns, string rest)
    {
        Assert.True(SosFileNames.TrySplitNetnsExec(file, ["nimb_pod_1"], out var n, out var r));
        Assert.Equal((ns, rest), (n, r));
    }
}
