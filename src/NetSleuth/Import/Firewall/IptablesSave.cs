using System.Globalization;
using System.Text;
using NetSleuth.Model;

namespace NetSleuth.Import.Firewall;

/// <summary>
/// `iptables-save` / `ip6tables-save` (optionally with -c):
/// <code>*filter
/// :INPUT ACCEPT [0:0]
/// :KUBE-SERVICES - [0:0]
/// [5:300] -A INPUT -s 198.18.0.0/15 -m comment --comment "a b" -j DROP
/// COMMIT</code>
/// </summary>
internal static class IptablesSave
{
    public static List<IptablesTable> Read(IReadOnlyList<string> lines, string family, Func<int, SourceRef> at, ImportLog log)
    {
        var tables = new List<IptablesTable>();
        IptablesTable? current = null;
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                if (line.Contains("legacy tables present", StringComparison.Ordinal)) log.Warn(at(i), line.TrimStart('#', ' '));
                continue;
            }
            if (line.StartsWith('*'))
            {
                current = new IptablesTable { Family = family, Name = line[1..], Source = at(i) };
                tables.Add(current);
                continue;
            }
            if (line == "COMMIT") { current = null; continue; }
            if (current is null) { log.Warn(at(i), "iptables-save: line outside a *table skipped"); continue; }
            if (line.StartsWith(':')) { current.Chains.Add(Chain(line)); continue; }
            long? pk = null, by = null;
            if (line.StartsWith('[') && line.IndexOf(']') is > 0 and var close)
            {
                (pk, by) = Counters(line[..(close + 1)]);
                line = line[(close + 1)..].TrimStart();
            }
            var words = Words(line);
            if (words.Count < 2 || words[0] != "-A") { log.Warn(at(i), $"iptables-save: unrecognised line '{line}' skipped"); continue; }
            var rule = new IptablesRule { Chain = words[1], Args = words.Skip(2).ToList(), Packets = pk, Bytes = by, Source = at(i) };
            for (int w = 2; w + 1 < words.Count; w++)
                if (words[w] is "-j" or "--jump" or "-g" or "--goto")
                {
                    rule.Target = words[w + 1];
                    rule.IsGoto = words[w] is "-g" or "--goto";
                }
            current.Rules.Add(rule);
        }
        return tables;
    }

    private static IptablesChain Chain(string line)
    {
        var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var c = new IptablesChain { Name = parts[0], Policy = parts.Length > 1 && parts[1] != "-" ? parts[1] : null };
        if (parts.Length > 2) (c.Packets, c.Bytes) = Counters(parts[2]);
        return c;
    }

    private static (long?, long?) Counters(string s)
    {
        var inner = s.Trim('[', ']').Split(':');
        return inner.Length == 2 &&
               long.TryParse(inner[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) &&
               long.TryParse(inner[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            ? (p, b) : (null, null);
    }

    /// <summary>Splits on blanks, keeping "double quoted" parts whole (quotes removed).</summary>
    internal static List<string> Words(string line)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        bool inQuote = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && inQuote && i + 1 < line.Length) { sb.Append(line[++i]); continue; }
            if (c == '"') { inQuote = !inQuote; any = true; continue; }
            if (c == ' ' && !inQuote)
            {
                if (any || sb.Length > 0) words.Add(sb.ToString());
                sb.Clear(); any = false;
                continue;
            }
            sb.Append(c);
        }
        if (any || sb.Length > 0) words.Add(sb.ToString());
        return words;
    }
}
