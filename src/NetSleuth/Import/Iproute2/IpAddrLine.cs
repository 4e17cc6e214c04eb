using System.Net.Sockets;
using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// One address line of `ip addr` (ipaddress.c print_addrinfo):
/// <code>
/// inet 198.18.2.46/23 brd 198.18.3.255 scope global secondary noprefixroute eth0:1
/// inet 198.18.80.1 peer 198.18.80.2/32 scope global tun0
/// inet6 fe80::858:aff:fe84:22e/64 scope link tentative
/// </code>
/// The last word of an inet line is the label when it is not a flag.
/// </summary>
internal static class IpAddrLine
{
    private static readonly HashSet<string> KnownFlags =
    [
        "secondary", "temporary", "primary", "tentative", "deprecated", "dadfailed", "noprefixroute", "autojoin",
        "mngtmpaddr", "home", "nodad", "optimistic", "stable-privacy", "dynamic", "permanent",
    ];

    public static void Read(string[] w, Link link, SourceRef at, ImportLog log)
    {
        if (w.Length < 2 || !IpPrefix.TryParse(w[1], out var prefix))
        {
            log.Warn(at, $"not an address: '{string.Join(' ', w)}'");
            return;
        }
        var family = w[0] == "inet6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (prefix.Family != family)
        {
            log.Warn(at, $"{w[0]} line with a {(prefix.IsV4 ? "IPv4" : "IPv6")} address: '{w[1]}'");
            return;
        }
        var addr = link.Addresses.FirstOrDefault(a => a.Prefix == prefix) ?? new IfAddress { Prefix = prefix };
        if (!link.Addresses.Contains(addr)) link.Addresses.Add(addr);
        addr.Source = at;
        addr.Flags.Clear();
        for (int i = 2; i < w.Length; i++)
        {
            switch (w[i])
            {
                case "peer" when i + 1 < w.Length:
                    if (IpPrefix.TryParse(w[++i], out var peer)) addr.Peer = peer;
                    break;
                case "brd" when i + 1 < w.Length: addr.Broadcast = Facts.Ip(w[++i]); break;
                case "any" or "metric" or "proto" or "valid_lft" or "preferred_lft" when i + 1 < w.Length: i++; break;
                case "scope" when i + 1 < w.Length: addr.Scope = w[++i]; break;
                default:
                    if (KnownFlags.Contains(w[i]) || w[i].StartsWith("flags", StringComparison.Ordinal)) addr.Flags.Add(w[i]);
                    else if (i == w.Length - 1 && family == AddressFamily.InterNetwork) addr.Label = w[i];
                    else addr.Flags.Add(w[i]);
                    break;
            }
        }
    }
}
