using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Diagnosis;

/// <summary>What a DROP/REJECT rule matches, as far as the checks can tell: protocol, destination port, addresses.</summary>
/// <param name="Decidable">false when the rule has matches the checks cannot evaluate (sets, marks, conntrack, negation)</param>
internal sealed record RuleMatch(string? Proto, int? DPort, IpPrefix? Src, IpPrefix? Dst, string? InIf, string? OutIf, bool Decidable);

/// <summary>Reads iptables arguments and nftables rules into <see cref="RuleMatch"/>.</summary>
internal static class FirewallRules
{
    public static bool IsDrop(string? verdict) => verdict is "DROP" or "REJECT" or "drop" or "reject";

    /// <summary>iptables-save arguments after "-A CHAIN": -p, --dport, -s, -d, -i, -o; anything it cannot evaluate makes it undecidable.</summary>
    public static RuleMatch Iptables(IReadOnlyList<string> args)
    {
        string? proto = null, inIf = null, outIf = null;
        int? dport = null;
        IpPrefix? src = null, dst = null;
        bool decidable = true;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? next = i + 1 < args.Count ? args[i + 1] : null;
            switch (a)
            {
                case "!": decidable = false; break;
                case "-p" or "--protocol": proto = next?.ToLowerInvariant(); i++; break;
                case "--dport" or "--destination-port": dport = int.TryParse(next, out var p) ? p : null; if (dport is null) decidable = false; i++; break;
                case "-s" or "--source": src = IpPrefix.TryParse(next, out var s) ? s : null; i++; break;
                case "-d" or "--destination": dst = IpPrefix.TryParse(next, out var d) ? d : null; i++; break;
                case "-i" or "--in-interface": inIf = next; i++; break;
                case "-o" or "--out-interface": outIf = next; i++; break;
                case "-m" or "--match":
                    if (next is not ("udp" or "tcp" or "icmp" or "comment" or "addrtype")) decidable = false;
                    i++; break;
                case "--comment": i++; break;
                case "-j" or "-g" or "--jump" or "--goto": i++; break;
                case "--reject-with": i++; break;
                case "--dst-type": if (next != "LOCAL") decidable = false; i++; break;
                default: if (a.StartsWith('-')) decidable = false; break;
            }
        }
        return new RuleMatch(proto, dport, src, dst, inIf, outIf, decidable);
    }

    /// <summary>An nft rule from its text ("ip saddr 198.18.0.0/24 udp dport 4789 drop") or its `nft -j` expressions.</summary>
    public static (RuleMatch Match, string? Verdict, string? Jump) Nft(NftRule r)
    {
        if (r.Text is { } text) return FromText(text);
        if (r.Expr is { ValueKind: JsonValueKind.Array } expr) return FromJson(expr);
        return (new RuleMatch(null, null, null, null, null, null, false), null, null);
    }

    private static (RuleMatch, string?, string?) FromText(string text)
    {
        var w = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? proto = null, verdict = null, jump = null, inIf = null, outIf = null;
        int? dport = null; IpPrefix? src = null, dst = null;
        bool decidable = true;
        for (int i = 0; i < w.Length; i++)
        {
            string? next = i + 1 < w.Length ? w[i + 1] : null;
            switch (w[i])
            {
                case "udp" or "tcp" when next is "dport" or "sport":
                    proto = w[i];
                    if (next == "dport" && i + 2 < w.Length && int.TryParse(w[i + 2], out var p)) dport = p;
                    else decidable = false;
                    i += 2; break;
                case "meta" when next == "l4proto": proto = i + 2 < w.Length ? w[i + 2] : null; i += 2; break;
                case "ip" or "ip6" when next is "saddr" or "daddr":
                    if (i + 2 < w.Length && IpPrefix.TryParse(w[i + 2], out var a)) { if (next == "saddr") src = a; else dst = a; } else decidable = false;
                    i += 2; break;
                case "iifname" or "iif": inIf = next?.Trim('"'); i++; break;
                case "oifname" or "oif": outIf = next?.Trim('"'); i++; break;
                case "drop" or "reject" or "accept": verdict = w[i]; break;
                case "jump" or "goto": jump = next; i++; break;
                case "counter" or "packets" or "bytes": if (w[i] != "counter") i++; break;
                case "with": i = w.Length; break; // "reject with icmp …"
                case "comment": i = w.Length; break;
                default: if (!int.TryParse(w[i], out _)) decidable = false; break;
            }
        }
        return (new RuleMatch(proto, dport, src, dst, inIf, outIf, decidable), verdict, jump);
    }

    private static (RuleMatch, string?, string?) FromJson(JsonElement expr)
    {
        string? proto = null, verdict = null, jump = null, inIf = null, outIf = null;
        int? dport = null; IpPrefix? src = null, dst = null;
        bool decidable = true;
        foreach (var e in expr.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) continue;
            foreach (var prop in e.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "drop" or "reject" or "accept": verdict = prop.Name; break;
                    case "jump" or "goto": jump = prop.Value.TryGetProperty("target", out var t) ? t.GetString() : null; break;
                    case "counter" or "log" or "comment": break;
                    case "match":
                        if (!ReadMatch(prop.Value, ref proto, ref dport, ref src, ref dst, ref inIf, ref outIf)) decidable = false;
                        break;
                    default: decidable = false; break;
                }
            }
        }
        return (new RuleMatch(proto, dport, src, dst, inIf, outIf, decidable), verdict, jump);
    }

    private static bool ReadMatch(JsonElement m, ref string? proto, ref int? dport, ref IpPrefix? src, ref IpPrefix? dst, ref string? inIf, ref string? outIf)
    {
        if (m.TryGetProperty("op", out var op) && op.GetString() is not ("==" or "in")) return false;
        if (!m.TryGetProperty("left", out var left) || !m.TryGetProperty("right", out var right)) return false;
        if (left.TryGetProperty("payload", out var pl))
        {
            var protocol = pl.TryGetProperty("protocol", out var pr) ? pr.GetString() : null;
            var field = pl.TryGetProperty("field", out var f) ? f.GetString() : null;
            if (protocol is "udp" or "tcp" && field == "dport" && right.ValueKind == JsonValueKind.Number) { proto = protocol; dport = right.GetInt32(); return true; }
            if (protocol is "ip" or "ip6" && field is "saddr" or "daddr")
            {
                IpPrefix? a = right.ValueKind == JsonValueKind.String && IpPrefix.TryParse(right.GetString(), out var x) ? x
                    : right.TryGetProperty("prefix", out var px) && IpPrefix.TryParse($"{px.GetProperty("addr").GetString()}/{px.GetProperty("len").GetInt32()}", out var y) ? y : null;
                if (a is null) return false;
                if (field == "saddr") src = a; else dst = a;
                return true;
            }
            if (protocol is "ip" && field == "protocol" && right.ValueKind == JsonValueKind.String) { proto = right.GetString(); return true; }
            return false;
        }
        if (left.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var key))
        {
            switch (key.GetString())
            {
                case "l4proto": proto = right.ValueKind == JsonValueKind.String ? right.GetString() : null; return proto is not null;
                case "iifname": inIf = right.GetString(); return true;
                case "oifname": outIf = right.GetString(); return true;
            }
        }
        return false;
    }
}
