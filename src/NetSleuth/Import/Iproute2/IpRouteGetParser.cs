using System.Net.Sockets;
using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip route get ADDR [from …] [iif …]` (iproute.c, RTM_GETROUTE): the route the kernel chose for one
/// address, not a FIB entry — kept in <see cref="NetNamespace.RouteLookups"/>:
/// <code>
/// 198.18.2.46 dev ovn-k8s-mp0 src 198.18.2.2 uid 0
///     cache
/// 2001:db8:2::5 from :: via 2001:db8:1::1 dev dum0 src 2001:db8:1::10 metric 50 pref medium
/// local 127.0.0.1 dev lo table local src 127.0.0.1 uid 0
/// </code>
/// </summary>
internal static class IpRouteGetParser
{
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0 || w[0] is "cache" or "nexthop" || Facts.IsToolError(output.Lines[i])) continue;
            var at = output.At(i);
            var family = args.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var r = IpRouteParser.ReadRoute(w, family, at, log);
            if (r is null) continue;
            (ns.RouteLookups ??= []).Add(new RouteLookup
            {
                Destination = r.Destination.Address, Type = r.Type, Gateway = r.Gateway, Device = r.Device,
                PrefSrc = r.PrefSrc, Table = w.Contains("table") ? r.Table : null, Command = output.CommandText, Source = at,
            });
        }
    }
}
