using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

public sealed class IpLinkJsonTests
{
    [Fact]
    public void Given_ip_d_j_addr_of_a_worker_When_parsed_Then_every_device_with_its_kind_peer_and_addresses_is_read()
    {
        var (ns, log) = Fixture.Parse("wk.ip-d-j-addr.json", "ip -d -j addr show");

        Assert.Empty(log.Warnings);
        Assert.Equal(["lo", "ens3", "br-int", "mp0-br", "ovn-k8s-mp0", "8b7266486ea2861", "ifb0", "tap0", "mv0", "tunp1", "tunp0"],
            ns.Links.Select(l => l.Name));
        var ens3 = ns.FindLink("ens3")!;
        Assert.Equal((LinkKinds.Veth, 2, 0), (ens3.Kind, ens3.LinkIndex, ens3.LinkNetnsId));
        Assert.Equal(IpPrefix.Parse("198.51.100.163/24"), ens3.Addresses.Single(a => a.Prefix.IsV4).Prefix);
        // a veth whose peer is in the same namespace names it instead of giving an index
        var mp0br = ns.FindLink("mp0-br")!;
        Assert.Equal((5, (int?)null, "br-int", "bridge"), (mp0br.LinkIndex, mp0br.LinkNetnsId, mp0br.Master, mp0br.SlaveKind));
        Assert.Equal("forwarding", mp0br.BridgePort!.State);
        Assert.True(mp0br.BridgePort.Learning);
        var br = ns.FindLink("br-int")!;
        Assert.Equal((LinkKinds.Bridge, 0, false), (br.Kind, br.Bridge!.StpState, br.Bridge.VlanFiltering));
        Assert.Equal("tap", ns.FindLink("tap0")!.Tun!.Type);
        Assert.Equal("bridge", ns.FindLink("mv0")!.Macvlan!.Mode);
        Assert.Equal(LinkKinds.Ifb, ns.FindLink("ifb0")!.Kind);
        var lo = ns.FindLink("lo")!;
        Assert.True(lo.DetailsKnown);
        Assert.Null(lo.Kind);
        Assert.True(lo.IsLoopback);
        var ptp = ns.FindLink("tunp0")!.Addresses.Single(a => a.Prefix.IsV4);
        Assert.Equal(IpPrefix.Parse("203.0.113.2/32"), ptp.Peer);
        Assert.Equal(["addresses", "link-details", "links"], ns.Known);
    }

    [Fact]
    public void Given_addresses_without_details_When_parsed_Then_kinds_stay_unknown()
    {
        var (ns, _) = Fixture.Parse("wk.ip-j-addr.json", "ip -j addr show");

        var ens3 = ns.FindLink("ens3")!;
        Assert.False(ens3.DetailsKnown);
        Assert.Null(ens3.Kind);
        Assert.Equal(MacAddress.Parse("4a:85:5c:be:4e:29"), ens3.Mac);
        Assert.DoesNotContain(Sections.LinkDetails, ns.Known);
        Assert.Contains(Sections.Addresses, ns.Known);
    }

    [Fact]
    public void Given_link_then_addr_When_both_parsed_Then_one_link_per_device_holds_both()
    {
        var (ns, _) = Fixture.Parse("wk.ip-d-j-link.json", "ip -d -j link show");
        Assert.Empty(ns.FindLink("ens3")!.Addresses);
        Fixture.Parse("wk.ip-j-addr.json", "ip -j addr show", ns);

        Assert.Equal(11, ns.Links.Count);
        Assert.Equal(LinkKinds.Veth, ns.FindLink("ens3")!.Kind);
        Assert.NotEmpty(ns.FindLink("ens3")!.Addresses);
    }

    [Fact]
    public void Given_a_vxlan_moved_into_a_pod_namespace_When_parsed_Then_its_underlay_index_is_kept_and_the_misleading_name_dropped()
    {
        // vxlan1 was created in wk with "dev ens3" (ifindex 2 there); iproute2 in wkpod names ifindex 2 there: "eth0"
        var (ns, _) = Fixture.Parse("wkpod.ip-d-j-addr.json", "ip -d -j addr show");

        var vx = ns.FindLink("vxlan1")!;
        Assert.Equal((LinkKinds.Vxlan, 0, (int?)null), (vx.Kind, vx.LinkNetnsId, vx.LinkIndex));
        Assert.Equal(555005u, vx.Vxlan!.Vni);
        Assert.Equal(IPAddress.Parse("198.51.100.201"), vx.Vxlan.Remote);
        Assert.Equal((4789, false), (vx.Vxlan.DstPort, vx.Vxlan.Learning));
        Assert.Equal(2, vx.Vxlan.UnderlayIndex);
        Assert.Null(vx.Vxlan.UnderlayDevice);
        Assert.Equal(1450, vx.Mtu);
    }

    [Fact]
    public void Given_a_vxlan_whose_underlay_index_does_not_exist_locally_When_parsed_Then_the_ifN_name_gives_the_index()
    {
        var (ns, _) = Fixture.Parse("vmpod.ip-d-j-addr.json", "ip -d -j addr show");

        var vx = ns.FindLink("vxlan0")!;
        Assert.Equal(2, vx.Vxlan!.UnderlayIndex);
        Assert.Equal(MacAddress.Parse("7e:e5:f7:e6:f5:1a"), vx.Mac);
        Assert.Equal(IpPrefix.Parse("198.18.2.46/23"), vx.Addresses.Single(a => a.Prefix.IsV4).Prefix);
    }

    [Fact]
    public void Given_text_output_instead_of_json_When_parsed_Then_a_warning_names_the_file_and_nothing_is_known()
    {
        var (ns, log) = Fixture.Parse("wk.ip-link.txt", "ip -j link show");

        Assert.Empty(ns.Links);
        Assert.Empty(ns.Known);
        var w = Assert.Single(log.Warnings);
        Assert.Equal("wk.ip-link.txt:1", w.Source!.ToString());
        Assert.Contains("not JSON", w.Message);
    }
}
