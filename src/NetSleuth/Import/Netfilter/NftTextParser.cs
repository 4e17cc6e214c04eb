using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `nft list ruleset` (and `nft -a list ruleset`, `nft list table …`):
/// <code>
/// table inet calico { # handle 6
/// 	chain input { # handle 1
/// 		type filter hook input priority filter; policy accept;
/// 		udp dport 4789 counter packets 0 bytes 0 drop comment "cali:vxlan drop" # handle 3
/// 		iifname "cali*" jump cali-wl # handle 4
/// 	}
/// 	set allowed { … }
/// }
/// table netdev ing {
/// 	chain eth0in {
/// 		type filter hook ingress device "eth0" priority -500; policy accept;
/// </code>
/// Named sets and maps are kept with their elements (<see cref="NftSetText"/>: kube-proxy's service-ips verdict map);
/// flowtables and other named objects are skipped; a rule whose braces span lines is joined.
/// </summary>
internal static class NftTextParser
{
    /// <summary>`nft [-a] [-n] list ruleset|table …` without -j.</summary>
    public static bool Matches(IReadOnlyList<string> argv) => IsNftList(argv) && !IsJson(argv);

    internal static bool IsNftList(IReadOnlyList<string> argv) =>
        argv.Count >= 3 && Path.GetFileName(argv[0]) == "nft" && argv.Skip(1).FirstOrDefault(a => !a.StartsWith('-')) == "list" &&
        argv.Skip(1).SkipWhile(a => a != "list").Skip(1).FirstOrDefault() is "ruleset" or "table" or "tables" or "chain";

