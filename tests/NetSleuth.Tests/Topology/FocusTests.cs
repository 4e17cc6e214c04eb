using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

public sealed class FocusTests
{
    private static IReadOnlyList<string> Kept(FocusResult f) => f.Devices.Select(d => d.ToString()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Given_a_20_pod_node_when_focused_on_one_pod_ip_then_only_its_path_is_kept()
    {
        var t = Linker.Link(PodNodeModel.Build());

        var f = Focus.Select(t, "198.18.0.17");

        Assert.Equal(["node1:br-int", "node1:ens3", "node1:mp0-br", "node1:ovn-k8s-mp0", "node1:pod-07:eth0", "node1:pod-07:lo", "node1:veth07", "node2:ens3"], Kept(f));
        Assert.Contains("node2 routes 198.18.0.17 out of ens3 via 198.51.100.10", f.Notes);
    }

    [Fact]
    public void Given_the_peer_pods_model_when_focused_on_the_pod_ip_then_both_hosts_tunnel_and_redirects_are_kept()
    {
        var t = Linker.Link(PeerPodsModel.Build());

        var f = Focus.Select(t, "198.18.2.46");

        Assert.Equal(["podvm:ens2", "podvm:podns:lo", "podvm:podns:vxlan0", "worker:8b7266486ea2861", "worker:br-int", "worker:ens3",
            "worker:mp0-br", "worker:ovn-k8s-mp0", "worker:wkpod:eth0", "worker:wkpod:lo", "worker:wkpod:vxlan1"], Kept(f));
    }

    [Fact]
    public void Given_a_device_focus_when_selected_then_the_bridge_is_kept_but_not_its_other_ports()
    {
        var t = Linker.Link(PodNodeModel.Build());

        var f = Focus.Select(t, "node1:veth03");

        Assert.Contains("node1:pod-03:eth0", Kept(f));
        Assert.Contains("node1:br-int", Kept(f));
        Assert.DoesNotContain("node1:veth04", Kept(f));
    }

    [Theory]
    [InlineData("node1:nope", "no such device")]
    [InlineData("nothing", "not an IP address or HOST:DEVICE")]
    [InlineData("203.0.113.77", "no host's root namespace has a route to it")]
    public void Given_a_focus_naming_nothing_when_selected_then_it_says_why(string spec, string message)
    {
        var t = Linker.Link(PodNodeModel.Build());

        var e = Assert.Throws<FocusException>(() => Focus.Select(t, spec));

        Assert.Contains(message, e.Message);
    }
}
