namespace NetSleuth.Import.Sysctl;

/// <summary>The sysctls that decide whether and how a packet is forwarded, answered or dropped.</summary>
internal static class SysctlKeys
{
    private static readonly HashSet<string> Exact = new(StringComparer.Ordinal)
    {
        "net.ipv4.ip_forward", "net.ipv4.ip_nonlocal_bind", "net.ipv4.ip_forward_use_pmtu",
        "net.ipv4.fib_multipath_hash_policy", "net.ipv4.ping_group_range",
        "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables",
        "net.ipv6.ip_nonlocal_bind",
    };

    /// <summary>Per-device keys: net.ipv4.conf.DEV.KEY and net.ipv6.conf.DEV.KEY.</summary>
    private static readonly HashSet<string> V4Conf = new(StringComparer.Ordinal)
    {
        "forwarding", "rp_filter", "proxy_arp", "proxy_arp_pvlan", "arp_ignore", "arp_filter", "arp_announce",
        "arp_accept", "accept_local", "route_localnet", "src_valid_mark", "bc_forwarding", "disable_policy",
        "disable_xfrm", "accept_redirects", "send_redirects",
    };

    private static readonly HashSet<string> V6Conf = new(StringComparer.Ordinal)
    {
        "forwarding", "disable_ipv6", "proxy_ndp", "accept_ra", "accept_dad", "keep_addr_on_down",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ExactLookup = Exact.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> V4Lookup = V4Conf.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> V6Lookup = V6Conf.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsForwardingRelevant(string key) => IsForwardingRelevant(key.AsSpan());

    public static bool IsForwardingRelevant(ReadOnlySpan<char> key)
    {
        if (ExactLookup.Contains(key)) return true;
        if (key.StartsWith("net.ipv4.conf.", StringComparison.Ordinal)) return V4Lookup.Contains(LastPart(key));
        if (key.StartsWith("net.ipv6.conf.", StringComparison.Ordinal)) return V6Lookup.Contains(LastPart(key));
        return false;
    }

    private static ReadOnlySpan<char> LastPart(ReadOnlySpan<char> key) => key[(key.LastIndexOf('.') + 1)..];
}
