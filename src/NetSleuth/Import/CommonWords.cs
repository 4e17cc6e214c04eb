namespace NetSleuth.Import;

/// <summary>
/// Words that ip, tc and bridge print on most lines (iproute2 6.1, as in the captures under
/// tests/NetSleuth.Tests/Fixtures/iproute2): <see cref="Facts.Words"/> returns these shared strings instead
/// of allocating a copy per occurrence — a large `ip -d link` or `ip route show table all` repeats them
/// hundreds of thousands of times. Read-only after start-up, so safe for parallel use.
/// </summary>
internal static class CommonWords
{
    public const int MaxLength = 24;

    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        // ip link / ip address
        "mtu", "qdisc", "noqueue", "noop", "fq_codel", "pfifo_fast", "state", "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN",
        "mode", "DEFAULT", "group", "default", "qlen", "master", "link/ether", "link/loopback", "link/none", "brd",
        "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "link-netns", "link-netnsid", "promiscuity", "allmulti", "minmtu", "maxmtu",
        "addrgenmode", "eui64", "none", "numtxqueues", "numrxqueues", "gso_max_size", "gso_max_segs", "tso_max_size",
        "tso_max_segs", "gro_max_size", "parentbus", "parentdev", "altname", "inet", "inet6", "scope", "global", "host",
        "link", "lo", "valid_lft", "preferred_lft", "forever", "secondary", "tentative", "noprefixroute", "dynamic",
        "veth", "vxlan", "bridge", "bridge_slave", "openvswitch", "openvswitch_slave", "tun", "type", "tap", "pi", "off",
        "on", "vnet_hdr", "persist", "geneve", "external", "id", "ttl", "auto", "dstport", "srcport", "ageing", "udpcsum",
        "noudp6zerocsumtx", "noudp6zerocsumrx", "udp6zerocsumrx", "nolearning", "learning", "local", "dev", "remote",
        "RX:", "TX:", "bytes", "packets", "errors", "dropped", "missed", "mcast", "carrier", "collsns",
        // ip route / ip rule / ip neigh / bridge fdb
        "via", "proto", "kernel", "static", "boot", "dhcp", "bird", "bgp", "metric", "src", "table", "main", "pref",
        "medium", "high", "low", "broadcast", "multicast", "unicast", "blackhole", "unreachable", "prohibit", "throw",
        "nexthop", "weight", "onlink", "linkdown", "fe80::/64", "ff00::/8", "::1", "127.0.0.1", "127.0.0.0/8",
        "from", "all", "lookup", "lladdr", "router", "proxy", "REACHABLE", "STALE", "PERMANENT", "NOARP", "DELAY",
        "PROBE", "FAILED", "INCOMPLETE", "used", "probes", "ref", "self", "permanent", "vlan", "dst", "vni", "port",
        "33:33:00:00:00:01", "01:00:5e:00:00:01", "33:33:00:00:00:02", "33:33:00:00:00:16",
        // tc
        "root", "refcnt", "parent", "ingress", "clsact", "ffff:", "ffff:fff1", "----------------", "filter", "protocol",
        "chain", "u32", "flower", "matchall", "fh", "handle", "order", "key", "ht", "bkt", "terminal", "flowid",
        "not_in_hw", "match", "at", "action", "mirred", "gact", "stolen", "pass", "drop", "index", "bind",
        "Sent", "pkt", "backlog", "requeues", "overlimits", "0b", "0p", "(dropped",
        // numbers every line has
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "16", "32", "64", "68", "100", "128", "256", "300",
        "500", "1000", "1024", "1400", "1450", "1500", "4789", "6081", "8472", "9000", "32768", "49152", "65000",
        "65521", "65535", "65536", "524280",
    };

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = Words.GetAlternateLookup<ReadOnlySpan<char>>();
}
