using System.Text.Json.Nodes;
using NetSleuth.Collect.Netlink;
using NetSleuth.Import;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Tests.Collect;

/// <summary>The netlink decoders, fed captured dump replies (Fixtures/netlink), give the namespace the `ip`/`tc`
/// JSON readers make of the tools' output of the same moment.</summary>
public sealed class NetlinkDecodeTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "netlink");

    private static List<byte[]> Dump(string name) =>
        [.. File.ReadAllLines(Path.Combine(Dir, name + ".hex")).Where(l => l.Length > 0).Select(Convert.FromHexString)];

    [Fact]
    public void Given_captured_dumps_When_decoded_Then_links_addresses_routes_neighbours_and_tc_equal_the_json_readers()
    {
        var log = new ImportLog();
        var netlink = new NetNamespace { Id = "node" };
        var src = new SourceRef("x");
        var links = Dump("RTM_GETLINK");
        var names = RtnlLinks.Names(links);
        Assert.Null(RtnlLinks.Read(links, Dump("RTM_GETADDR"), netlink, src, src, log));
        Assert.Null(RtnlRoutes.Read(Dump("RTM_GETROUTE"), netlink, names, src, log));
        RtnlNeighbours.Read(Dump("RTM_GETNEIGH"), netlink, names, src, log);
        RtnlNeighbours.Read(Dump("RTM_GETNEIGH.proxy"), netlink, names, src, log);
        RtnlTc.ReadQdiscs(Dump("RTM_GETQDISC"), netlink, names, src);
        var listings = RtnlTc.Listings(netlink, names);
        foreach (var l in listings)
            Assert.Null(RtnlTc.ReadFilters(Dump($"RTM_GETTFILTER.{l.Device}.{l.Parent:x8}.{l.Direction}"), l, netlink, names, src));

        var tools = new NetNamespace { Id = "node" };
        Parse(tools, log, "ip-d-j-address-show.json", "ip", "-d", "-j", "address", "show");
        Parse(tools, log, "ip-d-j-route-show-table-all.json", "ip", "-d", "-j", "route", "show", "table", "all");
        Parse(tools, log, "ip-j-neigh-show-nud-all.json", "ip", "-j", "neigh", "show", "nud", "all");
        Parse(tools, log, "ip-j-neigh-show-proxy.json", "ip", "-j", "neigh", "show", "proxy");
        Parse(tools, log, "tc-j-qdisc-show.json", "tc", "-j", "qdisc", "show");
        foreach (var l in listings)
            Parse(tools, log, $"tc-j-filter.{l.Device}.{l.Parent:x8}.{l.Direction}.json",
                ["tc", "-j", "filter", "show", "dev", l.Device, .. l.Direction == "ingress" ? ["ingress"] : l.Parent == 0 ? Array.Empty<string>() : ["egress"]]);
        Assert.Empty(log.Warnings);

        Assert.Equal(4, listings.Count);
        Assert.Contains(netlink.Links, l => l.Vxlan is { Vni: 100, Group: not null, SrcPortMin: 1000 });
        Assert.Contains(netlink.Routes, r => r.Type == "blackhole" && r.Table == 100);
        Assert.Contains(netlink.Filters, f => f.Kind == "bpf");
        Assert.Equal(Normalized(tools), Normalized(netlink));
    }

    [Fact]
    public void Given_a_link_of_a_kind_whose_details_are_not_decoded_When_read_Then_the_links_are_left_to_ip_and_none_is_added()
    {
        // the captured vxlan's IFLA_INFO_KIND "vxlan" turned into "vxlaz": a kind with IFLA_INFO_DATA this reader does not know
        var links = Dump("RTM_GETLINK");
        var kind = "vxlan\0"u8.ToArray();
        var m = links.First(x => x.AsSpan().IndexOf(kind) >= 0);
        m[m.AsSpan().IndexOf(kind) + 4] = (byte)'z';
        var ns = new NetNamespace { Id = "node" };

        var why = RtnlLinks.Read(links, Dump("RTM_GETADDR"), ns, new SourceRef("x"), new SourceRef("x"), new ImportLog());

        Assert.Equal("vx0: details of kind vxlaz are not decoded in-process", why);
        Assert.Empty(ns.Links);
    }

    private static void Parse(NetNamespace ns, ImportLog log, string file, params string[] argv) =>
        Assert.True(IpJsonCommands.Parse(argv, File.ReadAllText(Path.Combine(Dir, file)), ns, new SourceRef(file), log));

    /// <summary>The namespace as the snapshot serializer writes it, without "source", "known" and IPv6 multicast
    /// (NOARP) neighbours (the kernel adds those on its own between two reads), neighbours in a fixed order.</summary>
    private static string Normalized(NetNamespace ns)
    {
        var json = JsonNode.Parse(SnapshotJson.SerializeFull(new Snapshot { Hosts = [new Host { Name = "h", Namespaces = [ns] }] }))!;
        var n = json["hosts"]![0]!["namespaces"]![0]!.AsObject();
        n.Remove("known");
        Strip(n);
        var neigh = n["neighbors"]!.AsArray().Where(x => !((string)x!["address"]!).StartsWith("ff", StringComparison.Ordinal))
            .Select(x => x!.DeepClone()).OrderBy(x => x.ToJsonString(), StringComparer.Ordinal).ToArray();
        n["neighbors"] = new JsonArray(neigh);
        return n.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static void Strip(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            o.Remove("source");
            foreach (var kv in o.ToList()) Strip(kv.Value);
        }
        else if (node is JsonArray a)
            foreach (var x in a) Strip(x);
    }
}
