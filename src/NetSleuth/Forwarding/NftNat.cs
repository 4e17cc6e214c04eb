using System.Globalization;
using System.Net;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>Where an nft rule is evaluated: its ruleset (for named sets and maps), base chain, chain, text and source.</summary>
internal sealed record NftScope(NftRuleset Rs, NftChain BaseChain, string Chain, string Text, SourceRef? Source, List<Step> Steps);

/// <summary>
/// The nft expressions kube-proxy's nftables mode relies on: concatenations looked up in named sets and verdict maps
/// (<c>ip daddr . meta l4proto . th dport vmap @service-ips</c>), <c>numgen random mod N vmap { … }</c> (an endpoint
/// choice the walk enumerates), <c>meta mark</c> with bit operations and <c>meta mark set</c>, <c>fib daddr type</c>,
/// and the NAT statements dnat/snat/masquerade/redirect (left in the walk's context for the walker to apply).
/// </summary>
internal static class NftNat
{
    /// <summary>Matches this class handles (set references, concatenations, marks, fib, numgen); false: not one of them.</summary>
    public static bool TryMatch(JsonElement m, PacketView p, NftScope? scope, out bool? result)
    {
        result = null;
        if (!m.TryGetProperty("left", out var left) || !m.TryGetProperty("right", out var right)) return false;
        var op = m.TryGetProperty("op", out var o) ? o.GetString() : "==";
        bool setRef = right.ValueKind == JsonValueKind.String && right.GetString()!.StartsWith('@');
        bool mine = setRef || left.TryGetProperty("concat", out _) || IsMark(left) || left.TryGetProperty("fib", out _) ||
                    left.TryGetProperty("&", out _) || left.TryGetProperty("|", out _) || left.TryGetProperty("^", out _);
        if (!mine) return false;
        var key = Value(left, p);
        if (key is null) return true;
        bool? r;
        if (setRef)
        {
            if (scope is null || FindSet(scope, right.GetString()![1..]) is not { } set) return true;
            r = false;
            foreach (var e in set.Elements)
            {
                var hit = KeyMatches(e.Key, key);
                if (hit is null) return true;
                if (hit.Value) { r = true; break; }
            }
        }
        else if (right.ValueKind == JsonValueKind.Number) r = key == right.GetUInt32().ToString(CultureInfo.InvariantCulture);
        else if (right.ValueKind == JsonValueKind.String) r = key == right.GetString();
        else return true;
        result = op switch { "==" or "in" => r, "!=" => !r, _ => null };
        return true;
    }

