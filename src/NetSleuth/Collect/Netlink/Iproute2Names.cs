using System.Globalization;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// The names iproute2 prints for the numbers netlink gives (lib/rt_names.c, lib/ll_types.c,
/// lib/ll_proto.c of iproute2 6.1), so the in-process reader yields the same model text as `ip -j`.
/// Route protocols and scopes also come from /etc/iproute2/rt_protos(.d) and rt_scopes, as ip reads them.
/// </summary>
internal static class Iproute2Names
{
    public static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static readonly Dictionary<int, string> BuiltinProtos = new()
    {
        [0] = "unspec", [1] = "redirect", [2] = "kernel", [3] = "boot", [4] = "static", [8] = "gated", [9] = "ra",
        [10] = "mrt", [11] = "zebra", [12] = "bird", [13] = "dnrouted", [14] = "xorp", [15] = "ntk", [16] = "dhcp",
        [18] = "keepalived", [42] = "babel", [99] = "openr", [186] = "bgp", [187] = "isis", [188] = "ospf", [189] = "rip", [192] = "eigrp",
    };

    private static readonly Dictionary<int, string> BuiltinScopes = new()
    {
        [0] = "global", [200] = "site", [253] = "link", [254] = "host", [255] = "nowhere",
    };

    private static readonly Lazy<Dictionary<int, string>> Protos = new(() => WithFiles(BuiltinProtos, "rt_protos"));
    private static readonly Lazy<Dictionary<int, string>> Scopes = new(() => WithFiles(BuiltinScopes, "rt_scopes"));

    /// <summary>rtnl_rtprot_n2a: "kernel", "boot", … or the number.</summary>
    public static string Protocol(int id) => Protos.Value.TryGetValue(id, out var n) ? n : Invariant(id);

    /// <summary>rtnl_rtscope_n2a: "global", "link", "host", … or the number.</summary>
    public static string Scope(int id) => Scopes.Value.TryGetValue(id, out var n) ? n : Invariant(id);

