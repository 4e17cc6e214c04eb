using System.Text;
using NetSleuth.Import;
using NetSleuth.Import.Sos;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>
/// The indexes that keep a large import linear (links by name and ifindex, namespaces by name, table
/// upserts, sos namespace file names) give the answers the linear searches gave: renamed links, links
/// moved between namespaces, the same name in many namespaces, entries appended behind the index.
/// </summary>
public sealed class ImportIndexTests
{
    private static CommandOutput Out(string command, params string[] lines) =>
        new(CommandLine.Parse(command, []).Argv, lines, "t.txt", 1);

    private const string Eth0Link = "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000";

    [Fact]
    public void Given_a_link_renamed_by_a_later_json_listing_when_text_names_it_then_the_same_link_is_found_by_its_new_name()
    {
        var b = new HostBuilder("h");
        b.Apply(Out("ip link", Eth0Link, "    link/ether 0a:58:0a:84:02:2e brd ff:ff:ff:ff:ff:ff link-netnsid 0"));
        b.Apply(Out("ip -j link", """[{"ifindex":2,"ifname":"net1","flags":["UP"],"mtu":1500,"link_type":"ether","address":"0a:58:0a:84:02:2e"}]"""));
        b.Apply(Out("ip addr show dev net1", "2: net1@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
            "    inet 198.18.2.46/23 scope global net1"));
        var ns = b.Finish().Root!;

        var link = Assert.Single(ns.Links);
        Assert.Equal(("net1", 2), (link.Name, link.Index));
        Assert.Equal("198.18.2.46/23", Assert.Single(link.Addresses).Prefix.ToString());
        Assert.Null(LinkLookup.Of(ns).ByName("eth0"));
        Assert.Same(link, LinkLookup.Of(ns).ByName("net1"));
    }

    [Fact]
    public void Given_a_link_moved_to_another_namespace_when_both_are_listed_then_each_namespace_keeps_its_own_link()
    {
        var b = new HostBuilder("h");
        b.Apply(Out("ip -d link show", "9: vxlan1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000",
            "    link/ether c2:54:ce:a6:04:cc brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ",
            "    vxlan id 555005 remote 198.51.100.201 dev ens3 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 "));
        b.Apply(Out("ip netns exec pod ip -d link show", "7: vxlan1@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000",
            "    link/ether c2:54:ce:a6:04:cc brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ",
            "    vxlan id 555005 remote 198.51.100.201 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 "), "pod");
        var host = b.Finish();

        var inRoot = Assert.Single(host.Root!.Links);
        var inPod = Assert.Single(host.FindNamespace("pod")!.Links);
        Assert.NotSame(inRoot, inPod);
        Assert.Equal((9, "ens3"), (inRoot.Index, inRoot.Vxlan!.UnderlayDevice));
        Assert.Equal((7, 9), (inPod.Index, inPod.LinkIndex));
    }

    [Fact]
    public void Given_a_thousand_pods_each_with_eth0_when_imported_then_every_eth0_gets_its_own_address_and_peer()
    {
        var t = new StringBuilder();
        t.Append("[root@node ~]# ip link\n");
        for (int i = 0; i < 1000; i++)
            t.Append($"{10 + i}: cali{i:x11}@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n")
             .Append($"    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns pod{i}\n");
        for (int i = 0; i < 1000; i++)
        {
            t.Append($"[root@node ~]# ip netns exec pod{i} ip addr show eth0\n")
             .Append($"2: eth0@if{10 + i}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000\n")
             .Append("    link/ether 0a:58:c6:12:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n")
             .Append($"    inet 198.18.{i / 250}.{i % 250 + 1}/32 scope global eth0\n");
        }
        t.Append("[root@node ~]# ip netns\n");
        for (int i = 999; i >= 0; i--) t.Append($"pod{i} (id: {i})\n");

        var host = Assert.Single(ImportTestKit.LoadText(t.ToString()).Hosts);

        Assert.Equal(1001, host.Namespaces.Count);
        Assert.Equal(1000, host.Root!.NetnsIds.Count);
        for (int i = 0; i < 1000; i += 37)
        {
            var eth0 = Assert.Single(host.FindNamespace($"pod{i}")!.Links);
            Assert.Equal($"198.18.{i / 250}.{i % 250 + 1}/32", Assert.Single(eth0.Addresses).Prefix.ToString());
            Assert.Equal((10 + i, 0), (eth0.LinkIndex, eth0.LinkNetnsId)); // the pod's own netnsids were not listed
            Assert.Equal($"pod{i}", host.Root.FindLink($"cali{i:x11}")!.LinkNamespace);
        }
    }

