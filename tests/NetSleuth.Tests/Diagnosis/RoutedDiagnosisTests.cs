using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>The checks on a routed topology: pods on a bridge, a router, a far node (faults.md rows 9, 11–16).</summary>
public sealed class RoutedDiagnosisTests
{
    [Fact]
    public void Given_the_healthy_routed_topology_when_diagnosed_then_there_is_no_problem()
    {
        var r = Diag.Run(new RoutedModel().Snapshot);

        Assert.Empty(Diag.Problems(r));
    }

    [Fact]
    public void Given_iptables_drops_pod_traffic_on_the_router_when_diagnosed_then_the_rule_is_deleted()
    {
        var m = new RoutedModel();
        m.Router.Root.Iptables.Add(new IptablesTable
        {
            Name = "filter",
            Chains = [new IptablesChain { Name = "FORWARD", Policy = "ACCEPT" }],
            Rules = [new IptablesRule { Chain = "FORWARD", Args = ["-s", "198.18.10.0/24", "-d", "203.0.113.16/28", "-j", "DROP"], Target = "DROP" }],
        });

        var r = Diag.Run(m.Snapshot);

        var f = Diag.Single(r, "firewall-drop");
        Assert.Equal(["iptables -t filter -D FORWARD -s 198.18.10.0/24 -d 203.0.113.16/28 -j DROP"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_an_iptables_drop_with_a_set_match_when_diagnosed_then_it_is_left_alone()
    {
        var m = new RoutedModel();
        m.Router.Root.Iptables.Add(new IptablesTable
        {
            Name = "filter",
            Rules = [new IptablesRule { Chain = "FORWARD", Args = ["-s", "198.18.10.0/24", "-m", "set", "!", "--match-set", "allowed", "dst", "-j", "DROP"], Target = "DROP" }],
        });

        Assert.DoesNotContain("firewall-drop", Diag.Problems(Diag.Run(m.Snapshot)));
    }

    [Fact]
    public void Given_the_far_node_has_no_route_back_when_diagnosed_then_the_return_route_is_added()
    {
        var m = new RoutedModel();
        m.Node2.Root.Routes.RemoveAll(x => x.Destination.ToString() == "198.18.10.0/24");

        var r = Diag.Run(m.Snapshot);

        var f = Diag.Single(r, "no-return-route");
        Assert.Equal("node2", f.Fix.Single().Host);
        Assert.Equal(["ip route replace 198.18.10.0/24 via 203.0.113.17"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_forwarding_is_off_on_the_router_when_diagnosed_then_it_is_turned_on()
    {
        var m = new RoutedModel();
        m.Router.Root.Sysctls["net.ipv4.ip_forward"] = "0";

        var f = Diag.Single(Diag.Run(m.Snapshot), "ip-forward-disabled");

        Assert.Equal("router", f.Fix.Single().Host);
        Assert.Equal(["sysctl -w net.ipv4.ip_forward=1"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_strict_rp_filter_and_an_asymmetric_return_when_diagnosed_then_rp_filter_is_loosened()
    {
        var m = new RoutedModel();
        var r2b = m.Router.Dev(m.Router.Root, "r-n2b", null, "02:00:00:00:0f:03");
        m.Router.Addr(m.Router.Root, r2b, "203.0.113.33/28");
        var eth2 = m.Node2.Dev(m.Node2.Root, "eth2", null, "02:00:00:00:02:02");
        m.Node2.Addr(m.Node2.Root, eth2, "203.0.113.34/28");
        m.Node2.Root.Routes.RemoveAll(x => x.Destination.ToString() == "198.18.10.0/24");
        m.Node2.Route(m.Node2.Root, "198.18.10.0/24", "203.0.113.33", "eth2");
        m.Router.Root.Sysctls["net.ipv4.conf.all.rp_filter"] = "1";

        var f = Diag.Single(Diag.Run(m.Snapshot), "rp-filter-drop");

        Assert.Contains("r-n2b", f.Title);
        Assert.Equal(["sysctl -w net.ipv4.conf.all.rp_filter=2", "sysctl -w net.ipv4.conf.r-n2b.rp_filter=2"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_loose_rp_filter_and_an_asymmetric_return_when_diagnosed_then_nothing_is_reported()
    {
        var m = new RoutedModel();
        var r2b = m.Router.Dev(m.Router.Root, "r-n2b", null, "02:00:00:00:0f:03");
        m.Router.Addr(m.Router.Root, r2b, "203.0.113.33/28");
        var eth2 = m.Node2.Dev(m.Node2.Root, "eth2", null, "02:00:00:00:02:02");
        m.Node2.Addr(m.Node2.Root, eth2, "203.0.113.34/28");
        m.Node2.Route(m.Node2.Root, "198.18.10.0/24", "203.0.113.33", "eth2");
        m.Router.Root.Sysctls["net.ipv4.conf.all.rp_filter"] = "2";

        Assert.DoesNotContain("rp-filter-drop", Diag.Problems(Diag.Run(m.Snapshot)));
    }

    [Fact]
    public void Given_a_permanent_neighbour_with_a_wrong_mac_when_diagnosed_then_it_is_replaced_by_the_owners_mac()
    {
        var m = new RoutedModel();
        m.Router.Neigh(m.Router.Root, "203.0.113.18", "r-n2", "02:00:5e:10:00:99");

        var f = Diag.Single(Diag.Run(m.Snapshot), "neighbor-wrong-mac");

        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal([$"ip neigh replace 203.0.113.18 lladdr {RoutedModel.Node2Mac} dev r-n2 nud permanent"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_correct_permanent_neighbour_when_diagnosed_then_nothing_is_reported()
    {
        var m = new RoutedModel();
        m.Router.Neigh(m.Router.Root, "203.0.113.18", "r-n2", RoutedModel.Node2Mac);

        Assert.Empty(Diag.Problems(Diag.Run(m.Snapshot)));
    }

    [Fact]
    public void Given_a_failed_neighbour_for_a_gateway_when_diagnosed_then_a_flush_is_suggested()
    {
        var m = new RoutedModel();
        m.Node1.Neigh(m.Node1.Root, "203.0.113.2", "eth1", null, "FAILED");

        var f = Diag.Single(Diag.Run(m.Snapshot), "neighbor-failed");

        Assert.Equal(["ip neigh flush to 203.0.113.2 dev eth1"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_two_pods_with_one_address_on_one_bridge_when_diagnosed_then_duplicate_ip_is_reported()
    {
        var m = new RoutedModel(pods: 2, podIpOverride: "198.18.10.11/24");

        var f = Diag.Single(Diag.Run(m.Snapshot), "duplicate-ip");

        Assert.Equal(2, f.Evidence.Count);
        Assert.Equal(["ip -n pod2 addr del 198.18.10.11/24 dev eth0"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_pod_route_via_a_gateway_nobody_owns_without_a_neighbour_when_diagnosed_then_the_permanent_entry_is_added()
    {
        // EKS/Calico style: default via 169.254.1.1 onlink, answered by a static entry to the host veth's MAC
        var b = new HostBuilder("node");
        var pod = b.Ns("pod");
        var (host, eth0) = b.Veth(b.Root, "eni123", "02:00:00:00:00:01", pod, "eth0", "02:00:00:00:00:02");
        b.Addr(pod, eth0, "198.18.20.5/32");
        var r = b.Route(pod, "default", "169.254.1.1", "eth0");
        r.Flags.Add("onlink");
        b.Root.Sysctls["net.ipv4.conf.eni123.proxy_arp"] = "0";
        b.Route(b.Root, "198.18.20.5/32", null, "eni123");
        var snap = new Snapshot { Hosts = [b.Host] };

        var f = Diag.Single(Diag.Run(snap), "neighbor-permanent-missing");
        Assert.Equal(["ip -n pod neigh replace 169.254.1.1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent"], f.Fix.Single().Commands);

        b.Neigh(pod, "169.254.1.1", "eth0", "02:00:00:00:00:01");
        Assert.DoesNotContain("neighbor-permanent-missing", Diag.Problems(Diag.Run(snap)));
    }

    [Fact]
    public void Given_a_redirect_to_a_device_in_another_namespace_when_diagnosed_then_it_is_moved_back()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var worker = s.Hosts[0];
        var vx = worker.FindNamespace("wkpod")!.FindLink("vxlan1")!;
        worker.FindNamespace("wkpod")!.Links.Remove(vx);
        vx.Index = 77;
        vx.LinkNamespace = null; vx.LinkNetnsId = null;
        worker.Root!.Links.Add(vx);

        var f = Diag.Single(Diag.Run(s), "device-wrong-namespace");

        Assert.Equal(["ip link set dev vxlan1 netns wkpod"], f.Fix[0].Commands);
        Assert.Equal(["ip -n wkpod link set dev vxlan1 up"], f.Fix[1].Commands);
    }
}