    /// <summary>The built-in table overlaid with /etc/iproute2/NAME and /etc/iproute2/NAME.d/*.conf ("number name" lines).</summary>
    private static Dictionary<int, string> WithFiles(Dictionary<int, string> builtin, string name)
    {
        var map = new Dictionary<int, string>(builtin);
        var files = new List<string> { Path.Combine("/etc/iproute2", name) };
        var dir = Path.Combine("/etc/iproute2", name + ".d");
        try
        {
            if (Directory.Exists(dir)) files.AddRange(Directory.GetFiles(dir, "*.conf").Order(StringComparer.Ordinal));
            foreach (var f in files.Where(File.Exists))
                foreach (var line in File.ReadLines(f))
                {
                    var t = line.Trim();
                    if (t.Length == 0 || t[0] == '#') continue;
                    var parts = t.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 2 && ParseNumber(parts[0]) is { } id && id is >= 0 and < 256) map[id] = parts[1].Trim();
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return map;
    }

    private static int? ParseNumber(string s) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int h) ? h : null
            : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int d) ? d : null;

    /// <summary>rtnl_rtntype_n2a.</summary>
    public static string RouteType(int t) => t switch
    {
        0 => "none", 1 => "unicast", 2 => "local", 3 => "broadcast", 4 => "anycast", 5 => "multicast", 6 => "blackhole",
        7 => "unreachable", 8 => "prohibit", 9 => "throw", 10 => "nat", 11 => "xresolve",
        _ => Invariant(t),
    };

    /// <summary>IF_OPER_* as `ip` prints them; null where ip prints "operstate_index" instead.</summary>
    public static string? OperState(int s) => s >= 0 && s < OperStates.Length ? OperStates[s] : null;

    private static readonly string[] OperStates = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

    /// <summary>ll_type_n2a: ARPHRD_* → "ether", "loopback", "none", … or "[N]".</summary>
    public static string LinkType(int t) => t switch
    {
        0 => "netrom", 1 => "ether", 2 => "eether", 3 => "ax25", 4 => "pronet", 5 => "chaos", 6 => "ieee802", 7 => "arcnet",
        8 => "atalk", 15 => "dlci", 19 => "atm", 23 => "metricom", 24 => "ieee1394", 32 => "infiniband",
        256 => "slip", 257 => "cslip", 258 => "slip6", 259 => "cslip6", 260 => "rsrvd", 264 => "adapt", 270 => "rose",
        271 => "x25", 272 => "hwx25", 280 => "can", 512 => "ppp", 513 => "hdlc", 516 => "lapb", 517 => "ddcmp",
        518 => "rawhdlc", 768 => "ipip", 769 => "tunnel6", 770 => "frad", 771 => "skip", 772 => "loopback",
        773 => "ltalk", 774 => "fddi", 775 => "bif", 776 => "sit", 777 => "ip/ddp", 778 => "gre", 779 => "pimreg",
        780 => "hippi", 781 => "ash", 782 => "econet", 783 => "irda", 784 => "fcpp", 785 => "fcal", 786 => "fcpl",
        787 => "fcfb0", 800 => "tr", 801 => "ieee802.11", 802 => "ieee802.11/prism", 803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4", 805 => "ieee802.15.4/monitor", 820 => "phonet", 821 => "phonet_pipe", 822 => "caif",
        823 => "gre6", 824 => "netlink", 825 => "6lowpan", 0xFFFE => "none", 0xFFFF => "void",
        _ => $"[{Invariant(t)}]",
    };

    /// <summary>ll_proto_n2a for the ethertypes tc filters use; null for one this table does not hold (the caller then
    /// asks `tc` itself rather than guess a spelling).</summary>
    public static string? EtherProto(int p) => p switch
    {
        0x0001 => "802_3", 0x0002 => "ax25", 0x0003 => "all", 0x0004 => "802_2", 0x0005 => "snap", 0x0060 => "loop",
        0x0800 => "ip", 0x0806 => "arp", 0x8035 => "rarp", 0x86DD => "ipv6", 0x8100 => "802.1Q", 0x88A8 => "802.1ad",
        0x8847 => "mpls_uc", 0x8848 => "mpls_mc", 0x6558 => "teb", 0x88CC => "lldp",
        _ => null,
    };

    /// <summary>Interface flags in print_link_flags' order; "NO-CARRIER" first when up without IFF_RUNNING,
    /// leftover bits in hex, "M-DOWN" last when the IFLA_LINK device (same namespace) is down.</summary>
    public static List<string> LinkFlags(uint flags, bool mdown)
    {
        var list = new List<string>();
        const uint Up = 0x1, Running = 0x40;
        if ((flags & Up) != 0 && (flags & Running) == 0) list.Add("NO-CARRIER");
        flags &= ~Running;
        (uint Bit, string Name)[] order =
        [
            (0x8, "LOOPBACK"), (0x2, "BROADCAST"), (0x10, "POINTOPOINT"), (0x1000, "MULTICAST"), (0x80, "NOARP"),
            (0x200, "ALLMULTI"), (0x100, "PROMISC"), (0x400, "MASTER"), (0x800, "SLAVE"), (0x4, "DEBUG"),
            (0x8000, "DYNAMIC"), (0x4000, "AUTOMEDIA"), (0x2000, "PORTSEL"), (0x20, "NOTRAILERS"), (0x1, "UP"),
            (0x10000, "LOWER_UP"), (0x20000, "DORMANT"), (0x40000, "ECHO"),
        ];
        foreach (var (bit, name) in order)
            if ((flags & bit) != 0)
            {
                flags &= ~bit;
                list.Add(name);
            }
        if (flags != 0) list.Add(flags.ToString("x", CultureInfo.InvariantCulture));
        if (mdown) list.Add("M-DOWN");
        return list;
    }
}
