using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>Which parts of an iptables rule the evaluator simulates: an import names every nat rule it does not
/// (session affinity's <c>-m recent</c>, <c>-j CT</c>, …) with its file:line, so nothing is silently accepted.</summary>
internal static class IptablesSyntax
{
    private static readonly HashSet<string> Modules = ["comment", "conntrack", "state", "tcp", "udp", "icmp", "multiport", "mark", "addrtype", "set", "statistic"];
    private static readonly HashSet<string> WithValue =
    [
        "-s", "--source", "-d", "--destination", "-p", "--protocol", "-i", "--in-interface", "-o", "--out-interface",
        "--dport", "--destination-port", "--dports", "--destination-ports", "--sport", "--source-port", "--sports", "--source-ports",
        "--ctstate", "--state", "--icmp-type", "--mark", "--src-type", "--dst-type", "--mode", "--probability", "--every", "--packet",
        "--reject-with", "--log-prefix", "--log-level", "--comment", "--set-xmark", "--set-mark", "--to-ports", "--or-mark", "--and-mark",
        "--xor-mark", "--to-destination", "--to-source", "--to", "-j", "-g", "--jump", "--goto",
    ];
    private static readonly HashSet<string> Flags = ["--random", "--random-fully", "--persistent", "--limit-iface-in", "--limit-iface-out", "!"];
    private static readonly HashSet<string> Unsimulated = ["CT", "TPROXY", "NETMAP", "SET", "HMARK", "TEE", "NFQUEUE", "CONNSECMARK", "SECMARK", "IDLETIMER", "SYNPROXY", "CLUSTERIP", "ECN", "TTL", "HL"];

    /// <summary>The first part of the rule the evaluator does not simulate ("-m recent", "--rcheck", "-j CT"), or null.</summary>
    public static string? NotUnderstood(IptablesTable table, IptablesRule rule)
    {
        var a = rule.Args;
        for (int i = 0; i < a.Count; i++)
        {
            var o = a[i];
            if (Flags.Contains(o)) continue;
            if (o is "-m" or "--match")
            {
                if (i + 1 >= a.Count || !Modules.Contains(a[i + 1])) return $"-m {(i + 1 < a.Count ? a[i + 1] : "")}";
                i++; continue;
            }
            if (o == "--match-set") { i += 2; continue; }
            if (WithValue.Contains(o)) { i++; continue; }
            return o;
        }
        // a jump to a chain the input does not show is a missing input (the trace says so), not a rule misread
        if (rule.Target is { } t && Unsimulated.Contains(t)) return $"-j {t}";
        return null;
    }
}
