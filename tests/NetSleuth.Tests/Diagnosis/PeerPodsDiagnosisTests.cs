using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>The checks on the mission story's two machines (faults.md rows 1–8, 10, 11, 17–19).</summary>
public sealed class PeerPodsDiagnosisTests
{
    private static Host Worker(Snapshot s) => s.Hosts[0];
    private static Host PodVm(Snapshot s) => s.Hosts[1];
    private static NetNamespace Ns(Host h, string id) => h.FindNamespace(id)!;

    [Fact]
    public void Given_the_healthy_lab_when_diagnosed_then_there_is_no_problem()
    {
        var r = Diag.Run(PeerPodsModel.Build(macMismatch: false));

        Assert.Empty(Diag.Problems(r));
        Assert.False(r.HasErrors);
    }

    [Fact]
    public void Given_the_mission_fault_when_diagnosed_then_the_mac_mismatch_is_the_one_error_with_the_fix()
    {
        var r = Diag.Run(PeerPodsModel.Build());

        Assert.Equal(["neighbor-mac-mismatch"], Diag.Problems(r));
        var f = r.Findings[0];
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("podvm:podns:vxlan0", f.Title);
        var step = Assert.Single(f.Fix);
        Assert.Equal("podvm", step.Host);
        Assert.Equal("podns", step.Namespace);
        Assert.Equal([
            "ip -n podns link set dev vxlan0 down",
            "ip -n podns link set dev vxlan0 address 0a:58:0a:84:02:2e",
            "ip -n podns link set dev vxlan0 up",
            "ip -n podns route replace default via 198.18.2.1 dev vxlan0",
        ], step.Commands);
        Assert.Contains(f.Evidence, e => e.Kind == "neighbour" && e.Host == "worker" && e.Text.Contains(PeerPodsModel.PodMac));
        Assert.Contains(f.Evidence, e => e.Kind == "tc filter" && e.Namespace == "wkpod");
    }

    [Fact]
    public void Given_the_neighbour_already_holds_the_far_mac_when_diagnosed_then_nothing_is_reported()
    {
        // faults.md #3: ARP answered over the tunnel (Flannel/Calico style): the MACs differ, it works
        var s = PeerPodsModel.Build(macMismatch: true);
        Worker(s).Root!.Neighbors[0].Mac = MacAddress.Parse(PeerPodsModel.OtherMac);
        Worker(s).Root!.Neighbors[0].State = ["REACHABLE"];

        Assert.Empty(Diag.Problems(Diag.Run(s)));
    }

    [Fact]
    public void Given_a_source_of_frames_through_ovs_port_security_when_diagnosed_then_it_merges_with_the_mac_mismatch()
    {
        var s = PeerPodsModel.Build();
        var root = Worker(s).Root!;
        root.FindLink("br-int")!.Kind = LinkKinds.OpenVSwitch;
        foreach (var n in new[] { "8b7266486ea2861", "mp0-br" }) { root.FindLink(n)!.Master = "ovs-system"; root.FindLink(n)!.SlaveKind = LinkKinds.OpenVSwitch; }
        root.Ovs = new OvsState
        {
            Bridges = [new OvsBridge { Name = "br-int", Ports = [
                new OvsPort { Name = "br-int", Interfaces = [new OvsInterface { Name = "br-int", Type = "internal" }] },
                new OvsPort { Name = "mp0-br", Interfaces = [new OvsInterface { Name = "mp0-br" }] },
                new OvsPort { Name = "8b7266486ea2861", Interfaces = [new OvsInterface { Name = "8b7266486ea2861",
                    ExternalIds = new() { ["attached_mac"] = PeerPodsModel.PodMac, ["iface-id"] = "ns_pod" } }] },
            ] }],
        };

        var r = Diag.Run(s);

        var f = Assert.Single(r.Findings, x => x.Severity == Severity.Error);
        Assert.Equal("neighbor-mac-mismatch", f.Id);
        Assert.Contains("port-security-mac-mismatch", f.AlsoSeenAs);
        Assert.Contains(f.Evidence, e => e.Kind == "ovs interface" && e.Text.Contains("attached_mac=" + PeerPodsModel.PodMac));
    }

