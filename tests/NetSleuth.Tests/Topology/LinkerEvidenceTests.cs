using System.Net;
using NetSleuth.Model;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>The linker on thin or conflicting evidence: what it picks, and what it says it assumed.</summary>
public sealed class LinkerEvidenceTests
{
    private static DeviceRef Dev(NetSleuth.Topology.Topology t, string spec) => t.FindDevice(spec) ?? throw new InvalidOperationException(spec);

    [Fact]
    public void Given_ovs_ports_without_ovsdb_and_one_ovs_bridge_when_linked_then_they_are_assumed_ports_of_it()
    {
        var b = new HostBuilder("h");
        b.Dev(b.Root, "ovs-system", LinkKinds.OpenVSwitch, "02:00:00:00:01:00");
        b.Dev(b.Root, "br-int", LinkKinds.OpenVSwitch, "02:00:00:00:01:01");
        var port = b.Dev(b.Root, "veth1", LinkKinds.Veth, "02:00:00:00:01:02");
        port.Master = "ovs-system";
        port.SlaveKind = LinkKinds.OpenVSwitch;

        var t = Linker.Link(new Snapshot { Hosts = [b.Host] });

        var e = Assert.Single(t.Edges, e => e.Kind == EdgeKind.OvsPort);
        Assert.Equal("br-int", e.To!.Link.Name);
        Assert.Contains("the only Open vSwitch bridge device", e.Assumption);
    }

    [Fact]
    public void Given_ovs_ports_without_ovsdb_and_two_ovs_bridges_when_linked_then_they_hang_off_the_datapath()
    {
        var b = new HostBuilder("h");
        b.Dev(b.Root, "ovs-system", LinkKinds.OpenVSwitch, "02:00:00:00:01:00");
        b.Dev(b.Root, "br-int", LinkKinds.OpenVSwitch, "02:00:00:00:01:01");
        b.Dev(b.Root, "br-ex", LinkKinds.OpenVSwitch, "02:00:00:00:01:03");
        var port = b.Dev(b.Root, "veth1", LinkKinds.Veth, "02:00:00:00:01:02");
        port.Master = "ovs-system";

        var t = Linker.Link(new Snapshot { Hosts = [b.Host] });

        var e = Assert.Single(t.Edges, e => e.Kind == EdgeKind.OvsPort && e.From.Link.Name == "veth1");
        Assert.Equal("ovs-system", e.To!.Link.Name);
        Assert.Contains("which of its 2 bridges is unknown", e.Assumption);
    }

    [Fact]
    public void Given_an_x_netns_vxlan_when_linked_then_its_underlay_device_is_the_route_to_the_remote()
    {
        var t = Linker.Link(PeerPodsModel.Build());

        var e = Assert.Single(t.EdgesFrom(Dev(t, "worker:wkpod:vxlan1")), e => e.Kind == EdgeKind.TunnelUnderlay);
        Assert.Equal("worker:ens3", e.To!.ToString());
        Assert.Null(e.Assumption);
    }

    [Fact]
    public void Given_tunnel_ends_on_different_subnets_when_linked_then_a_routed_underlay_edge_says_so()
    {
        var snap = PeerPodsModel.Build();
        var vm = snap.Hosts[1].Root!;
        var ens2 = vm.FindLink("ens2")!;
        ens2.Addresses[0].Prefix = IpPrefix.Parse("203.0.113.201/24");
        vm.Routes.Clear();
        vm.Routes.Add(new Route { Destination = IpPrefix.Parse("203.0.113.0/24"), Device = "ens2", Scope = "link" });
        vm.Routes.Add(new Route { Destination = IpPrefix.DefaultV4, Gateway = IPAddress.Parse("203.0.113.1"), Device = "ens2" });
        var wk = snap.Hosts[0].Root!;
        wk.Routes.Add(new Route { Destination = IpPrefix.DefaultV4, Gateway = IPAddress.Parse("198.51.100.1"), Device = "ens3" });
        snap.Hosts[0].FindNamespace("wkpod")!.FindLink("vxlan1")!.Vxlan!.Remote = IPAddress.Parse("203.0.113.201");

        var t = Linker.Link(snap);

        Assert.Empty(t.Segments);
        var e = Assert.Single(t.Edges, e => e.Kind == EdgeKind.Underlay);
        Assert.Equal(("worker:ens3", "podvm:ens2"), (e.From.ToString(), e.To!.ToString()));
        Assert.Equal("routed via 198.51.100.1", e.Label);
        Assert.Contains("share no subnet", e.Assumption);
        Assert.NotNull(t.Tunnel(Dev(t, "worker:wkpod:vxlan1"))!.Far);
    }

