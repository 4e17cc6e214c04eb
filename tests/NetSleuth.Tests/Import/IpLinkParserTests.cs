using System.Net;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class IpLinkParserTests
{
    [Fact]
    public void Pod_side_ip_d_link_reads_veth_peer_and_xnetns_vxlan()
    {
        var (ns, _) = Parse("ip -d link show", "pod/ip_-d_link_show.txt");
        var eth0 = ns.FindLink("eth0")!;
        Assert.Equal(2, eth0.Index);
        Assert.Equal(LinkKinds.Veth, eth0.Kind);
        Assert.Equal(6, eth0.LinkIndex);
        Assert.Equal("nimp-cap-wk", eth0.LinkNetnsName);
        Assert.Equal("nimp-cap-wk", eth0.LinkNamespace);
        Assert.Equal("0a:58:0a:84:02:2e", eth0.Mac.ToString());
        Assert.True(eth0.DetailsKnown);
        var vx = ns.FindLink("vxlan1")!.Vxlan!;
        Assert.Equal(555005u, vx.Vni);
        Assert.Equal(IPAddress.Parse("198.51.100.201"), vx.Remote);
        Assert.Equal(4789, vx.DstPort);
        Assert.False(vx.Learning);
        Assert.Null(vx.UnderlayDevice);
        Assert.Equal(new SourceRef(Fixture("iproute2", "pod/ip_-d_link_show.txt"), 3), eth0.Source);
        Assert.Contains(Sections.Links, ns.Known);
        Assert.Contains(Sections.LinkDetails, ns.Known);
        Assert.DoesNotContain(Sections.Addresses, ns.Known);
        var lo = ns.FindLink("lo")!;
        Assert.True(lo.DetailsKnown);
        Assert.Null(lo.Kind);
    }

    [Fact]
    public void Worker_bridge_ports_and_same_namespace_veth_peer_resolve()
    {
        var (ns, _) = Parse("ip -d link", "worker/ip_-d_link_show.txt");
        var mp0br = ns.FindLink("mp0-br")!;
        Assert.Equal("br-int", mp0br.Master);
        Assert.Equal("bridge", mp0br.SlaveKind);
        Assert.Equal("forwarding", mp0br.BridgePort!.State);
        Assert.Equal("ovn-k8s-mp0", mp0br.LinkName);
        Assert.Equal(ns.FindLink("ovn-k8s-mp0")!.Index, mp0br.LinkIndex);
        Assert.Null(mp0br.LinkNamespace);
        Assert.Equal(LinkKinds.Bridge, ns.FindLink("br-int")!.Kind);
        Assert.Equal(0, ns.FindLink("br-int")!.Bridge!.StpState);
    }

    [Fact]
    public void Kinds_namespace_reads_macvlan_tun_tap_vxlan_port_and_altname()
    {
        var (ns, _) = Parse("ip -d link show", "kinds/ip_-d_link_show.txt");
        Assert.Equal("bridge", ns.FindLink("mv0")!.Macvlan!.Mode);
        Assert.Equal("dum0", ns.FindLink("mv0")!.LinkName);
        Assert.Equal("tap", ns.FindLink("tap0")!.Tun!.Type);
        Assert.Equal("tun", ns.FindLink("tun0")!.Tun!.Type);
        Assert.Equal("none", ns.FindLink("tun0")!.LinkType);
        var vx9 = ns.FindLink("vx9")!;
        Assert.Equal(9u, vx9.Vxlan!.Vni);
        Assert.Equal(IPAddress.Parse("203.0.113.10"), vx9.Vxlan.Local);
        Assert.Equal("dum0", vx9.Vxlan.UnderlayDevice);
        Assert.True(vx9.Vxlan.Learning);
        Assert.Equal("br0", vx9.Master);
        Assert.Contains("dummy-uplink", ns.FindLink("dum0")!.AltNames);
        Assert.Equal(LinkKinds.Ifb, ns.FindLink("ifb0")!.Kind);
    }

    [Fact]
    public void Ip_addr_reads_addresses_labels_flags_and_peer()
    {
        var (ns, _) = Parse("ip addr", "kinds/ip_addr.txt");
        var dum0 = ns.FindLink("dum0")!;
        Assert.Contains(dum0.Addresses, a => a.Prefix.ToString() == "203.0.113.11/24" && a.Flags.Contains("secondary") && a.Label == "dum0");
        Assert.Contains(dum0.Addresses, a => a.Prefix.ToString() == "2001:db8:1::10/64" && a.Flags.Contains("nodad"));
        var tun = ns.FindLink("tun0")!.Addresses.Single();
        Assert.Equal("198.18.80.1/32", tun.Prefix.ToString());
        Assert.Equal("198.18.80.2/32", tun.Peer.ToString());
        Assert.Contains(Sections.Addresses, ns.Known);
        Assert.False(dum0.DetailsKnown);
    }

    [Theory]
    [InlineData("ip -o addr", "kinds/ip_-o_addr.txt")]
    [InlineData("ip -br addr", "kinds/ip_-br_addr.txt")]
    [InlineData("ip -d addr", "kinds/ip_-d_addr.txt")]
    public void Oneline_brief_and_detailed_addr_give_the_same_addresses(string command, string fixture)
    {
        var (reference, _) = Parse("ip addr", "kinds/ip_addr.txt");
        var (ns, _) = Parse(command, fixture);
        foreach (var link in reference.Links.Where(l => l.Addresses.Count > 0))
            Assert.Equal(link.Addresses.Select(a => a.Prefix.ToString()).Order(), ns.FindLink(link.Name)!.Addresses.Select(a => a.Prefix.ToString()).Order());
        Assert.Contains(Sections.Addresses, ns.Known);
    }

    [Fact]
    public void Stats_lines_are_skipped_and_oneline_link_reads_altname()
    {
        var (ns, host) = Parse("ip -s -d link", "kinds/ip_-s_-d_link.txt");
        Assert.Empty(host.Warnings);
        Assert.Equal(11, ns.Links.Count);
        var (one, h2) = Parse("ip -o link", "kinds/ip_-o_link.txt");
        Assert.Empty(h2.Warnings);
        Assert.Contains("dummy-uplink", one.FindLink("dum0")!.AltNames);
    }

    [Fact]
    public void A_selected_device_adds_facts_but_does_not_make_links_known()
    {
        var (ns, _) = Parse("ip -d link show vxlan1", "pod/ip_-d_link_show_vxlan1.txt");
        Assert.Equal(555005u, ns.FindLink("vxlan1")!.Vxlan!.Vni);
        Assert.DoesNotContain(Sections.Links, ns.Known);
        Assert.DoesNotContain(Sections.LinkDetails, ns.Known);
    }

    [Fact]
    public void Old_formats_link_netnsid_none_and_old_vxlan_line()
    {
        var (ns, host) = Parse("ip -d link show vx1", "public/netlink-107_ip_-d_link_show_vx1.txt");
        var vx = ns.FindLink("vx1")!.Vxlan!;
        Assert.Equal(42u, vx.Vni);
        Assert.Equal("eth0", vx.UnderlayDevice);
        Assert.Equal(32768, vx.SrcPortMin);
        Assert.Equal(61000, vx.SrcPortMax);
        Assert.Equal(256, vx.DstPort);
        Assert.Empty(host.Warnings);

        var (vlanNs, _) = Parse("ip -d link show stor0", "public/multinet_ip_-d_link_show_stor0.txt");
        var stor0 = vlanNs.FindLink("stor0")!;
        Assert.Equal(120, stor0.Vlan!.Id);
        Assert.Equal(0, stor0.LinkNetnsId);
        Assert.Equal(2, stor0.LinkIndex);
        Assert.Null(stor0.LinkNamespace); // netnsid 0 was never named: unknown stays unknown
    }
}
