using System.Text.Json.Nodes;
using NetSleuth.Collect;
using NetSleuth.Collect.Netlink;
using NetSleuth.Model;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Collect;

/// <summary>
/// The in-process netlink reader gives the same namespaces as the `ip`/`tc`/`bridge`/`nft` JSON path (the
/// reference): both collections of the lab are serialized with the snapshot serializer and compared object by
/// object, namespace by namespace. The differences that are inherent are listed with why each is excused.
/// </summary>
public sealed class NetlinkCollectTests : IClassFixture<NetlinkLab>
{
    private readonly NetlinkLab _lab;
    private readonly ITestOutputHelper _out;

    public NetlinkCollectTests(NetlinkLab lab, ITestOutputHelper output)
    {
        _lab = lab;
        _out = output;
    }

    [Fact]
    public void Given_rich_namespaces_When_collected_over_netlink_and_with_the_tools_Then_every_namespace_is_the_same_but_for_excused_differences()
    {
        var (differences, excused, netlink) = Compare();
        if (differences.Count > 0)
        {
            // something may have settled between the two reads (a carrier, a multicast join): once more
            Thread.Sleep(1000);
            (differences, excused, netlink) = Compare();
        }
        if (_lab.Missing.Count > 0) _out.WriteLine("the kernel lacks: " + string.Join(", ", _lab.Missing));
        foreach (var e in excused.Distinct()) _out.WriteLine("excused: " + e);
        Assert.True(differences.Count == 0,
            $"{differences.Count} difference(s) between netlink and tools (first 20):\n" + string.Join('\n', differences.Take(20)));
        if (Environment.GetEnvironmentVariable("NETSLEUTH_ACCEPT") == "1") NetlinkFixtures.Capture(_lab.Node, _out);

        // the in-process path was really taken, and handed the undecodable to the tool
        var node = netlink.Namespaces.Single(n => n.Name == _lab.Node);
        var pod = netlink.Namespaces.Single(n => n.Name == _lab.Pod);
        var odd = netlink.Namespaces.Single(n => n.Name == _lab.Odd);
        Assert.All(node.Links, l => Assert.StartsWith("rtnetlink", l.Source!.File));
        Assert.All(node.Routes, r => Assert.StartsWith("rtnetlink", r.Source!.File));
        Assert.All(pod.Filters, f => Assert.StartsWith("rtnetlink", f.Source!.File));
        Assert.Contains(pod.Filters, f => f.Actions.Any(a => a.MirredAction == "redirect" && a.TargetDevice == "vxpod"));
        Assert.Contains(node.Filters, f => f.Kind == "bpf");
        Assert.Contains(node.Routes, r => r.NextHops.Count == 2 && r.Mtu == 1400);
        Assert.Contains(pod.Links, l => l.Vxlan is { Vni: 555005, UnderlayDevice: "ul" } && l.LinkNamespace == "root");
        Assert.All(odd.Filters, f => Assert.StartsWith("tc -j", f.Source!.File));
        Assert.Contains(odd.Filters, f => f.Protocol == "[4660]"); // ethertype 0x1234 as tc prints it
        Assert.Equal("nfnetlink NFT_MSG_GETTABLE", pod.Nftables!.Source!.File);
        Assert.Empty(pod.Nftables.Tables);
        Assert.Contains(node.Nftables!.Tables, t => t.Name == "nsnl");
        Assert.Equal("2", node.Sysctl("net.ipv4.conf.ul.rp_filter"));
        Assert.Equal("1", node.Sysctl("net.ipv6.conf.br0.forwarding"));
        Assert.Equal("1", node.Sysctl("net.ipv4.ip_forward"));
        Assert.Equal("2", node.Sysctl("net.ipv4.conf.default.arp_ignore"));
    }

    [Fact]
    public void Given_a_namespace_with_an_nft_table_and_one_without_When_nf_tables_is_asked_Then_it_counts_them()
    {
        Assert.Equal(1, InNamespace(_lab.Node, NftProbe.CountTables));
        Assert.Equal(0, InNamespace(_lab.Pod, NftProbe.CountTables));
    }

    private (List<string> Differences, List<string> Excused, Host Netlink) Compare()
    {
        var tools = Collect(toolsOnly: true);
        var netlink = Collect(toolsOnly: false);
        var differences = new List<string>();
        var excused = new List<string>();
        Assert.Equal(string.Join('\n', tools.Warnings), string.Join('\n', netlink.Warnings));
        var t = Namespaces(tools);
        var n = Namespaces(netlink);
        Assert.Equal(t.Keys.Order(), n.Keys.Order());
        Assert.Equal(4, t.Count);
        foreach (var id in t.Keys.Order(StringComparer.Ordinal))
            SnapshotDiff.Compare(id, n[id], t[id], differences, excused);
        return (differences, excused, netlink);
    }

    private Host Collect(bool toolsOnly) => LiveCollector.CollectHost(new CollectOptions
    {
        HostName = "lab",
        RootNamespace = _lab.Node,
        Namespaces = [_lab.Pod, _lab.Odd, _lab.Under],
        ToolsOnly = toolsOnly,
    });

    /// <summary>Each namespace as the snapshot serializer writes it, keyed by Id.</summary>
    private static Dictionary<string, JsonObject> Namespaces(Host host)
    {
        var json = JsonNode.Parse(SnapshotJson.SerializeFull(new Snapshot { Hosts = [host] }))!;
        return json["hosts"]![0]!["namespaces"]!.AsArray().Select(x => x!.AsObject()).ToDictionary(x => (string)x["id"]!);
    }

    private static T InNamespace<T>(string name, Func<T> read)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                using var f = File.OpenHandle($"/run/netns/{name}");
                if (Native.setns((int)f.DangerousGetHandle(), Native.CLONE_NEWNET) != 0) throw new InvalidOperationException("setns failed");
                result = read();
            }
            catch (Exception e) { error = e; }
        });
        t.Start();
        t.Join();
        if (error is not null) throw error;
        return result;
    }
}
