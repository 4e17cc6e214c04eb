using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// `ip -j [-d] route show [table all]`, e.g.
/// <code>{"type":"unicast","dst":"198.18.50.0/24","table":"100","protocol":"boot","scope":"global","flags":[],
///  "nexthops":[{"gateway":"198.51.100.201","dev":"ens3","weight":2,"flags":[]}]}</code>
/// iproute2 prints no family: a "pref" key (every IPv6 route has RTA_PREF) or an IPv6 address says v6.
/// </summary>
internal static class IpRouteJson
{
    public static void Read(JsonElement root, NetNamespace ns, int family, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            var r = ReadOne(e, family, src, log);
            if (r is not null) ns.Routes.Add(r);
        }
    }

    private static Route? ReadOne(JsonElement e, int family, SourceRef src, ImportLog log)
    {
        var dst = e.Str("dst");
        bool v6 = family == 6 || (family == 0 && IsV6(e));
        if (dst is null || !IpPrefix.TryParse(dst, out var prefix, v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
        {
            log.Warn(src, $"ip -j route: route with destination '{dst}' skipped (not an address)");
            return null;
        }
        uint table = RouteTables.Main;
        if (e.Str("table") is { } t)
        {
            if (RouteTables.Parse(t) is not { } tid)
            {
                log.Warn(src, $"ip -j route: table '{t}' is not a table id (a name from rt_tables, or a number above 4294967295); route {dst} skipped");
                return null;
            }
            table = tid;
        }
        var r = new Route
        {
            Type = e.Str("type") ?? RouteTypes.Unicast,
            Destination = prefix,
            Table = table,
            Gateway = Ip(e.Str("gateway")) ?? Ip(e.Obj("via")?.Str("host")),
            Device = e.Str("dev"),
            Protocol = e.Str("protocol"),
            Scope = e.Str("scope"),
            PrefSrc = Ip(e.Str("prefsrc")),
            Metric = UInt(e, "metric", src, log),
            Tos = e.Int("tos"),
            Flags = e.Strings("flags"),
            Source = src,
        };
        foreach (var m in e.Obj("metrics")?.Items() ?? [])
            if (m.Int("mtu") is { } mtu) r.Mtu = mtu;
        foreach (var nh in e.Obj("nexthops")?.Items() ?? [])
            r.NextHops.Add(new NextHop
            {
                Gateway = Ip(nh.Str("gateway")) ?? Ip(nh.Obj("via")?.Str("host")),
                Device = nh.Str("dev"),
                Weight = nh.Int("weight"),
                Flags = nh.Strings("flags"),
            });
        return r;
    }

    private static bool IsV6(JsonElement e) =>
        e.Has("pref") || (e.Str("dst")?.Contains(':') ?? false) || (e.Str("gateway")?.Contains(':') ?? false) ||
        (e.Str("prefsrc")?.Contains(':') ?? false);

    internal static IPAddress? Ip(string? s) => s is not null && IPAddress.TryParse(s, out var a) ? a : null;

    // an unsigned 32-bit field (metric): a value out of range is a warning, not a silent change
    private static uint? UInt(JsonElement e, string name, SourceRef src, ImportLog log)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt32(out var n)) return n;
        log.Warn(src, $"ip -j route: {name} {v} is not an unsigned 32-bit number; left unknown");
        return null;
    }
}
