using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `iptables -L -n [-v] [-x] [--line-numbers]` and `ip6tables …` (iptables/iptables.c print_header,
/// print_firewall). Columns follow the header; the target column is blank for a rule without -j;
/// iptables ≥ 1.8.8 prints protocol numbers ("6"), older ones names ("tcp", "all"); without -x the
/// counters are rounded to K/M/G/T.
/// <code>
/// Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
///  pkts bytes target     prot opt in     out     source               destination
///     4   336 cali-INPUT  0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* cali:Cz_u1IQiXIMmKD4c */
///     0     0            0    --  eth0   *       0.0.0.0/0            0.0.0.0/0
///     0     0 cali-wl-to-host  0    --  cali+  *       0.0.0.0/0            0.0.0.0/0           [goto]  /* … */
///
/// Chain cali-INPUT (1 references)
/// num  target     prot opt source               destination
/// 1    DROP       17   --  0.0.0.0/0            0.0.0.0/0            /* cali:w7ud0UgQSEi_zKuQ */ udp dpt:4789
/// </code>
/// A rule keeps its -s/-d/-i/-o/-p and -j/-g as iptables-save would write them; the match text after
/// the destination column is kept as one word after "--match-text".
/// </summary>
internal static class IptablesListParser
{
    public static bool Matches(IReadOnlyList<string> argv) => IptablesCommand.Parse(argv) is { List: true, ListRules: false };
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = IptablesCommand.Parse(output.Argv) ?? new IptablesCommand("ipv4", null, false, "filter", null, true, false);
        var table = IptablesCommand.FindTable(ns, cmd.Family, cmd.Table ?? "filter", output.At(0));
        table.Backend ??= cmd.Backend;
        if (cmd.Chain is null) { table.Chains.Clear(); table.Rules.Clear(); table.Source = output.At(0); }
        string? chain = null;
        string[]? header = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            var trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            if (trimmed.StartsWith('#'))
            {
                if (trimmed.Contains("legacy tables present", StringComparison.Ordinal))
                    log.Warn(output, i, "iptables-legacy rules exist too and are not in this output; run iptables-legacy to see them");
                continue;
            }
            if (trimmed.StartsWith("Chain ", StringComparison.Ordinal))
            {
                chain = ChainLine(table, trimmed, output, i, log);
                table.Rules.RemoveAll(r => r.Chain == chain && cmd.Chain is not null);
                header = null;
                continue;
            }
            var tokens = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Contains("target") && tokens.Contains("source"))
            {
                header = tokens;
                continue;
            }
            if (chain is null || header is null) { log.Warn(output, i, $"iptables -L: a line outside a chain: '{IptablesSaveParser.Short(trimmed)}'"); continue; }
            var rule = Rule(header, tokens, chain, cmd.Family);
            if (rule is null) { log.Warn(output, i, $"iptables -L: cannot read rule '{IptablesSaveParser.Short(trimmed)}'"); continue; }
            rule.Source = output.At(i);
            table.Rules.Add(rule);
        }
        if (table.Name == "nat") IptablesSaveParser.WarnNotSimulated(table, log);
    }

    // "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)"  "Chain FORWARD (policy DROP)"  "Chain cali-INPUT (1 references)"
    private static string? ChainLine(IptablesTable table, string line, CommandOutput output, int i, ImportLog log)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) { log.Warn(output, i, "iptables -L: a Chain line without a name"); return null; }
        var chain = new IptablesChain { Name = parts[1] };
        if (parts.Length >= 4 && parts[2] == "(policy")
        {
            chain.Policy = parts[3].TrimEnd(')');
            if (parts.Length >= 8 && TryCount(parts[4], out var p) && TryCount(parts[6], out var b)) { chain.Packets = p; chain.Bytes = b; }
        }
        table.Chains.RemoveAll(c => c.Name == chain.Name);
        table.Chains.Add(chain);
        return chain.Name;
    }

    private static IptablesRule? Rule(string[] header, string[] t, string chain, string family)
    {
        int k = Array.IndexOf(header, "target");
        if (t.Length < k + 3) return null;
        var rule = new IptablesRule { Chain = chain };
        int at = 0;
        foreach (var col in header.Take(k))
        {
            if (col == "pkts" && TryCount(t[at], out var p)) rule.Packets = p;
            else if (col == "bytes" && TryCount(t[at], out var b)) rule.Bytes = b;
            else if (col is "pkts" or "bytes") return null;
            at++;
        }
        bool hasTarget = !IsOpt(t[at + 1]);
        if (hasTarget) rule.Target = t[at++];
        var prot = t[at++];
        if (at < t.Length && IsOpt(t[at])) at++;
        string? inIf = null, outIf = null;
        if (header.Contains("in"))
        {
            if (t.Length < at + 2) return null;
            inIf = t[at++]; outIf = t[at++];
        }
        if (t.Length < at + 2) return null;
        var src = t[at++];
        var dst = t[at++];
        var extra = t.Skip(at).ToList();
        if (extra.Remove("[goto]")) rule.IsGoto = true;
        var args = rule.Args;
        Add(args, "-s", src, family == "ipv6" ? "::/0" : "0.0.0.0/0");
        Add(args, "-d", dst, family == "ipv6" ? "::/0" : "0.0.0.0/0");
        Add(args, "-i", inIf, "*");
        Add(args, "-o", outIf, "*");
        Add(args, "-p", ProtocolName(prot), "all");
        if (extra.Count > 0) { args.Add("--match-text"); args.Add(string.Join(' ', extra)); }
        if (rule.Target is not null) { args.Add(rule.IsGoto ? "-g" : "-j"); args.Add(rule.Target); }
        return rule;
    }

    private static void Add(List<string> args, string opt, string? value, string any)
    {
        if (value is null || value == any) return;
        if (value.StartsWith('!')) { args.Add("!"); value = value[1..]; }
        args.Add(opt); args.Add(value);
    }

    private static bool IsOpt(string s) => s is "--" or "-f" or "!f";

    private static string ProtocolName(string p) => p switch
    {
        "0" => "all",
        "1" => "icmp",
        "6" => "tcp",
        "17" => "udp",
        "47" => "gre",
        "50" => "esp",
        "58" => "ipv6-icmp",
        "132" => "sctp",
        _ => p,
    };

    /// <summary>"336", "4K", "12M" (iptables rounds by 1000 without -x).</summary>
    internal static bool TryCount(string s, out long value)
    {
        value = 0;
        if (s.Length == 0) return false;
        long mult = s[^1] switch { 'K' => 1000L, 'M' => 1000_000L, 'G' => 1000_000_000L, 'T' => 1000_000_000_000L, _ => 1 };
        var digits = mult == 1 ? s : s[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        value = n * mult;
        return true;
    }
}
