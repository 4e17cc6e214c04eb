using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.LabTests.Collect;

/// <summary>`netsleuth collect` on a real lab reports exactly its namespaces, with every veth peer
/// and vxlan underlay resolved to the right namespace.</summary>
public sealed class CollectTopologyTests : IClassFixture<CollectLab>
{
    private readonly CollectLab _lab;
    public CollectTopologyTests(CollectLab lab) => _lab = lab;

    private (Host Host, string Stderr) Collect()
    {
        var (snap, _, stderr) = CollectRun.Cli("--netns", _lab.Prefix + "*", "--netns", "inode:" + _lab.UnnamedInode, "--host-name", "lab");
        return (Assert.Single(snap.Hosts), stderr);
    }

    [Fact]
    public void Given_the_lab_When_collected_with_netns_filters_Then_exactly_its_namespaces_are_reported_without_warnings()
    {
        var (host, stderr) = Collect();

        var unnamed = "inode:" + _lab.UnnamedInode.ToString(CultureInfo.InvariantCulture);
        Assert.Equal([.. _lab.Names.Order(StringComparer.Ordinal), unnamed], host.Namespaces.Select(n => n.Id));
        Assert.Empty(host.Warnings);
        Assert.Equal("", stderr);
        Assert.Equal("lab", host.Name);
        Assert.Equal("collect", host.Meta.Origin);
        Assert.NotNull(host.Meta.Kernel);
        Assert.StartsWith("6.", host.Meta.Iproute2Version);
        Assert.All(host.Namespaces.Where(n => n.Id != unnamed), n => Assert.Equal(n.Id, n.Name));
        string[] sections = [Sections.Links, Sections.LinkDetails, Sections.Addresses, Sections.Routes4, Sections.Routes6, Sections.AllTables,
            Sections.Rules4, Sections.Rules6, Sections.Neighbors, Sections.Fdb, Sections.Tc, Sections.Iptables, Sections.Nftables,
            Sections.Sysctls, Sections.NetnsIds];
        Assert.All(host.Namespaces, n => Assert.Equal(sections.Order(StringComparer.Ordinal), n.Known));
        var u = host.FindNamespace(unnamed)!;
        Assert.Null(u.Name);
        Assert.Equal(_lab.UnnamedInode, u.Inode);
        Assert.Contains(u.Processes, p => p.Pid == _lab.Holder!.Id && p.Command == "sleep");
    }

    [Fact]
    public void Given_veths_across_namespaces_When_collected_Then_every_peer_resolves_to_its_namespace_and_points_back()
    {
        var (host, _) = Collect();
        var unnamed = "inode:" + _lab.UnnamedInode.ToString(CultureInfo.InvariantCulture);

        (string Ns, string Link, string PeerNs, string PeerLink)[] pairs =
        [
            (_lab.Wk, "ens3", _lab.Vm, "ens2"),
            (_lab.Wk, "8b7266486ea2861", _lab.WkPod, "eth0"),
            (_lab.Wk, "ovn-k8s-mp0", _lab.Wk, "mp0-br"),
            (_lab.Wk, "cni0", unnamed, "eth9"),
        ];
        foreach (var (nsId, name, peerNsId, peerName) in pairs)
        {
            var a = host.FindNamespace(nsId)!.FindLink(name)!;
            var b = host.FindNamespace(peerNsId)!.FindLink(peerName)!;
            Assert.Equal((LinkKinds.Veth, LinkKinds.Veth), (a.Kind, b.Kind));
            Assert.Equal((peerNsId, b.Index), (a.LinkNamespace, a.LinkIndex));
            Assert.Equal((nsId, a.Index), (b.LinkNamespace, b.LinkIndex));
        }
        // netnsids are the reporting namespace's own numbers, mapped to real namespaces
        var wk = host.FindNamespace(_lab.Wk)!;
        var ens3 = wk.FindLink("ens3")!;
        Assert.Contains(new NetnsIdEntry(ens3.LinkNetnsId!.Value, _lab.Vm), wk.NetnsIds);
        Assert.Contains(wk.NetnsIds, e => e.Namespace == unnamed);
        Assert.All(host.Namespaces.SelectMany(n => n.NetnsIds), e => Assert.NotNull(e.Namespace));
    }

    [Fact]
    public void Given_vxlans_created_elsewhere_and_moved_When_collected_Then_the_underlay_namespace_and_device_are_resolved()
    {
        var (host, _) = Collect();

        var vx1 = host.FindNamespace(_lab.WkPod)!.FindLink("vxlan1")!;
        Assert.Equal((_lab.Wk, "ens3", 555005u), (vx1.LinkNamespace, vx1.Vxlan!.UnderlayDevice, vx1.Vxlan.Vni));
        Assert.Equal(IPAddress.Parse("198.51.100.201"), vx1.Vxlan.Remote);
        Assert.Equal((4789, false), (vx1.Vxlan.DstPort, vx1.Vxlan.Learning));
        var vx0 = host.FindNamespace(_lab.VmPod)!.FindLink("vxlan0")!;
        Assert.Equal((_lab.Vm, "ens2"), (vx0.LinkNamespace, vx0.Vxlan!.UnderlayDevice));
        Assert.Equal(MacAddress.Parse("7e:e5:f7:e6:f5:1a"), vx0.Mac);
        Assert.Equal(1400, vx0.Mtu);
    }

    [Fact]
    public void Given_tc_neighbours_tables_rules_and_sysctls_When_collected_Then_each_is_reported_in_its_namespace()
    {
        var (host, _) = Collect();
        var wk = host.FindNamespace(_lab.Wk)!;
        var pod = host.FindNamespace(_lab.WkPod)!;

        Assert.Equal([("eth0", "ingress", "vxlan1"), ("vxlan1", "ingress", "eth0")],
            pod.Filters.Select(f => (f.Device, f.Direction, f.Actions.Single(a => a.Kind == "mirred").TargetDevice!)).Order());
        Assert.All(pod.Filters, f => Assert.True(f.MatchesAll));
        Assert.Contains(pod.Qdiscs, q => q is { Device: "vxlan1", Kind: "clsact" });
        var n = wk.Neighbors.Single(x => x.Address.Equals(IPAddress.Parse("198.18.2.46")));
        Assert.Equal((MacAddress.Parse("0a:58:0a:84:02:2e"), "ovn-k8s-mp0", "PERMANENT"), (n.Mac!.Value, n.Device, n.State.Single()));
        var r = wk.Routes.Single(x => x.Table == 100);
        Assert.Equal((IpPrefix.Parse("203.0.113.0/24"), IPAddress.Parse("198.51.100.201")), (r.Destination, r.Gateway!));
        Assert.Contains(wk.Rules, x => x is { Priority: 1000, Table: 100, Family: "inet" } && x.From == IpPrefix.Parse("198.18.2.0/23"));
        Assert.Contains(wk.Rules, x => x is { Priority: 1001, Table: 100, Family: "inet6" });
        Assert.Contains(wk.Fdb, f => f.Device == "8b7266486ea2861" && f.Master == "br-int");
        Assert.Equal("br-int", wk.FindLink("mp0-br")!.Master);
        // sysctls are read inside each namespace
        Assert.Equal(("2", "1"), (pod.Sysctl("net.ipv4.conf.eth0.rp_filter"), pod.Sysctl("net.ipv4.ip_forward")));
        Assert.Equal("0", wk.Sysctl("net.ipv4.ip_forward"));
        Assert.Null(wk.Sysctl("net.ipv4.conf.eth0.rp_filter"));
        Assert.NotNull(wk.Sysctl("net.ipv4.conf.br-int.proxy_arp"));
    }
}
