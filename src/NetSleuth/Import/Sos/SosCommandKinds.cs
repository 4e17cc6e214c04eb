namespace NetSleuth.Import.Sos;

/// <summary>Which sos command outputs describe network state (so a missing parser is worth a warning).</summary>
internal static class SosCommandKinds
{
    private static readonly HashSet<string> Tools = new(StringComparer.Ordinal)
    {
        "ip", "tc", "bridge", "iptables", "ip6tables", "iptables-save", "ip6tables-save", "nft", "sysctl", "arp",
        "route", "ebtables", "arptables",
    };

    /// <summary>Network commands whose output the model has no place for (multicast, macsec, route cache).</summary>
    private static readonly string[][] NotModelled =
    [
        ["ip", "maddr"], ["ip", "mroute"], ["ip", "-s", "macsec"], ["bridge", "-s", "-s", "-d", "-t", "mdb"],
        ["ip", "-d", "route", "show", "cache"], ["ip", "-d", "-6", "route", "show", "cache"], ["ip", "vrf"],
    ];

    private static readonly HashSet<string> OvsVerbs = new(StringComparer.Ordinal)
    {
        "show", "list", "find", "list-br", "list-ports", "list-ifaces", "dump-ports", "dump-ports-desc", "dump-flows",
    };

    public static bool IsNetworkState(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return false;
        if (NotModelled.Any(p => p.Length <= argv.Count && p.Select((w, i) => argv[i] == w).All(x => x))) return false;
        if (Tools.Contains(argv[0])) return true;
        if (argv[0] is "ovs-vsctl" or "ovs-ofctl")
            return Ovs.OvsCommand.Parse(argv) is { } c && OvsVerbs.Contains(c.Word(0));
        return false;
    }
}
