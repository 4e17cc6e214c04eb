using System.Buffers.Binary;
using System.Net;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// An RTM_GETROUTE dump of every family and table (what `ip -d -j route show table all` asks) → routes,
/// as IpRouteJson reads ip's JSON. rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags u32.
/// </summary>
internal static class RtnlRoutes
{
    public const ushort RTM_GETROUTE = 26;
    public const int RtHeader = 12;
    private const int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7, RTA_METRICS = 8,
        RTA_MULTIPATH = 9, RTA_TABLE = 15, RTA_VIA = 18, RTAX_MTU = 2;
    private const uint RTM_F_CLONED = 0x200;

    /// <summary>print_rt_flags' order (route and next-hop flags).</summary>
    private static readonly (uint Bit, string Name)[] FlagNames =
    [
        (0x1, "dead"), (0x4, "onlink"), (0x2, "pervasive"), (0x8, "offload"), (0x40, "trap"), (0x100, "notify"),
        (0x10, "linkdown"), (0x20, "unresolved"), (0x4000, "rt_offload"), (0x8000, "rt_trap"), (0x20000000, "rt_offload_failed"),
    ];

    /// <summary>Adds the routes; returns why `ip` must list them instead (a family other than IPv4/IPv6), or null.</summary>
    public static string? Read(List<byte[]> msgs, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, SourceRef src, ImportLog log)
    {
        var routes = new List<Route>();
        foreach (var m in msgs)
        {
            if (m.Length < RtHeader) continue;
            int family = m[0];
            if (family is not (2 or 10)) return $"a route of address family {family}";
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8));
            if ((flags & RTM_F_CLONED) != 0) continue; // ip lists no cache entries
            var at = NlAttrs.AfterHeader(m, RtHeader);
            int dstLen = m[1];
            IpPrefix dst;
            if (at.Ip(RTA_DST) is { } d) dst = new IpPrefix(d, dstLen);
            else if (dstLen == 0) dst = new IpPrefix(family == 10 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            else
            {
                log.Warn(src, $"ip -j route: route with destination '0/{dstLen}' skipped (not an address)");
                continue;
            }
            var r = new Route
            {
                Type = Iproute2Names.RouteType(m[7]),
                Destination = dst,
                Table = at.U32(RTA_TABLE) ?? m[4],
                Gateway = Gateway(at),
                Device = at.U32(RTA_OIF) is { } oif ? RtnlLinks.NameOf(names, oif) : null,
                Protocol = Iproute2Names.Protocol(m[5]),
                Scope = Iproute2Names.Scope(m[6]),
                PrefSrc = at.Ip(RTA_PREFSRC),
                Metric = at.U32(RTA_PRIORITY),
                Tos = m[3] == 0 ? null : m[3],
                Flags = Flags(flags),
                Source = src,
            };
            if (at.Nested(RTA_METRICS)?.U32(RTAX_MTU) is { } mtu && mtu <= int.MaxValue) r.Mtu = (int)mtu;
            if (at.Has(RTA_MULTIPATH)) ReadNextHops(at[RTA_MULTIPATH], r, names);
            routes.Add(r);
        }
        ns.Routes.AddRange(routes);
        return null;
    }

    private static IPAddress? Gateway(NlAttrs at)
    {
        if (at.Ip(RTA_GATEWAY) is { } gw) return gw;
        // RTA_VIA: struct rtvia { u16 family; address }
        return at.Length(RTA_VIA) is 6 or 18 ? new IPAddress(at[RTA_VIA][2..]) : null;
    }

    private static List<string> Flags(uint flags) => [.. FlagNames.Where(f => (flags & f.Bit) != 0).Select(f => f.Name)];

    /// <summary>RTA_MULTIPATH: struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex } + attributes, each padded to 4.</summary>
    private static void ReadNextHops(ReadOnlySpan<byte> mp, Route r, Dictionary<int, (string Name, uint Flags)> names)
    {
        var buf = mp.ToArray();
        int p = 0;
        while (p + 8 <= buf.Length)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(p));
            if (len < 8 || p + len > buf.Length) break;
            int ifindex = BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(p + 4));
            var at = NlAttrs.Parse(buf, p + 8, p + len);
            r.NextHops.Add(new NextHop
            {
                Gateway = Gateway(at),
                Device = ifindex != 0 ? RtnlLinks.NameOf(names, ifindex) : null,
                Weight = buf[p + 3] + 1,
                Flags = Flags(buf[p + 2]),
            });
            p += (len + 3) & ~3;
        }
    }
}
