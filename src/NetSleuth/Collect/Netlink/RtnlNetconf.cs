namespace NetSleuth.Collect.Netlink;

/// <summary>
/// RTM_GETNETCONF (what `ip netconf show` dumps) for the "all" and "default" pseudo-devices: IPv4 forwarding,
/// rp_filter and proxy_arp (NETCONFA_PROXY_NEIGH), IPv6 forwarding — the values of
/// /proc/sys/net/ipv{4,6}/conf/{all,default}/*, and net.ipv4.ip_forward, which is conf/all/forwarding itself.
/// </summary>
internal static class RtnlNetconf
{
    public const ushort RTM_GETNETCONF = 82;
    public const int Header = 4; // struct netconfmsg { u8 family }, padded
    private const int NETCONFA_IFINDEX = 1, NETCONFA_FORWARDING = 2, NETCONFA_RP_FILTER = 3, NETCONFA_PROXY_NEIGH = 5;

    public static void Read(List<byte[]> msgs, Dictionary<string, string> into)
    {
        foreach (var m in msgs)
        {
            if (m.Length < 1) continue;
            var at = NlAttrs.AfterHeader(m, Header);
            var dev = at.S32(NETCONFA_IFINDEX) switch { -1 => "all", -2 => "default", _ => null };
            if (dev is null) continue;
            if (m[0] == 2)
            {
                Put(into, Sysctls.DeviceKey("ipv4", dev, "forwarding"), at.S32(NETCONFA_FORWARDING));
                Put(into, Sysctls.DeviceKey("ipv4", dev, "rp_filter"), at.S32(NETCONFA_RP_FILTER));
                Put(into, Sysctls.DeviceKey("ipv4", dev, "proxy_arp"), at.S32(NETCONFA_PROXY_NEIGH));
                if (dev == "all") Put(into, Sysctls.IpForwardKey, at.S32(NETCONFA_FORWARDING));
            }
            else if (m[0] == 10) Put(into, Sysctls.DeviceKey("ipv6", dev, "forwarding"), at.S32(NETCONFA_FORWARDING));
        }
    }

    private static void Put(Dictionary<string, string> into, string key, int? value)
    {
        if (value is { } v) into[key] = Iproute2Names.Invariant(v);
    }
}
