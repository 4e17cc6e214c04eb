using NetSleuth.Diagnosis;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// Flannel-style VXLAN (flannel.1 without a remote, driven by FDB entries and permanent neighbours):
/// each fault is one finding on the faulty node, with the objects as evidence and the commands that fix it.
/// </summary>
public sealed class FlannelDiagnosisTests
{
    [Fact]
    public void Given_one_node_with_another_vni_when_diagnosed_then_that_node_is_recreated_with_its_peers_vni()
    {
        var c = new FlannelCluster(4);
        c.Flannel(2).Vxlan!.Vni = 7;

        var r = Diag.Run(c.Snapshot);

        Assert.Equal(["vxlan-vni-mismatch"], Diag.Problems(r));
        var f = Diag.Single(r, "vxlan-vni-mismatch");
        Assert.Equal($"VXLAN VNI mismatch: {FlannelCluster.Node(2)}:flannel.1 uses VNI 7, its 3 FDB peers (e.g. {FlannelCluster.Node(0)}:flannel.1) use 1", f.Title);
        Assert.All(f.Fix, s => Assert.Equal(FlannelCluster.Node(2), s.Host));
        var commands = Diag.AllCommands(f).Split('\n');
        Assert.Equal("ip link del dev flannel.1", commands[0]);
        Assert.Equal($"ip link add flannel.1 mtu 1450 type vxlan id 1 local {FlannelCluster.NodeIp(2)} dev eth0 dstport 8472 nolearning", commands[1]);
        Assert.Contains($"ip link set dev flannel.1 address {FlannelCluster.Mac(2)}", commands);
        // everything flannel wrote on the device comes back: routes, permanent neighbours, FDB entries
        foreach (int m in new[] { 0, 1, 3 })
        {
            Assert.Contains($"ip neigh replace {c.FlannelAddress(m)} lladdr {FlannelCluster.Mac(m)} dev flannel.1 nud permanent", commands);
            Assert.Contains($"bridge fdb append {FlannelCluster.Mac(m)} dev flannel.1 dst {FlannelCluster.NodeIp(m)} self permanent", commands);
            Assert.Contains(commands, x => x.StartsWith("ip route replace ", StringComparison.Ordinal) && x.EndsWith($"via {c.FlannelAddress(m)} dev flannel.1 onlink", StringComparison.Ordinal));
        }
        Assert.Contains(f.Evidence, e => e.Kind == "fdb" && e.Host == FlannelCluster.Node(2));
    }

    [Fact]
    public void Given_one_node_with_another_dstport_when_diagnosed_then_that_node_is_recreated_with_its_peers_port()
    {
        var c = new FlannelCluster(4);
        c.Flannel(1).Vxlan!.DstPort = 4789;

        var r = Diag.Run(c.Snapshot);

        Assert.Equal(["vxlan-dstport-mismatch"], Diag.Problems(r));
        var f = Diag.Single(r, "vxlan-dstport-mismatch");
        Assert.StartsWith($"VXLAN dstport mismatch: {FlannelCluster.Node(1)}:flannel.1 sends to and listens on UDP 4789", f.Title);
        Assert.Contains($"ip link add flannel.1 mtu 1450 type vxlan id 1 local {FlannelCluster.NodeIp(1)} dev eth0 dstport 8472 nolearning", Diag.AllCommands(f));
    }