    [Fact]
    public void Given_port_security_alone_when_diagnosed_then_it_is_reported_with_the_mac_fix()
    {
        var s = PeerPodsModel.Build(macMismatch: true);
        Worker(s).Root!.Neighbors.Clear(); // no static entry: ARP over the tunnel, requests work; replies meet port security
        var root = Worker(s).Root!;
        root.FindLink("br-int")!.Kind = LinkKinds.OpenVSwitch;
        var hv = root.FindLink("8b7266486ea2861")!;
        hv.Master = "ovs-system"; hv.SlaveKind = LinkKinds.OpenVSwitch;
        root.Ovs = new OvsState { Bridges = [new OvsBridge { Name = "br-int", Ports = [new OvsPort { Name = hv.Name, Interfaces = [
            new OvsInterface { Name = hv.Name, ExternalIds = new() { ["attached_mac"] = PeerPodsModel.PodMac } }] }] }] };

        var f = Diag.Single(Diag.Run(s), "port-security-mac-mismatch");

        Assert.Contains("ip -n podns link set dev vxlan0 address 0a:58:0a:84:02:2e", Diag.AllCommands(f));
    }

    [Fact]
    public void Given_the_redirect_back_is_missing_when_diagnosed_then_the_filter_to_add_is_given()
    {
        var r = Diag.Run(PeerPodsModel.Build(macMismatch: false, redirectBack: false));

        Assert.Equal(["tc-redirect-missing"], Diag.Problems(r));
        Assert.Equal([
            "tc -n wkpod qdisc replace dev vxlan1 ingress",
            "tc -n wkpod filter add dev vxlan1 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0",
        ], r.Findings[0].Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_vni_mismatch_when_diagnosed_then_the_far_end_is_recreated_with_the_pod_sides_vni()
    {
        var r = Diag.Run(PeerPodsModel.Build(macMismatch: false, farVni: 555006));

        Assert.Equal(["vxlan-vni-mismatch"], Diag.Problems(r));
        var f = r.Findings[0];
        Assert.Equal(("podvm", "podns"), (f.Fix[0].Host, f.Fix[0].Namespace));
        Assert.Equal(["ip -n podns link del dev vxlan0"], f.Fix[0].Commands);
        Assert.Equal(("podvm", (string?)null), (f.Fix[1].Host, f.Fix[1].Namespace));
        Assert.Equal([
            "ip link add vxlan0 mtu 1400 type vxlan id 555005 remote 198.51.100.163 dstport 4789 nolearning",
            "ip link set dev vxlan0 netns podns",
        ], f.Fix[1].Commands);
        Assert.Equal([
            "ip -n podns link set dev vxlan0 address 0a:58:0a:84:02:2e",
            "ip -n podns addr add 198.18.2.46/23 dev vxlan0",
            "ip -n podns link set dev vxlan0 up",
            "ip -n podns route replace default via 198.18.2.1 dev vxlan0",
        ], f.Fix[2].Commands);
    }

    [Fact]
    public void Given_a_dstport_mismatch_when_diagnosed_then_the_far_end_is_recreated_with_the_port()
    {
        var r = Diag.Run(PeerPodsModel.Build(macMismatch: false, farPort: 4790));

        Assert.Equal(["vxlan-dstport-mismatch"], Diag.Problems(r));
        Assert.Contains("dstport 4789", r.Findings[0].Fix[1].Commands[0]);
    }

    [Fact]
    public void Given_the_far_remote_points_to_nobody_when_diagnosed_then_the_remote_is_set_to_the_workers_address()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Ns(PodVm(s), "podns").FindLink("vxlan0")!.Vxlan!.Remote = IPAddress.Parse("198.51.100.99");

        var r = Diag.Run(s);

        Assert.Equal(["vxlan-remote-wrong"], Diag.Problems(r));
        Assert.Equal(["ip -n podns link set dev vxlan0 type vxlan remote 198.51.100.163"], r.Findings[0].Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_small_underlay_mtu_when_diagnosed_then_a_warning_lowers_the_overlay()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Worker(s).Root!.FindLink("ens3")!.Mtu = 1400;

        var r = Diag.Run(s);

        Assert.Equal(["mtu-overlay-too-large"], Diag.Problems(r));
        Assert.Equal(Severity.Warning, r.Findings[0].Severity);
        Assert.Contains("ip -n wkpod link set dev vxlan1 mtu 1350", Diag.AllCommands(r.Findings[0]));
        Assert.False(r.HasErrors);
    }

    [Fact]
    public void Given_an_overlay_fed_only_by_a_redirect_from_a_1400_byte_pod_when_diagnosed_then_its_own_mtu_1500_is_no_problem()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Ns(Worker(s), "wkpod").FindLink("vxlan1")!.Mtu = 1500; // 1500 + 50 > 1500, but only 1400-byte frames ever enter it

        Assert.Empty(Diag.Problems(Diag.Run(s)));
    }

    [Fact]
    public void Given_a_1500_byte_pod_redirected_into_the_overlay_when_diagnosed_then_the_mtu_warning_names_the_redirect()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Ns(Worker(s), "wkpod").FindLink("eth0")!.Mtu = 1500;
        Worker(s).Root!.FindLink("8b7266486ea2861")!.Mtu = 1500;

        var r = Diag.Run(s);

        Assert.Equal(["mtu-overlay-too-large"], Diag.Problems(r));
        Assert.Contains("1500-byte frames redirected from eth0", r.Findings[0].Title);
        Assert.Contains("ip -n wkpod link set dev eth0 mtu 1450", Diag.AllCommands(r.Findings[0]));
    }