    private static bool IsMark(JsonElement e) =>
        e.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var k) && k.GetString() == "mark";

    private static NftSet? FindSet(NftScope scope, string name)
    {
        foreach (var s in scope.Rs.Sets)
            if (s.Name == name && s.Table == scope.BaseChain.Table && s.Family == scope.BaseChain.Family) return s;
        return null;
    }

    /// <summary>The packet's value of an expression as nft prints set keys ("10.96.0.10 . tcp . 80", "16384", "local");
    /// null when it is not simulated.</summary>
    internal static string? Value(JsonElement e, PacketView p)
    {
        if (e.TryGetProperty("concat", out var concat))
        {
            var parts = new List<string>();
            foreach (var part in concat.EnumerateArray())
            {
                if (Value(part, p) is not { } v) return null;
                parts.Add(v);
            }
            return string.Join(" . ", parts);
        }
        foreach (var opName in new[] { "&", "|", "^" })
        {
            if (!e.TryGetProperty(opName, out var args) || args.GetArrayLength() != 2) continue;
            if (Value(args[0], p) is not { } lv || !uint.TryParse(lv, out var l)) return null;
            if (args[1].ValueKind != JsonValueKind.Number) return null;
            var r = args[1].GetUInt32();
            return (opName switch { "&" => l & r, "|" => l | r, _ => l ^ r }).ToString(CultureInfo.InvariantCulture);
        }
        if (IsMark(e)) return p.Ctx is { } c ? c.Mark.ToString(CultureInfo.InvariantCulture) : null;
        if (e.TryGetProperty("fib", out var fib))
        {
            if (!fib.TryGetProperty("result", out var res) || res.GetString() != "type" || !fib.TryGetProperty("flags", out var fl)) return null;
            var which = fl.ValueKind == JsonValueKind.Array && fl.GetArrayLength() > 0 ? fl[0].GetString() : fl.GetString();
            var a = which == "saddr" ? p.Flow.Source : p.Flow.Destination;
            return p.Ctx?.AddrType(a)?.ToLowerInvariant();
        }
        if (e.TryGetProperty("payload", out var pl) && pl.TryGetProperty("field", out var f))
        {
            var proto = pl.TryGetProperty("protocol", out var pr) ? pr.GetString() : null;
            return (proto, f.GetString()) switch
            {
                ("ip", "saddr") => p.Flow.Source.ToString(),
                ("ip", "daddr") => p.Flow.Destination.ToString(),
                ("ip", "protocol") => p.Flow.Protocol,
                ("tcp" or "udp" or "th" or "sctp", "dport") => proto == "th" || proto == p.Flow.Protocol ? p.Flow.DestinationPort?.ToString(CultureInfo.InvariantCulture) ?? "-" : "-",
                ("tcp" or "udp" or "th" or "sctp", "sport") => proto == "th" || proto == p.Flow.Protocol ? p.Flow.SourcePort?.ToString(CultureInfo.InvariantCulture) ?? "-" : "-",
                _ => null,
            };
        }
        if (e.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var mk))
            return mk.GetString() switch
            {
                "l4proto" => p.Flow.Protocol,
                "iifname" => p.InDev ?? "",
                "oifname" => p.OutDev ?? "",
                "nfproto" => "ipv4",
                _ => null,
            };
        return null;
    }

    /// <summary>Whether a set element's key ("10.96.0.10 . tcp . 53", "10.0.0.0/8", "10.0.0.1-10.0.0.9", "30000-32767")
    /// holds the packet's value; null when an element part cannot be read.</summary>
    internal static bool? KeyMatches(string element, string value)
    {
        var ep = element.Split(" . ");
        var vp = value.Split(" . ");
        if (ep.Length != vp.Length) return false;
        for (int i = 0; i < ep.Length; i++)
        {
            var e = ep[i].Trim();
            var v = vp[i];
            if (e == v) continue;
            if (IPAddress.TryParse(v, out var va))
            {
                if (e.Contains('/')) { if (IpPrefix.TryParse(e, out var pfx) && pfx.Contains(va)) continue; return IpPrefix.TryParse(e, out _) ? false : null; }
                int dash = e.IndexOf('-');
                if (dash > 0 && IPAddress.TryParse(e[..dash], out var lo) && IPAddress.TryParse(e[(dash + 1)..], out var hi))
                {
                    if (Compare(lo, va) <= 0 && Compare(va, hi) <= 0) continue;
                    return false;
                }
                if (IPAddress.TryParse(e, out _)) return false;
                return null;
            }
            if (uint.TryParse(v, out var vn))
            {
                int dash = e.IndexOf('-');
                if (dash > 0 && uint.TryParse(e[..dash], out var lo) && uint.TryParse(e[(dash + 1)..], out var hi))
                {
                    if (vn >= lo && vn <= hi) continue;
                    return false;
                }
                if (MarkValue.TryParse(e, out var en)) { if (en == vn) continue; return false; }
                return false; // a service name ("http") or another word: not this port
            }
            return false;
        }
        return true;
    }

    private static int Compare(IPAddress a, IPAddress b)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        for (int i = 0; i < x.Length && i < y.Length; i++) if (x[i] != y[i]) return x[i].CompareTo(y[i]);
        return 0;
    }

    /// <summary>A verdict map lookup: (true, verdict, target) for the element found, (false, …) when none holds the key,
    /// (null, …, why) when it cannot be decided. A numgen key is an endpoint choice: every element is an alternative.</summary>
    public static (bool? Found, string? Verdict, string? Target, string? Why) Vmap(JsonElement vmap, PacketView p, NftScope? scope)
    {
        if (!vmap.TryGetProperty("key", out var key) || !vmap.TryGetProperty("data", out var data)) return (null, null, null, ": a vmap without key or data");
        if (key.TryGetProperty("numgen", out var ng))
        {
            if (p.Ctx?.Choose is null || scope is null) return (null, null, null, ": numgen (an endpoint choice) is only simulated in a trace");
            if (!data.TryGetProperty("set", out var inline)) return (null, null, null, ": numgen with a named map is not simulated");
            var labels = new List<string>();
            var verdicts = new List<(string, string?)>();
            foreach (var el in inline.EnumerateArray())
            {
                if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() != 2) return (null, null, null, ": a vmap element not understood");
                var (v, t) = VerdictOf(el[1]);
                if (v is null) return (null, null, null, ": a vmap element not understood");
                verdicts.Add((v, t));
                labels.Add(t ?? v);
            }
            if (verdicts.Count == 0) return (false, null, null, null);
            var point = $"nft {scope.BaseChain.Family} {scope.BaseChain.Table} {scope.Chain}";
            int taken = p.Ctx.Choose(point, labels);
            scope.Steps.Add(new ChoiceStep(point, labels, taken) { Evidence = scope.Source });
            return (true, verdicts[taken].Item1, verdicts[taken].Item2, null);
        }
        if (Value(key, p) is not { } value) return (null, null, null, ": its map key is not simulated");
        if (data.ValueKind == JsonValueKind.String && data.GetString()!.StartsWith('@'))
        {
            if (scope is null || FindSet(scope, data.GetString()![1..]) is not { } map)
                return (null, null, null, $": the map {data.GetString()} is not in the input");
            foreach (var e in map.Elements)
            {
                var hit = KeyMatches(e.Key, value);
                if (hit is null) return (null, null, null, $": element '{e.Key}' of {data.GetString()} is not understood");
                if (!hit.Value) continue;
                var w = (e.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (w.Length == 0) return (null, null, null, $": element '{e.Key}' of {data.GetString()} has no verdict");
                scope.Steps.Add(new FilterStep("nftables", $"{scope.BaseChain.Family} {scope.BaseChain.Table}", scope.Chain, scope.Text,
                    $"{data.GetString()} has {e.Key} : {e.Value}") { Evidence = map.Source });
                return (true, w[0], w.Length > 1 ? w[1] : null, null);
            }
            return (false, null, null, null);
        }
        if (data.TryGetProperty("set", out var set))
        {
            foreach (var el in set.EnumerateArray())
            {
                if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() != 2) return (null, null, null, ": a vmap element not understood");
                var k = el[0].ValueKind == JsonValueKind.Number ? el[0].GetUInt32().ToString(CultureInfo.InvariantCulture) : el[0].GetString() ?? "";
                var hit = KeyMatches(k, value);
                if (hit is null) return (null, null, null, ": a vmap element not understood");
                if (!hit.Value) continue;
                var (v, t) = VerdictOf(el[1]);
                return v is null ? (null, null, null, ": a vmap element not understood") : (true, v, t, null);
            }
            return (false, null, null, null);
        }
        return (null, null, null, ": vmap data not understood");
    }

    private static (string? Verdict, string? Target) VerdictOf(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return (null, null);
        var prop = e.EnumerateObject().FirstOrDefault();
        return prop.Name switch
        {
            "accept" or "drop" or "reject" or "return" or "continue" => (prop.Name, null),
            "jump" or "goto" => (prop.Name, prop.Value.TryGetProperty("target", out var t) ? t.GetString() : null),
            _ => (null, null),
        };
    }

    /// <summary>meta mark set VALUE (on the walk's mark); false when not simulated.</summary>
    public static bool Mangle(JsonElement mangle, PacketView p)
    {
        if (p.Ctx is not { } ctx || !mangle.TryGetProperty("key", out var key) || !IsMark(key) || !mangle.TryGetProperty("value", out var value)) return false;
        uint v;
        if (value.ValueKind == JsonValueKind.Number) v = value.GetUInt32();
        else if (Value(value, p) is { } s && uint.TryParse(s, out var n)) v = n;
        else return false;
        ctx.Mark = v;
        return true;
    }

    /// <summary>dnat/snat/masquerade/redirect: the NAT left in the context (null), or why it cannot be.</summary>
    public static string? NatStatement(string name, JsonElement st, PacketView p, NftScope? scope)
    {
        if (p.Ctx is not { } ctx || scope is null) return $": the {name} statement is only simulated in a trace";
        if (scope.BaseChain.Type != "nat") return $": {name} outside a nat chain";
        IPAddress? addr = null;
        int? port = null;
        string? range = null;
        if (st.ValueKind == JsonValueKind.Object)
        {
            if (st.TryGetProperty("addr", out var a))
            {
                if (a.ValueKind != JsonValueKind.String || !IPAddress.TryParse(a.GetString(), out addr)) return $": the {name} address is not simulated (a map or expression)";
            }
            if (st.TryGetProperty("port", out var pt))
            {
                if (pt.ValueKind != JsonValueKind.Number) return $": the {name} port is not simulated";
                port = pt.GetInt32();
            }
            if (st.TryGetProperty("range", out var rg)) range = rg.GetString();
        }
        var kind = name switch { "dnat" => NatKind.Dnat, "snat" => NatKind.Snat, "masquerade" => NatKind.Masquerade, _ => NatKind.Redirect };
        if (kind is NatKind.Dnat or NatKind.Snat && addr is null) return $": {name} without an address";
        var action = new NatAction(kind, addr, port, range, "nftables", $"{scope.BaseChain.Family} {scope.BaseChain.Table}", scope.Chain, scope.Text, scope.Source);
        if (kind is NatKind.Dnat or NatKind.Redirect) ctx.PendingDnat ??= action; else ctx.PendingSnat ??= action;
        return null;
    }
}
