using NetSleuth.Collect;
using NetSleuth.Collect.Netlink;
using NetSleuth.Model;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Collect;

/// <summary>
/// Saves the raw rtnetlink dumps of a lab namespace (one message a line, in hex) beside the `ip`/`tc` JSON of
/// the same moment, under tests/NetSleuth.Tests/Fixtures/netlink/, for the fast decoder tests. Run by
/// NetlinkCollectTests when NETSLEUTH_ACCEPT=1.
/// </summary>
internal static class NetlinkFixtures
{
    public static void Capture(string ns, ITestOutputHelper output)
    {
        var dir = Path.Combine(RepoRoot(), "tests", "NetSleuth.Tests", "Fixtures", "netlink");
        Directory.CreateDirectory(dir);
        var listings = new List<RtnlTc.Listing>();
        var t = new Thread(() =>
        {
            using var f = File.OpenHandle($"/run/netns/{ns}");
            if (Native.setns((int)f.DangerousGetHandle(), Native.CLONE_NEWNET) != 0) throw new InvalidOperationException("setns failed");
            using var rtnl = RtnlDump.Open()!;
            var links = rtnl.Dump(RtnlLinks.RTM_GETLINK, 0, RtnlLinks.IfInfoHeader)!;
            Write(dir, "RTM_GETLINK", links);
            Write(dir, "RTM_GETADDR", rtnl.Dump(RtnlLinks.RTM_GETADDR, 0, RtnlLinks.IfAddrHeader)!);
            Write(dir, "RTM_GETROUTE", rtnl.Dump(RtnlRoutes.RTM_GETROUTE, 0, RtnlRoutes.RtHeader)!);
            Write(dir, "RTM_GETNEIGH", rtnl.Dump(RtnlNeighbours.RTM_GETNEIGH, 0, RtnlNeighbours.NeighHeader)!);
            Write(dir, "RTM_GETNEIGH.proxy", rtnl.Dump(RtnlNeighbours.RTM_GETNEIGH, RtnlNeighbours.ProxyRequest())!);
            var qdiscs = rtnl.Dump(RtnlTc.RTM_GETQDISC, 0, RtnlTc.TcHeader)!;
            Write(dir, "RTM_GETQDISC", qdiscs);
            var names = RtnlLinks.Names(links);
            var scratch = new NetNamespace { Id = "x" };
            RtnlTc.ReadQdiscs(qdiscs, scratch, names, new SourceRef("x"));
            foreach (var l in RtnlTc.Listings(scratch, names))
            {
                listings.Add(l);
                Write(dir, $"RTM_GETTFILTER.{l.Device}.{l.Parent:x8}.{l.Direction}", rtnl.Dump(RtnlTc.RTM_GETTFILTER, RtnlTc.FilterRequest(l))!);
            }
        });
        t.Start();
        t.Join();
        Tool(dir, ns, "ip-d-j-address-show.json", "ip", "-d", "-j", "address", "show");
        Tool(dir, ns, "ip-d-j-route-show-table-all.json", "ip", "-d", "-j", "route", "show", "table", "all");
        Tool(dir, ns, "ip-j-neigh-show-nud-all.json", "ip", "-j", "neigh", "show", "nud", "all");
        Tool(dir, ns, "ip-j-neigh-show-proxy.json", "ip", "-j", "neigh", "show", "proxy");
        Tool(dir, ns, "tc-j-qdisc-show.json", "tc", "-j", "qdisc", "show");
        foreach (var l in listings)
            Tool(dir, ns, $"tc-j-filter.{l.Device}.{l.Parent:x8}.{l.Direction}.json", ["tc", "-j", "filter", "show", "dev", l.Device, .. l.Parent switch
            {
                RtnlTc.ParentIngress => new[] { "ingress" },
                RtnlTc.ParentEgress => ["egress"],
                _ => [],
            }]);
        output.WriteLine("netlink fixtures written to " + dir);
    }

    private static void Write(string dir, string name, List<byte[]> msgs) =>
        File.WriteAllLines(Path.Combine(dir, name + ".hex"), msgs.Select(Convert.ToHexStringLower));

    private static void Tool(string dir, string ns, string file, params string[] argv)
    {
        var r = Proc.Run("ip", ["netns", "exec", ns, .. argv]);
        if (!r.Ok) throw new InvalidOperationException($"{string.Join(' ', argv)}: {r.Stderr}");
        File.WriteAllText(Path.Combine(dir, file), r.Stdout);
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Directory.Build.props"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