    [Fact]
    public void Given_the_pod_ip_when_asked_which_namespaces_hold_it_then_both_copies_are_named()
    {
        var t = Linker.Link(PeerPodsModel.Build());

        var holders = t.NamespacesHolding(IPAddress.Parse("198.18.2.46")).Select(n => n.ToString());

        Assert.Equal(["worker:wkpod", "podvm:podns"], holders);
        Assert.Empty(t.NamespacesHolding(IPAddress.Parse("198.18.9.9")));
        Assert.Contains(t.AddressOwners, o => o.Address.ToString() == "198.18.2.2" && o.Device.Link.Name == "ovn-k8s-mp0");
    }

    [Fact]
    public void Given_device_specs_when_found_then_root_named_and_inode_namespaces_resolve()
    {
        var b = new HostBuilder("h");
        var anon = b.Ns("inode:4026532241");
        anon.Name = null;
        b.Veth(b.Root, "vethA", "02:00:00:00:02:01", anon, "eth0", "02:00:00:00:02:02");
        var t = Linker.Link(new Snapshot { Hosts = [b.Host] });

        Assert.Equal("vethA", t.FindDevice("h:vethA")!.Link.Name);
        Assert.Equal("vethA", t.FindDevice("h:root:vethA")!.Link.Name);
        Assert.Equal("inode:4026532241", t.FindDevice("h:inode:4026532241:eth0")!.Ns.Id);
        Assert.Null(t.FindDevice("h:nope:eth0"));
        Assert.Null(t.FindDevice("other:vethA"));
    }

    [Fact]
    public void Given_a_link_netns_name_for_a_namespace_with_no_devices_shown_when_linked_then_the_ifindex_pair_decides_once()
    {
        var snap = PeerPodsModel.Build();
        var host = snap.Hosts[0];
        host.Namespaces.Add(new NetNamespace { Id = "wk-named", Name = "wk-named" }); // an importer's placeholder from `ip netns list-id`
        var eth0 = host.FindNamespace("wkpod")!.FindLink("eth0")!;
        eth0.LinkNamespace = null;
        eth0.LinkNetnsName = "wk-named";

        var t = Linker.Link(snap);

        var d = Dev(t, "worker:wkpod:eth0");
        Assert.Equal("8b7266486ea2861", t.VethPeer(d)!.Link.Name);
        Assert.Single(t.Edges, e => e.Kind == EdgeKind.Veth && (e.From == d || e.To == d));
        Assert.Contains(t.Assumptions, a => a.Text.Contains("shows no device in it") && a.Text.Contains("matched"));
    }

    [Fact]
    public void Given_a_veth_between_two_lab_hosts_when_linked_then_the_link_netns_name_finds_the_peer_on_the_other_host()
    {
        var snap = PeerPodsModel.Build();
        var (wk, vm) = (snap.Hosts[0].Root!, snap.Hosts[1].Root!);
        wk.Name = "lab-wk";
        vm.Name = "lab-vm";
        var (ens3, ens2) = (wk.FindLink("ens3")!, vm.FindLink("ens2")!);
        (ens3.Kind, ens2.Kind) = (LinkKinds.Veth, LinkKinds.Veth);
        (ens3.LinkIndex, ens2.LinkIndex) = (ens2.Index, ens3.Index);
        (ens3.LinkNetnsName, ens2.LinkNetnsName) = ("lab-vm", "lab-wk");

        var t = Linker.Link(snap);

        Assert.Equal("podvm:ens2", t.VethPeer(Dev(t, "worker:ens3"))!.ToString());
        Assert.Single(t.Edges, e => e.Kind == EdgeKind.Veth && e.From.Link.Name is "ens2" or "ens3");
    }

    [Fact]
    public void Given_the_same_mirred_filter_shown_twice_when_linked_then_one_edge_is_drawn()
    {
        var snap = PeerPodsModel.Build();
        var wkpod = snap.Hosts[0].FindNamespace("wkpod")!;
        wkpod.Filters.Add(wkpod.Filters[0]);

        var t = Linker.Link(snap);

        Assert.Equal(2, t.Edges.Count(e => e.Kind == EdgeKind.TcRedirect));
    }
}