    [Fact]
    public void Given_an_nft_rule_dropping_the_tunnel_port_when_diagnosed_then_the_rule_is_deleted_by_handle()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        PodVm(s).Root!.Nftables = new NftRuleset
        {
            Tables = [new NftTable { Family = "inet", Name = "lab" }],
            Chains = [new NftChain { Family = "inet", Table = "lab", Name = "input", Type = "filter", Hook = "input", Priority = 0, Policy = "accept" }],
            Rules = [new NftRule { Family = "inet", Table = "lab", Chain = "input", Handle = 2, Text = "udp dport 4789 drop" }],
        };

        var r = Diag.Run(s);

        Assert.Equal(["firewall-drop"], Diag.Problems(r));
        Assert.Equal(["nft delete rule inet lab input handle 2"], r.Findings[0].Fix.Single().Commands);
    }

    [Theory]
    // decided by the Forwarding evaluator the tracer uses: conntrack state is known (the tunnel packet is NEW),
    // a source that is not the tunnel's remote does not match
    [InlineData("ct state new udp dport 4789 drop", true)]
    [InlineData("ct state established udp dport 4789 drop", false)]
    [InlineData("ip saddr 203.0.113.0/24 udp dport 4789 drop", false)]
    public void Given_an_nft_rule_on_the_tunnel_port_with_more_matches_when_diagnosed_then_the_evaluator_decides(string text, bool reported)
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        PodVm(s).Root!.Nftables = new NftRuleset
        {
            Tables = [new NftTable { Family = "inet", Name = "lab" }],
            Chains = [new NftChain { Family = "inet", Table = "lab", Name = "input", Type = "filter", Hook = "input", Priority = 0, Policy = "accept" }],
            Rules = [new NftRule { Family = "inet", Table = "lab", Chain = "input", Handle = 2, Text = text }],
        };

        var problems = Diag.Problems(Diag.Run(s));

        Assert.Equal(reported, problems.Contains("firewall-drop"));
    }

    [Fact]
    public void Given_an_nft_rule_on_another_port_when_diagnosed_then_nothing_is_reported()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        PodVm(s).Root!.Nftables = new NftRuleset
        {
            Chains = [new NftChain { Family = "inet", Table = "lab", Name = "input", Type = "filter", Hook = "input" }],
            Rules = [new NftRule { Family = "inet", Table = "lab", Chain = "input", Handle = 2, Text = "udp dport 53 drop" }],
        };

        Assert.Empty(Diag.Problems(Diag.Run(s)));
    }

    [Fact]
    public void Given_the_pod_eth0_is_down_when_diagnosed_then_link_down_names_it_once()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var eth0 = Ns(Worker(s), "wkpod").FindLink("eth0")!;
        eth0.Flags = ["BROADCAST", "MULTICAST"];
        eth0.OperState = "DOWN";

        var r = Diag.Run(s);

        var f = Diag.Single(r, "link-down");
        Assert.Contains("worker:wkpod:eth0", f.Title);
        Assert.Equal(["ip -n wkpod link set dev eth0 up"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_the_pod_subnet_route_is_missing_when_diagnosed_then_no_route_gives_the_connected_route()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Worker(s).Root!.Routes.RemoveAll(x => x.Destination.ToString() == "198.18.2.0/23");

        var r = Diag.Run(s);

        Assert.Equal(["no-route"], Diag.Problems(r));
        Assert.Equal(["ip route replace 198.18.2.0/23 dev ovn-k8s-mp0 proto kernel scope link src 198.18.2.2"], r.Findings[0].Fix.Single().Commands);
    }

    [Fact]
    public void Given_the_underlay_route_is_missing_when_diagnosed_then_the_tunnel_underlay_check_restores_it()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Worker(s).Root!.Routes.RemoveAll(x => x.Destination.ToString() == "198.51.100.0/24");

        var r = Diag.Run(s);

        Assert.Equal(["tunnel-underlay-no-route"], Diag.Problems(r));
        Assert.Equal(["ip route replace 198.51.100.0/24 dev ens3 proto kernel scope link src 198.51.100.163"], r.Findings[0].Fix.Single().Commands);
    }

    [Fact]
    public void Given_the_pod_veth_end_is_on_another_bridge_when_diagnosed_then_it_is_moved_to_br_int()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var root = Worker(s).Root!;
        root.Links.Add(new Link { Index = 90, Name = "br-ex", Kind = LinkKinds.Bridge, DetailsKnown = true, Mac = MacAddress.Parse("02:00:00:00:0e:01"), Flags = ["UP", "LOWER_UP"], OperState = "UP" });
        root.FindLink("8b7266486ea2861")!.Master = "br-ex";

        var r = Diag.Run(s);

        var f = Diag.Single(r, "bridge-port-wrong-master");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal(["ip link set dev 8b7266486ea2861 master br-int"], f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_the_pod_veth_peer_is_gone_when_diagnosed_then_the_pair_is_recreated_on_the_bridge()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        Worker(s).Root!.Links.RemoveAll(l => l.Name == "8b7266486ea2861");

        var r = Diag.Run(s);

        var f = Diag.Single(r, "veth-peer-missing");
        Assert.Equal(Severity.Error, f.Severity);
        var all = Diag.AllCommands(f);
        Assert.StartsWith("ip -n wkpod link del dev eth0", all);
        Assert.Contains("type veth peer name eth0 mtu 1400 netns wkpod", all); // the pod's MTU is kept
        Assert.Contains("master br-int", all);
        Assert.Contains("tc -n wkpod filter add dev eth0 parent ffff: pref 49152 protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1", all);
        Assert.Contains("tc -n wkpod filter del dev vxlan1 parent ffff: pref 49152", all);
    }

    [Fact]
    public void Given_the_far_host_is_missing_when_diagnosed_then_a_note_says_what_would_decide()
    {
        var s = PeerPodsModel.Build();
        s.Hosts.RemoveAt(1);

        var r = Diag.Run(s);

        Assert.False(r.HasErrors);
        var f = Diag.Single(r, "tunnel-far-end-unknown");
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Contains("198.51.100.201", Assert.Single(f.Decide).Host);
    }
}