    internal static bool IsJson(IReadOnlyList<string> argv) =>
        argv.Any(a => a is "-j" or "--json" || (a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Contains('j')));
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        bool whole = output.Argv.Contains("ruleset");
        var rs = ns.Nftables ??= new NftRuleset { Source = output.At(0) };
        if (whole)
        {
            rs.Tables.Clear(); rs.Chains.Clear(); rs.Rules.Clear();
            rs.Source = output.At(0);
        }
        NftTable? table = null;
        NftChain? chain = null;
        int skipDepth = 0, pendingStart = -1, setStart = -1;
        string pending = "";
        var setText = new System.Text.StringBuilder();
        bool balanced = true;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (pendingStart >= 0)
            {
                pending += " " + line;
                if (Depth(pending) > 0) continue;
                line = pending; pending = "";
                AddRule(rs, table!, chain!, line, output.At(pendingStart));
                pendingStart = -1;
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (setStart >= 0)
            {
                setText.Append(' ').Append(line);
                skipDepth += Depth(line);
                if (skipDepth == 0)
                {
                    if (NftSetText.Parse(setText.ToString(), table!, output.At(setStart)) is { } set) rs.Sets.Add(set);
                    else log.Warn(output, setStart, $"nft: cannot read the set '{IptablesSaveParser.Short(setText.ToString())}'");
                    setStart = -1;
                }
                continue;
            }
            if (skipDepth > 0) { skipDepth += Depth(line); continue; }
            if (table is null)
            {
                var tableHead = StripHandle(line);
                if (!tableHead.StartsWith("table ", StringComparison.Ordinal) || !tableHead.EndsWith('{'))
                { log.Warn(output, i, $"nft: expected 'table FAMILY NAME {{', got '{IptablesSaveParser.Short(line)}'"); balanced = false; continue; }
                var words = tableHead.TrimEnd('{').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 3) { log.Warn(output, i, "nft: a table line without family and name"); continue; }
                table = new NftTable { Family = words[1], Name = words[2] };
                rs.Tables.RemoveAll(t => t.Family == table.Family && t.Name == table.Name);
                rs.Chains.RemoveAll(c => c.Family == table.Family && c.Table == table.Name);
                rs.Rules.RemoveAll(r => r.Family == table.Family && r.Table == table.Name);
                rs.Sets.RemoveAll(x => x.Family == table.Family && x.Table == table.Name);
                rs.Tables.Add(table);
                continue;
            }
            if (chain is null)
            {
                if (line == "}") { table = null; continue; }
                var head = StripHandle(line);
                if (head.StartsWith("chain ", StringComparison.Ordinal) && head.EndsWith('{'))
                {
                    chain = new NftChain { Family = table.Family, Table = table.Name, Name = Unquote(head[6..^1].Trim()) };
                    rs.Chains.Add(chain);
                }
                else if (head.EndsWith('{') && (head.StartsWith("set ", StringComparison.Ordinal) || head.StartsWith("map ", StringComparison.Ordinal)))
                {
                    skipDepth = Depth(head);
                    setStart = i;
                    setText.Clear().Append(head);
                }
                else if (head.EndsWith('{')) skipDepth = Depth(head); // flowtable, counter, quota, ct helper …
                else if (head.StartsWith("comment ", StringComparison.Ordinal)) { } // the table's comment
                else if (head.EndsWith('}') && Depth(head) == 0) { } // a one-line named object
                else if (!head.StartsWith("flags ", StringComparison.Ordinal)) log.Warn(output, i, $"nft: unrecognised line in table {table.Name}: '{IptablesSaveParser.Short(line)}'");
                continue;
            }
            if (line == "}") { chain = null; continue; }
            if (line.StartsWith("type ", StringComparison.Ordinal) && line.Contains(" hook ", StringComparison.Ordinal))
            {
                ChainHeader(chain, line);
                continue;
            }
            if (line.StartsWith("policy ", StringComparison.Ordinal) && line.EndsWith(';')) { chain.Policy = line[7..^1].Trim(); continue; }
            if (line.StartsWith("comment ", StringComparison.Ordinal) && (line.EndsWith(';') || line.EndsWith('"'))) continue;
            if (Depth(line) > 0) { pendingStart = i; pending = line; continue; }
            AddRule(rs, table, chain, line, output.At(i));
        }
        if ((table is not null || pendingStart >= 0) && !output.Partial)
            log.Warn(output, output.Lines.Count - 1, "nft: the ruleset ends inside a table (output cut?)");
        else if (whole && balanced && !output.Partial) ns.Known.Add(Sections.Nftables);
    }

    // "type filter hook ingress device "eth0" priority -500; policy accept;"
    private static void ChainHeader(NftChain chain, string line)
    {
        foreach (var stmt in line.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var w = stmt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w[0] == "policy" && w.Length > 1) { chain.Policy = w[1]; continue; }
            for (int j = 0; j + 1 < w.Length; j++)
            {
                switch (w[j])
                {
                    case "type": chain.Type = w[j + 1]; break;
                    case "hook": chain.Hook = w[j + 1]; break;
                    case "device": chain.Device = Unquote(w[j + 1]); break;
                    case "priority": chain.Priority = NftPriority.Parse(string.Join(' ', w.Skip(j + 1)), chain.Family); j = w.Length; break;
                }
            }
        }
    }

    private static void AddRule(NftRuleset rs, NftTable table, NftChain chain, string line, SourceRef at)
    {
        long? handle = null;
        int h = line.LastIndexOf("# handle ", StringComparison.Ordinal);
        if (h >= 0)
        {
            if (long.TryParse(line.AsSpan(h + 9).Trim(), out var n)) handle = n;
            line = line[..h].TrimEnd();
        }
        rs.Rules.Add(new NftRule { Family = table.Family, Table = table.Name, Chain = chain.Name, Handle = handle, Text = line, Source = at });
    }

    private static string StripHandle(string line)
    {
        int h = line.IndexOf(" # handle ", StringComparison.Ordinal);
        return (h >= 0 ? line[..h] : line).TrimEnd();
    }

    /// <summary>Opening minus closing braces outside quotes.</summary>
    private static int Depth(string s)
    {
        int d = 0;
        bool q = false;
        foreach (var c in s)
        {
            if (c == '"') q = !q;
            else if (!q && c == '{') d++;
            else if (!q && c == '}') d--;
        }
        return d;
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
}
