using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>The parts of an iptables / ip6tables / iptables-save command line that decide what its output holds.</summary>
internal sealed record IptablesCommand(string Family, string? Backend, bool IsSave, string? Table, string? Chain, bool List, bool ListRules)
{
    public static IptablesCommand? Parse(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return null;
        var tool = Path.GetFileName(argv[0]);
        string family = tool.StartsWith("ip6tables", StringComparison.Ordinal) ? "ipv6" : "ipv4";
        string? backend = tool.Contains("-nft", StringComparison.Ordinal) ? "nf_tables" : tool.Contains("-legacy", StringComparison.Ordinal) ? "legacy" : null;
        bool save = tool.EndsWith("-save", StringComparison.Ordinal);
        var baseName = tool.Replace("-nft", "", StringComparison.Ordinal).Replace("-legacy", "", StringComparison.Ordinal);
        if (baseName is not ("iptables" or "ip6tables" or "iptables-save" or "ip6tables-save")) return null;
        string? table = null, chain = null;
        bool list = false, listRules = false;
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a is "-t" or "--table") { if (i + 1 < argv.Count) table = argv[++i]; continue; }
            if (a.StartsWith("--table=", StringComparison.Ordinal)) { table = a[8..]; continue; }
            if (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && !save) { table = a[2..]; continue; }
            if (a is "--list" or "--list-rules") { list |= a == "--list"; listRules |= a == "--list-rules"; chain = NextChain(argv, ref i); continue; }
            if (a.Length > 1 && a[0] == '-' && a[1] != '-')
            {
                // bundled short options: -nvL, -vnxL, -S, -L
                if (a.Contains('L')) { list = true; if (a.EndsWith('L')) chain = NextChain(argv, ref i); }
                if (a.Contains('S')) { listRules = true; if (a.EndsWith('S')) chain = NextChain(argv, ref i); }
            }
        }
        if (save) return new IptablesCommand(family, backend, true, table, null, false, false);
        return list || listRules ? new IptablesCommand(family, backend, false, table ?? "filter", chain, list, listRules) : null;
    }

    private static string? NextChain(IReadOnlyList<string> argv, ref int i)
    {
        if (i + 1 < argv.Count && argv[i + 1].Length > 0 && argv[i + 1][0] != '-') return argv[++i];
        return null;
    }

    /// <summary>The table (replacing its content when the output shows all of it).</summary>
    public static IptablesTable FindTable(NetNamespace ns, string family, string name, SourceRef at)
    {
        var t = ns.Iptables.FirstOrDefault(x => x.Family == family && x.Name == name);
        if (t is null)
        {
            t = new IptablesTable { Family = family, Name = name, Source = at };
            ns.Iptables.Add(t);
        }
        return t;
    }

    /// <summary>Sets the target and counters of a rule from its words (-j/-g, "-c PKTS BYTES") and keeps the rest as Args.</summary>
    public static void FillRule(IptablesRule rule, List<string> words)
    {
        for (int i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if ((w is "-j" or "--jump" or "-g" or "--goto") && i + 1 < words.Count && rule.Target is null)
            {
                rule.Target = words[i + 1];
                rule.IsGoto = w is "-g" or "--goto";
            }
            if (w is "-c" or "--set-counters" && i + 2 < words.Count &&
                long.TryParse(words[i + 1], out var p) && long.TryParse(words[i + 2], out var b))
            {
                rule.Packets = p; rule.Bytes = b;
                i += 2;
                continue;
            }
            rule.Args.Add(w);
        }
    }

    /// <summary>Splits a rule line into words as iptables-save quotes them ("…" with \" and \\ escapes).</summary>
    public static List<string>? Words(string line)
    {
        var words = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool inQuote = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (inQuote)
            {
                if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\') { sb.Append(line[++i]); continue; }
                if (c == '"') { inQuote = false; continue; }
                sb.Append(c);
            }
            else if (c == '"') { inQuote = true; any = true; }
            else if (c is ' ' or '\t')
            {
                if (any || sb.Length > 0) words.Add(sb.ToString());
                sb.Clear(); any = false;
            }
            else { sb.Append(c); any = true; }
        }
        if (inQuote) return null;
        if (any || sb.Length > 0) words.Add(sb.ToString());
        return words;
    }
}
