using System.Net.Sockets;
using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip route [show] [table all|N]`, `ip -6 route` (iproute.c print_route). One route per line, multipath
/// next hops on the following lines; older iproute2 separates fields with two spaces:
/// <code>
/// default via 203.0.113.1 dev dum0 table 100 proto static metric 100 mtu 1400
/// local 198.18.50.1 dev vethB table local proto kernel scope host src 198.18.50.1
/// blackhole 198.18.62.0/24
/// 198.18.61.0/24 proto static
/// 	nexthop via 203.0.113.1 dev dum0 weight 1 onlink
/// 10.0.0.0/24 dev eth0  proto kernel  scope link  src 10.0.0.5    (iproute2 before 4.x)
/// fe80::/64 dev eth0 proto kernel metric 256 pref medium
/// </code>
/// With `dev X` or `table N` in the command iproute2 leaves those words out of each line; they are taken from the command.
/// </summary>
internal static class IpRouteParser
{
    public static readonly HashSet<string> Types =
        ["unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "throw", "multicast", "anycast", "nat"];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        var table = args.Arg("table") is { } t && t != "all" ? RouteTables.Parse(t) : null;
        var dev = args.Arg("dev") ?? args.Arg("oif");
        var family = args.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        Route? last = null;
        var routes = Facts.Upsert(ns.Routes, r => (r.Table, r.Type, r.Destination, r.Metric, r.Device, r.Gateway, r.Tos));
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            var w = Facts.Words(line);
            if (w.Length == 0 || Facts.IsToolError(line)) continue;
            var at = output.At(i);
            if (w[0] == "nexthop")
            {
                if (last is null) { log.Warn(at, "a nexthop line without its route"); continue; }
                last.NextHops.Add(ReadNextHop(w));
                continue;
            }
            if (w[0] == "cache") continue;
            var route = ReadRoute(w, family, at, log);
            if (route is null) continue;
            route.Table = route.Table == RouteTables.Main && table is uint tb ? tb : route.Table;
            if (route.Device is null && dev is not null && route.NextHops.Count == 0 && route.Type is "unicast" or "local" or "broadcast" or "multicast" or "anycast")
                route.Device = dev;
            routes.Add(route);
            last = route;
        }
        // what the output shows completely: a whole table, no other selector
        bool all = args.Arg("table") == "all";
        var rest = args.Rest.Where(x => x is not ("table" or "all" or "main")).ToList();
        if (rest.Count > 0 || (table is not null && table != RouteTables.Main)) return;
        bool v6 = args.V6, v4 = args.V4 || !v6; // `ip route` lists IPv4 only; `ip route show table all` both families
        if (v4) Facts.MarkKnown(output, ns, Sections.Routes4);
        if (v6 || (all && !args.V4)) Facts.MarkKnown(output, ns, Sections.Routes6);
        if (all) Facts.MarkKnown(output, ns, Sections.AllTables);
    }

    /// <summary>Reads one route line; null (with a warning) when its destination cannot be read.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static Route? ReadRoute(string[] w, AddressFamily family, SourceRef at, ImportLog log)
    {
        int i = 0;
        string type = RouteTypes.Unicast;
        if (Types.Contains(w[0]) && w.Length > 1) { type = w[0]; i = 1; }
        var dstText = w[i++];
        IpPrefix dst;
        if (dstText == "default")
        {
            var fam = family;
            // "default via fe80::1": the gateway tells the family
            int via = Array.IndexOf(w, "via");
            if (via > 0 && via + 1 < w.Length && Facts.Ip(w[via + 1] == "inet6" && via + 2 < w.Length ? w[via + 2] : w[via + 1]) is { } g) fam = g.AddressFamily;
            dst = fam == AddressFamily.InterNetworkV6 ? IpPrefix.DefaultV6 : IpPrefix.DefaultV4;
        }
        else if (!IpPrefix.TryParse(dstText, out dst))
        {
            log.Warn(at, $"not a route: '{string.Join(' ', w)}'");
            return null;
        }
        var r = new Route { Type = type, Destination = dst, Source = at };
        if (type == RouteTypes.Local || type == RouteTypes.Broadcast) r.Table = RouteTables.Local;
        for (; i < w.Length; i++)
        {
            string? next = i + 1 < w.Length ? w[i + 1] : null;
            switch (w[i])
            {
                case "via":
                    if (next is "inet" or "inet6") { i++; next = i + 1 < w.Length ? w[i + 1] : null; }
                    r.Gateway = Facts.Ip(next); i++; break;
                case "dev": r.Device = next; i++; break;
                case "table":
                    if (next is not null && RouteTables.Parse(next) is { } tid) r.Table = tid;
                    else if (next is not null)
                    {
                        log.Warn(at, $"route {w[0]}: table '{next}' is not a table id (a name from rt_tables, or a number above 4294967295); route skipped");
                        return null;
                    }
                    i++;
                    break;
                case "proto": r.Protocol = next; i++; break;
                case "scope": r.Scope = next; i++; break;
                case "src": r.PrefSrc = Facts.Ip(next); i++; break;
                case "metric" or "preference" or "priority":
                    r.Metric = Facts.UInt(next);
                    if (r.Metric is null && next is not null) log.Warn(at, $"route {w[0]}: metric '{next}' is not an unsigned 32-bit number; left unknown");
                    i++;
                    break;
                case "tos" or "dsfield": r.Tos = (int?)Facts.UInt(next); i++; break;
                case "mtu":
                    if (next == "lock") i++;
                    r.Mtu = Facts.Int(i + 1 < w.Length ? w[i + 1] : null); i++; break;
                case "onlink" or "linkdown" or "dead" or "pervasive" or "offload" or "notify" or "unresolved" or "trap" or "rt_offload" or "rt_trap":
                    r.Flags.Add(w[i]); break;
                case "from" or "pref" or "expires" or "hoplimit" or "advmss" or "rtt" or "rttvar" or "window" or "cwnd" or "ssthresh"
                    or "realms" or "realm" or "initcwnd" or "initrwnd" or "quickack" or "congctl" or "features" or "nhid" or "error"
                    or "uid" or "fastopen_no_cookie" or "reordering" or "rto_min" or "ttl-propagate" or "encap":
                    i++; break;
            }
        }
        return r;
    }

    private static NextHop ReadNextHop(string[] w)
    {
        var nh = new NextHop();
        for (int i = 1; i < w.Length; i++)
        {
            string? next = i + 1 < w.Length ? w[i + 1] : null;
            switch (w[i])
            {
                case "via":
                    if (next is "inet" or "inet6") { i++; next = i + 1 < w.Length ? w[i + 1] : null; }
                    nh.Gateway = Facts.Ip(next); i++; break;
                case "dev": nh.Device = next; i++; break;
                case "weight": nh.Weight = Facts.Int(next); i++; break;
                case "onlink" or "linkdown" or "dead" or "pervasive" or "offload": nh.Flags.Add(w[i]); break;
            }
        }
        return nh;
    }
}
