namespace NetSleuth.Import;

/// <summary>
/// Expands what iproute2 accepts as abbreviations into full words: `ip -d li sh dev X` →
/// `ip -details link show dev X`. iproute2 compares with matches(word, keyword): a word matches when
/// it is a prefix of the keyword, and the first keyword in the tool's own order wins (ip.c cmds[],
/// then each do_*() checks its verbs in order). The tables below follow that order (iproute2 6.x).
/// </summary>
internal static class Iproute2Syntax
{
    // ip.c: cmds[] in order
    private static readonly string[] IpObjects =
    [
        "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl", "link",
        "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap", "token", "tcpmetrics", "tcp_metrics",
        "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "help", "stats",
    ];

    // verbs in the order each do_*() tests them; "list"/"lst" are spelled "show" after expansion
    private static readonly Dictionary<string, string[]> IpVerbs = new()
    {
        ["address"] = ["add", "change", "chg", "replace", "delete", "list", "show", "lst", "flush", "save", "showdump", "restore", "help"],
        ["link"] = ["add", "change", "chg", "replace", "set", "delete", "show", "lst", "list", "xstats", "afstats", "property", "help"],
        ["route"] = ["add", "change", "chg", "replace", "prepend", "append", "test", "delete", "list", "show", "lst", "get", "flush", "save", "restore", "showdump", "help"],
        ["rule"] = ["list", "lst", "show", "save", "restore", "showdump", "add", "delete", "flush", "help"],
        ["neighbor"] = ["add", "change", "chg", "replace", "delete", "get", "show", "lst", "list", "flush", "help"],
        ["netns"] = ["list", "show", "lst", "list-id", "help", "add", "attach", "set", "delete", "identify", "pids", "exec", "monitor"],
    };

    // ip.c main(): option keywords in the order they are tested (after "--x" became "-x")
    private static readonly string[] IpOptions =
    [
        "-loops", "-family", "-human", "-human-readable", "-iec", "-stats", "-statistics", "-details", "-resolve",
        "-oneline", "-timestamp", "-tshort", "-Version", "-force", "-batch", "-brief", "-json", "-pretty", "-rcvbuf",
        "-color", "-help", "-netns", "-Numeric", "-all", "-echo",
    ];

    private static readonly string[] TcObjects = ["qdisc", "class", "filter", "chain", "actions", "monitor", "exec", "help"];
    private static readonly string[] TcVerbs = ["add", "delete", "change", "replace", "link", "show", "list", "lst", "get", "help"];
    private static readonly string[] TcOptions =
        ["-stats", "-statistics", "-details", "-raw", "-pretty", "-graph", "-Version", "-iec", "-help", "-batch", "-netns", "-names", "-cf", "-timestamp", "-tshort", "-json", "-color", "-oneline", "-brief"];
    private static readonly string[] BridgeObjects = ["link", "fdb", "mdb", "vlan", "vni", "monitor", "help"];
    private static readonly string[] BridgeVerbs = ["add", "append", "delete", "replace", "show", "list", "lst", "get", "flush", "help"];
    private static readonly string[] BridgeOptions =
        ["-stats", "-statistics", "-details", "-oneline", "-timestamp", "-tshort", "-Version", "-force", "-batch", "-json", "-pretty", "-color", "-compressvlans", "-netns", "-help"];

    /// <summary>iproute2's matches(): <paramref name="word"/> is a non-empty prefix of <paramref name="keyword"/>.</summary>
    public static bool Matches(string word, string keyword) =>
        word.Length > 0 && word.Length <= keyword.Length && keyword.StartsWith(word, StringComparison.Ordinal);

    private static string? First(string word, IEnumerable<string> keywords) => keywords.FirstOrDefault(k => Matches(word, k));

    /// <summary>Normalises an ip/tc/bridge command: options spelled out ("-d" → "-details", "-f inet6" → "-6"),
    /// object and verb spelled out, "list"/"lst" → "show", a missing verb made explicit. Returns the new
    /// argv and the namespace named by "-n NS"/"-netns NS" (taken out of argv), or null if not iproute2.</summary>
    public static List<string>? Expand(IReadOnlyList<string> argv, out string? netns)
    {
        netns = null;
        if (argv.Count == 0) return null;
        var tool = Path.GetFileName(argv[0]);
        var (objects, options) = tool switch
        {
            "ip" => (IpObjects, IpOptions),
            "tc" => (TcObjects, TcOptions),
            "bridge" => (BridgeObjects, BridgeOptions),
            _ => (null!, null!),
        };
        if (objects is null) return null;
        var result = new List<string> { tool };
        int i = 1;
        for (; i < argv.Count && argv[i].StartsWith('-') && argv[i].Length > 1; i++)
        {
            var opt = argv[i].StartsWith("--", StringComparison.Ordinal) ? argv[i][1..] : argv[i];
            string? value = null;
            int eq = opt.IndexOf('=');
            if (eq > 0) { value = opt[(eq + 1)..]; opt = opt[..eq]; }
            if (opt is "-4" or "-6" or "-0" or "-M" or "-B") { result.Add(opt == "-0" ? "-family=link" : opt); continue; }
            if (tool == "ip" && opt == "-s" || opt == "-s") { result.Add("-stats"); continue; }
            var full = First(opt, options) ?? opt;
            if (full is "-statistics") full = "-stats";
            if (full == "-human-readable") full = "-human";
            if (full == "-netns")
            {
                netns = value ?? (i + 1 < argv.Count ? argv[++i] : null);
                continue;
            }
            if (full is "-family" or "-loops" or "-rcvbuf" or "-batch" or "-cf")
            {
                value ??= i + 1 < argv.Count ? argv[++i] : "";
                if (full == "-family") result.Add(value switch { "inet" => "-4", "inet6" => "-6", _ => "-family=" + value });
                continue;
            }
            result.Add(full);
        }
        if (i >= argv.Count)
        {
            result.Add("help");
            return result;
        }
        var obj = First(argv[i], objects) ?? argv[i];
        if (obj == "neighbour") obj = "neighbor";
        if (obj == "tunl") obj = "tunnel";
        result.Add(obj);
        i++;
        string[]? verbs = tool switch
        {
            "ip" => IpVerbs.GetValueOrDefault(obj),
            "tc" => obj is "qdisc" or "class" or "filter" or "chain" or "actions" ? TcVerbs : null,
            _ => BridgeVerbs,
        };
        if (verbs is null)
        {
            for (; i < argv.Count; i++) result.Add(argv[i]);
            return result;
        }
        var verb = i < argv.Count ? First(argv[i], verbs) : null;
        if (verb is null) result.Add("show"); // iproute2's default verb is "show"/"list"
        else
        {
            result.Add(verb is "list" or "lst" ? "show" : verb);
            i++;
        }
        for (; i < argv.Count; i++) result.Add(argv[i]);
        return result;
    }
}