    [Fact]
    public void Given_two_nodes_with_different_vnis_when_diagnosed_then_one_finding_changes_one_end()
    {
        var c = new FlannelCluster(2);
        c.Flannel(0).Vxlan!.Vni = 5;

        var r = Diag.Run(c.Snapshot);

        var f = Diag.Single(r, "vxlan-vni-mismatch");
        Assert.Contains("nothing says which end is right", f.Explanation);
        Assert.Single(f.Fix.SelectMany(s => s.Commands), x => x.StartsWith("ip link add ", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_an_fdb_entry_to_an_address_nobody_owns_when_diagnosed_then_the_entry_is_replaced_with_the_peers_node_address()
    {
        var c = new FlannelCluster(4);
        c.Fdb(3, 1).Dst = System.Net.IPAddress.Parse("198.18.0.250");

        var r = Diag.Run(c.Snapshot);

        Assert.Equal(["vxlan-fdb-dst-wrong"], Diag.Problems(r));
        var f = Diag.Single(r, "vxlan-fdb-dst-wrong");
        Assert.Equal($"{FlannelCluster.Node(3)}:flannel.1: the FDB sends {FlannelCluster.Node(1)}:flannel.1's MAC {FlannelCluster.Mac(1)} to 198.18.0.250, " +
            $"but {FlannelCluster.Node(1)}:flannel.1 has its socket on {FlannelCluster.NodeIp(1)}", f.Title);
        var step = Assert.Single(f.Fix);
        Assert.Equal(FlannelCluster.Node(3), step.Host);
        Assert.Equal([$"bridge fdb replace {FlannelCluster.Mac(1)} dev flannel.1 dst {FlannelCluster.NodeIp(1)} self permanent"], step.Commands);
        Assert.Equal("fdb", f.Evidence[0].Kind);
        Assert.Equal($"{FlannelCluster.Mac(1)} dev flannel.1 dst 198.18.0.250 self permanent", f.Evidence[0].Text);
        Assert.NotNull(f.Evidence[0].Source);
    }

    [Fact]
    public void Given_an_fdb_entry_to_another_node_when_diagnosed_then_it_is_found_too()
    {
        var c = new FlannelCluster(4);
        c.Fdb(0, 1).Dst = FlannelCluster.NodeIp(2);

        var r = Diag.Run(c.Snapshot);

        var f = Diag.Single(r, "vxlan-fdb-dst-wrong");
        Assert.Contains($"belongs to {FlannelCluster.Node(2)}:eth0", f.Explanation);
    }

    [Fact]
    public void Given_a_missing_permanent_neighbour_on_flannel_when_diagnosed_then_the_entry_is_put_back_with_the_peers_mac()
    {
        var c = new FlannelCluster(4);
        var gw = c.FlannelAddress(3);
        c.Host(0).Root!.Neighbors.RemoveAll(n => n.Device == "flannel.1" && n.Address.Equals(gw));

        var r = Diag.Run(c.Snapshot);

        Assert.Equal(["neighbor-permanent-missing"], Diag.Problems(r));
        var f = Diag.Single(r, "neighbor-permanent-missing");
        Assert.Equal($"{FlannelCluster.Node(0)}: route via {gw} on flannel.1 has no permanent neighbour entry for the gateway", f.Title);
        Assert.Equal([$"ip neigh replace {gw} lladdr {FlannelCluster.Mac(3)} dev flannel.1 nud permanent"], Assert.Single(f.Fix).Commands);
        Assert.Contains(f.Evidence, e => e.Kind == "route" && e.Host == FlannelCluster.Node(0) && e.Text.Contains($" via {gw} dev flannel.1", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_missing_neighbour_and_its_fdb_entry_when_diagnosed_then_the_fix_adds_both()
    {
        var c = new FlannelCluster(3);
        var gw = c.FlannelAddress(2);
        c.Host(0).Root!.Neighbors.RemoveAll(n => n.Device == "flannel.1" && n.Address.Equals(gw));
        c.Host(0).Root!.Fdb.Remove(c.Fdb(0, 2));

        var r = Diag.Run(c.Snapshot);

        var f = Diag.Single(r, "neighbor-permanent-missing");
        Assert.Equal([$"ip neigh replace {gw} lladdr {FlannelCluster.Mac(2)} dev flannel.1 nud permanent",
            $"bridge fdb append {FlannelCluster.Mac(2)} dev flannel.1 dst {FlannelCluster.NodeIp(2)} self permanent"], Assert.Single(f.Fix).Commands);
    }

    [Fact]
    public void Given_a_permanent_neighbour_with_a_mac_no_fdb_entry_has_when_diagnosed_then_it_gets_the_peers_mac_back()
    {
        // as after the peer recreated its flannel.1 with a new MAC and this node kept the old one
        var c = new FlannelCluster(3);
        var gw = c.FlannelAddress(2);
        c.Host(0).Root!.Neighbors.Single(n => n.Device == "flannel.1" && n.Address.Equals(gw)).Mac = NetSleuth.Model.MacAddress.Parse("9a:00:00:00:00:99");

        var r = Diag.Run(c.Snapshot);

        Assert.Equal(["neighbor-wrong-mac"], Diag.Problems(r));
        var f = Diag.Single(r, "neighbor-wrong-mac");
        Assert.Equal([$"ip neigh replace {gw} lladdr {FlannelCluster.Mac(2)} dev flannel.1 nud permanent"], Assert.Single(f.Fix).Commands);
        Assert.Contains("no FDB entry for 9a:00:00:00:00:99", f.Explanation);
    }

    [Fact]
    public void Given_one_node_of_a_cluster_when_diagnosed_then_it_says_which_far_ends_are_not_in_the_input_and_raises_nothing()
    {
        var c = new FlannelCluster(3);
        c.Snapshot.Hosts.RemoveAll(h => h.Name != FlannelCluster.Node(0));

        var r = Diag.Run(c.Snapshot);

        Assert.Empty(Diag.Problems(r));
        var f = Diag.Single(r, "tunnel-far-end-unknown");
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal($"{FlannelCluster.Node(0)}:flannel.1: the far ends of 2 FDB entries are not in the input ({FlannelCluster.NodeIp(1)}, {FlannelCluster.NodeIp(2)})", f.Title);
        Assert.Single(f.Decide);
    }
}
