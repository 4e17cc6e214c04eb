using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// The iptables parts kube-proxy's nat table uses beyond plain matches: the endpoint choice of a run of
/// <c>-m statistic</c> rules (KUBE-SVC-…: one rule per endpoint, the last without statistic), MARK targets
/// (<c>--set-xmark</c>, <c>--set-mark</c>, <c>--or-mark</c>, <c>--and-mark</c>, <c>--xor-mark</c>), the NAT targets
/// (DNAT <c>--to-destination</c>, SNAT <c>--to-source</c>, MASQUERADE, REDIRECT <c>--to-ports</c>) and ipset matches
/// (<c>-m set --match-set NAME dst,dst</c>, kube-proxy's ipvs mode).
/// </summary>
internal static class IptablesNat
{
    /// <summary>Whether a statistic rule (all its other matches hold) is the one the walk takes. The choice point is
    /// the run of statistic rules it belongs to, with the first rule after them that would catch the rest: each is one
    /// alternative (an endpoint); the walk's chooser picks one, and the other alternatives are traced separately.</summary>
    public static bool Chosen(IptablesTable table, string chain, int index, IptablesRule rule, PacketView p, List<Step> steps)
    {
        var rules = table.Rules;
        int first = index;
        for (int i = index - 1; i >= 0; i--)
        {
            if (rules[i].Chain != chain || !HasStatistic(rules[i])) break; // iptables-save and -L print a chain's rules together
            first = i;
        }
        var labels = new List<string>();
        int mine = -1;
        for (int i = first; i < rules.Count; i++)
        {
            var r = rules[i];
            if (r.Chain != chain) break;
            if (i == index) mine = labels.Count;
            labels.Add(Label(r));
            if (!HasStatistic(r)) break;
        }
        var key = $"iptables {table.Name} {chain} #{first}";
        int taken = p.Ctx!.Choose!(key, labels);
        if (taken == mine)
            steps.Add(new ChoiceStep($"{table.Name} {chain}", labels, taken) { Evidence = rule.Source });
        return taken == mine;
    }

    private static bool HasStatistic(IptablesRule r)
    {
        var a = r.Args;
        for (int i = 0; i + 1 < a.Count; i++)
            if (a[i] is "-m" or "--match" && a[i + 1] == "statistic") return true;
        return false;
    }

    /// <summary>The alternative's name: its target and its probability (or "the rest").</summary>
    private static string Label(IptablesRule r)
    {
        string? prob = null, every = null;
        var a = r.Args;
        for (int i = 0; i + 1 < a.Count; i++)
        {
            if (a[i] == "--probability") prob = a[i + 1];
            else if (a[i] == "--every") every = a[i + 1];
        }
        var what = r.Target ?? "(no target)";
        if (prob is not null && double.TryParse(prob, NumberStyles.Float, CultureInfo.InvariantCulture, out var pv))
            return $"{what} (probability {pv.ToString("0.###", CultureInfo.InvariantCulture)})";
        if (every is not null) return $"{what} (every {every})";
        return $"{what} (the rest)";
    }

    /// <summary>Applies a MARK target to the context's mark; false when its option is not understood.</summary>
    public static bool Mark(IptablesRule rule, NfContext ctx)
    {
        var a = rule.Args;
        for (int i = 0; i + 1 < a.Count; i++)
        {
            uint v, m;
            switch (a[i])
            {
                case "--set-xmark":
                    if (!MarkValue.TryParsePair(a[i + 1], out v, out m)) return false;
                    ctx.XMark(v, m); return true;
                case "--set-mark":
                    if (!MarkValue.TryParsePair(a[i + 1], out v, out m)) return false;
                    ctx.XMark(v, m | v); return true; // --set-mark v/m is --set-xmark v/(m|v)
                case "--or-mark":
                    if (!MarkValue.TryParse(a[i + 1], out v)) return false;
                    ctx.XMark(v, v); return true;
                case "--and-mark":
                    if (!MarkValue.TryParse(a[i + 1], out v)) return false;
                    ctx.XMark(0, ~v); return true;
                case "--xor-mark":
                    if (!MarkValue.TryParse(a[i + 1], out v)) return false;
                    ctx.XMark(v, 0); return true;
            }
        }
        return false;
    }

    /// <summary>The NAT a DNAT/SNAT/MASQUERADE/REDIRECT rule applies; null when its options are not understood.</summary>
    public static NatAction? Action(IptablesTable table, IptablesRule rule)
    {
        var a = rule.Args;
        string? to = null, ports = null;
        for (int i = 0; i + 1 < a.Count; i++)
        {
            if (a[i] is "--to-destination" or "--to-source" or "--to") to = a[i + 1];
            else if (a[i] == "--to-ports") ports = a[i + 1];
        }
        var kind = rule.Target switch
        {
            "DNAT" => NatKind.Dnat, "SNAT" => NatKind.Snat, "MASQUERADE" => NatKind.Masquerade, _ => NatKind.Redirect,
        };
        System.Net.IPAddress? addr = null;
        int? port = null;
        string? range = null;
        if (kind is NatKind.Dnat or NatKind.Snat)
        {
            if (to is null || !Nat.TryParseTarget(to, out addr, out port, out range)) return null;
        }
        else if (ports is not null)
        {
            if (!Nat.TryParseTarget(":" + ports, out _, out port, out range)) return null;
        }
        return new NatAction(kind, addr, port, range, "iptables", table.Name, rule.Chain, rule.ToString(), rule.Source);
    }

    /// <summary>-m set [!] --match-set NAME FLAGS against the namespace's ipsets (src/dst per flag: ip, ip,port, ip,port,ip,
    /// net); null when the set is not in the input or its type is not simulated.</summary>
    public static bool? SetMatch(string? name, string? flags, PacketView p)
    {
        if (name is null || flags is null || p.Ctx?.Ns is not { } ns) return null;
        IpSet? set = null;
        foreach (var s in ns.Ipsets) if (s.Name == name) { set = s; break; }
        if (set is null) return null;
        var dirs = flags.Split(',');
        var f = p.Flow;
        var parts = new string[dirs.Length];
        for (int i = 0; i < dirs.Length; i++)
        {
            bool src = dirs[i] == "src";
            // element parts in order: ip, port (with protocol), ip / net
            if (i == 1) parts[i] = $"{f.Protocol}:{(src ? f.SourcePort : f.DestinationPort)}";
            else parts[i] = (src ? f.Source : f.Destination).ToString();
        }
        foreach (var member in set.Members)
        {
            var mp = member.Split(',');
            if (mp.Length != parts.Length) continue;
            bool all = true;
            for (int i = 0; i < mp.Length && all; i++)
            {
                if (i == 1) all = mp[i] == parts[i] || (mp[i].StartsWith(f.Protocol + ":", StringComparison.Ordinal) == false && mp[i] == parts[i][(parts[i].IndexOf(':') + 1)..]);
                else if (mp[i].Contains('/')) all = IpPrefix.TryParse(mp[i], out var pfx) && System.Net.IPAddress.TryParse(parts[i], out var ip) && pfx.Contains(ip);
                else all = mp[i] == parts[i];
            }
            if (all) return true;
        }
        return false;
    }
}