    [Fact]
    public void Given_random_adds_renames_renumbers_and_outside_changes_then_lookups_agree_with_a_linear_search()
    {
        var rnd = new Random(7);
        var ns = new NetNamespace { Id = "x" };
        var links = LinkLookup.Of(ns);
        string Name() => "if" + rnd.Next(40);
        for (int step = 0; step < 3000; step++)
        {
            switch (rnd.Next(7))
            {
                case 0: links.Add(new Link { Name = Name(), Index = rnd.Next(50) }); break;
                case 1: ns.Links.Add(new Link { Name = Name(), Index = rnd.Next(50) }); break; // behind the index
                case 2 when ns.Links.Count > 0: links.Rename(ns.Links[rnd.Next(ns.Links.Count)], rnd.Next(10) == 0 ? "" : Name()); break;
                case 3 when ns.Links.Count > 0: links.Renumber(ns.Links[rnd.Next(ns.Links.Count)], rnd.Next(50)); break;
                case 4 when ns.Links.Count > 0: ns.Links.RemoveAt(rnd.Next(ns.Links.Count)); break;
                case 5 when rnd.Next(20) == 0: ns.Links = [.. ns.Links.Where((_, k) => k % 2 == 0)]; break; // list replaced
                case 6: _ = Facts.GetOrAddLink(ns, rnd.Next(3) == 0 ? null : rnd.Next(50), Name(), new SourceRef("t")); break;
            }
            var name = Name();
            int index = rnd.Next(50);
            Assert.Same(ns.FindLink(name), links.ByName(name));
            Assert.Same(ns.FindLink(index), links.ByIndex(index));
            Assert.Same(ns.Links.FirstOrDefault(l => l.Index == index && l.Name.Length == 0), links.NamelessByIndex(index));
        }
    }

    [Fact]
    public void Given_neighbours_from_several_outputs_and_a_json_reader_then_a_later_entry_replaces_the_older_one()
    {
        var b = new HostBuilder("h");
        b.Apply(Out("ip neigh", "198.18.2.46 dev eth0 lladdr 0a:58:0a:84:02:2e STALE ", "198.18.2.47 dev eth0 lladdr 0a:58:0a:84:02:2f STALE "));
        b.Apply(Out("ip -j neigh", """[{"dst":"198.18.2.48","dev":"eth0","lladdr":"0a:58:0a:84:02:30","state":["REACHABLE"]}]"""));
        b.Apply(Out("ip neigh | grep 198.18.2.4", "198.18.2.47 dev eth0 lladdr 0a:58:0a:84:02:2f REACHABLE ", "198.18.2.48 dev eth0 lladdr 0a:58:0a:84:02:31 DELAY "));
        var ns = b.Finish().Root!;

        Assert.Equal(["198.18.2.46 STALE", "198.18.2.47 REACHABLE", "198.18.2.48 DELAY"],
            ns.Neighbors.Select(n => $"{n.Address} {string.Join(',', n.State)}"));
        Assert.Equal("0a:58:0a:84:02:31", ns.Neighbors[2].Mac.ToString());
    }

    [Fact]
    public void Given_the_root_named_by_ip_netns_identify_then_commands_in_that_netns_name_go_to_the_root()
    {
        var b = new HostBuilder("h");
        b.Apply(Out("ip netns exec other ip link", Eth0Link), "other");
        b.Apply(Out("ip netns identify", "wk"));
        b.Apply(Out("ip netns exec wk ip link", Eth0Link), "wk");
        var host = b.Finish();

        Assert.Equal(["other", "root"], host.Namespaces.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal("wk", host.Root!.Name);
        Assert.Single(host.Root.Links);
    }

    [Theory]
    [InlineData("ip_netns_exec_a_b_ip_route_show_table_all", "a_b", "ip_route_show_table_all")]
    [InlineData("ip_netns_exec_a_ip_route_show_table_all", "a", "ip_route_show_table_all")]
    [InlineData("ip_netns_exec_cni-1_x_iptables-save", "cni-1_x", "iptables-save")]
    public void Sos_namespace_file_names_split_at_the_longest_known_namespace(string file, string ns, string rest)
    {
        var known = new HashSet<string>(["a", "a_b", "cni-1", "cni-1_x", "b"], StringComparer.Ordinal);

        Assert.True(SosFileNames.TrySplitNetnsExec(file, known, out var n, out var r));
        Assert.Equal((ns, rest), (n, r));
    }
}
