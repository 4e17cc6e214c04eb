using System.Net;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// nftables: the ip/inet base chains of a hook in priority order; a rule's expressions (`nft -j` form):
/// payload ip saddr/daddr/protocol, tcp/udp/th ports, meta l4proto/iifname/oifname, ct state, with
/// ==, !=, in, prefixes, sets and ranges; verdicts accept, drop, reject, jump, goto, return; with a walk's context also
/// named sets, verdict maps, numgen, meta mark, fib daddr type and the NAT statements (<see cref="NftNat"/>) in nat
/// chains. Tables that
/// iptables-nft made (family ip, named like iptables tables) are left to the iptables evaluator. Anything
/// else makes the verdict uncertain.
/// </summary>
internal static class NftEval
{
    private static readonly string[] IptablesTables = ["filter", "raw", "mangle", "nat", "security"];

    public static Verdict Run(NftRuleset rs, Hook hook, PacketView p, List<Step> steps, bool iptablesKnown = true)
    {
        if (rs.Chains.Count == 0) return new Verdict(VerdictKind.Accept, "accepted", steps, []);
        bool dstHook = hook is Hook.Prerouting or Hook.Output;
        foreach (var chain in BaseChains(rs, hook, iptablesKnown, nat: p.Ctx is not null))
        {
            if (chain.Type == "nat")
            {
                // a connection's first packet only, and only while no NAT of this kind was chosen
                if (p.Ctx is not { NatAllowed: true } ctx || (dstHook ? ctx.PendingDnat : ctx.PendingSnat) is not null) continue;
            }
            var (kind, reason) = RunChain(rs, chain, chain.Name, p, steps, 0);
            if (chain.Type == "nat" && dstHook && p.Ctx?.PendingDnat is { } d && p.Ctx.Ns is { } ns)
                p = p with { Flow = Nat.ApplyDestination(p.Flow, d, p.InDev, ns) };
            if (kind == VerdictKind.Accept && reason == "return")
                (kind, reason) = Policy(chain, steps);
            if (kind != VerdictKind.Accept) return new Verdict(kind, reason, steps, []);
        }
        return new Verdict(VerdictKind.Accept, "accepted", steps, []);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NftRuleset, System.Collections.Concurrent.ConcurrentDictionary<(Hook, bool, bool), NftChain[]>> Hooked = new();

    /// <summary>The base chains on the hook in priority order, worked out once per ruleset (the model does not change
    /// after linking, so nothing is worked out again).</summary>
    private static NftChain[] BaseChains(NftRuleset rs, Hook hook, bool iptablesKnown, bool nat) =>
        Hooked.GetValue(rs, _ => new()).GetOrAdd((hook, iptablesKnown, nat), k =>
        {
            var hookName = k.Item1.ToString().ToLowerInvariant();
            return rs.Chains
                .Where(c => c.Hook == hookName && c.Family is "ip" or "inet" && (c.Type is null or "filter" or "route" || (k.Item3 && c.Type == "nat")))
                .Where(c => !(k.Item2 && c.Family == "ip" && IptablesTables.Contains(c.Table)))
                .OrderBy(c => c.Priority ?? 0).ToArray();
        });

    private static (VerdictKind, string) Policy(NftChain chain, List<Step> steps)
    {
        if (chain.Policy is null or "accept") return (VerdictKind.Accept, "accepted");
        steps.Add(new FilterStep("nftables", $"{chain.Family} {chain.Table}", chain.Name, null, chain.Policy));
        return (VerdictKind.Drop, $"policy {chain.Policy} of chain {chain.Family} {chain.Table} {chain.Name}");
    }

    /// <summary>Accept+"return" = fell off the end (or returned); Accept+"accepted" = accept verdict.</summary>
    private static (VerdictKind, string) RunChain(NftRuleset rs, NftChain baseChain, string chain, PacketView p, List<Step> steps, int depth)
    {
        if (depth > 16) return (VerdictKind.Uncertain, $"nft chain nesting too deep at {chain}");
        var table = $"{baseChain.Family} {baseChain.Table}";
        foreach (var rule in rs.Rules)
        {
            if (rule.Chain != chain || rule.Table != baseChain.Table || rule.Family != baseChain.Family) continue;
            var text = rule.Text ?? (rule.Expr is { } e ? Describe(e) : "?");
            if (NftText.Expr(rule) is not { } expr)
            {
                steps.Add(new FilterStep("nftables", table, chain, text, "uncertain") { Evidence = rule.Source });
                return (VerdictKind.Uncertain, $"nft rule `{text}` in {table} {chain}: its expressions are not in the input");
            }
            var (matched, verdict, target, why) = Evaluate(expr, p, new NftScope(rs, baseChain, chain, text, rule.Source, steps));
            if (matched is null)
            {
                steps.Add(new FilterStep("nftables", table, chain, text, "uncertain") { Evidence = rule.Source });
                return (VerdictKind.Uncertain, $"nft rule `{text}` in {table} {chain}{why}");
            }
            if (matched == false || verdict is null or "continue") continue;
            switch (verdict)
            {
                case "accept":
                    steps.Add(new FilterStep("nftables", table, chain, text, "accept") { Evidence = rule.Source });
                    return (VerdictKind.Accept, "accepted");
                case "drop":
                    steps.Add(new FilterStep("nftables", table, chain, text, "drop") { Evidence = rule.Source });
                    return (VerdictKind.Drop, $"dropped by nft rule `{text}` ({table} {chain})");
                case "reject":
                    steps.Add(new FilterStep("nftables", table, chain, text, "reject") { Evidence = rule.Source });
                    return (VerdictKind.Reject, $"rejected by nft rule `{text}` ({table} {chain})");
                case "return":
                    return (VerdictKind.Accept, "return");
            }
            if (target is null) return (VerdictKind.Uncertain, $"nft rule `{text}`: {verdict} without a target");
            var sub = RunChain(rs, baseChain, target, p, steps, depth + 1);
            if (sub.Item1 != VerdictKind.Accept || sub.Item2 == "accepted") return sub;
            if (verdict == "goto") return (VerdictKind.Accept, "return");
        }
        return (VerdictKind.Accept, "return");
    }

    /// <summary>The rule's verdict statement (accept, drop, reject, return, continue, jump, goto) and a jump's target; null when its expressions are not known.</summary>
    public static (string? Verdict, string? Target) Action(NftRule rule)
    {
        if (NftText.Expr(rule) is not { } expr) return (null, null);
        string? verdict = null, target = null;
        foreach (var st in expr.EnumerateArray())
        {
            if (st.ValueKind != JsonValueKind.Object) continue;
            var prop = st.EnumerateObject().FirstOrDefault();
            if (prop.Name is "accept" or "drop" or "reject" or "return" or "continue") verdict = prop.Name;
            else if (prop.Name is "jump" or "goto")
            {
                verdict = prop.Name;
                target = prop.Value.TryGetProperty("target", out var t) ? t.GetString() : null;
            }
        }
        return (verdict, target);
    }

    /// <summary>Whether every match of one rule holds for the packet, as the chain walk decides it; null when one is not simulated
    /// (or a statement other than a match, counter, log, comment or verdict is in it).</summary>
    public static bool? Matches(NftRule rule, PacketView p) =>
        NftText.Expr(rule) is { } expr ? Evaluate(expr, p, null).Matched : null;

    /// <summary>One rule's statements against the packet, in order, as nf_tables runs them: the first match that fails
    /// ends the rule (not matched); a match or statement the simulator does not know makes it undecided (Matched
    /// null, <c>Why</c> says which, as the tail of a sentence naming the rule) — unless a match it knows fails after the
    /// unknown one and before any verdict or other statement: whatever the unknown one said, the rule ends there.</summary>
    private static (bool? Matched, string? Verdict, string? Target, string? Why) Evaluate(JsonElement expr, PacketView p, NftScope? scope)
    {
        string? verdict = null, target = null, unknown = null;
        foreach (var st in expr.EnumerateArray())
        {
            if (st.ValueKind != JsonValueKind.Object) continue;
            var prop = st.EnumerateObject().FirstOrDefault();
            if (unknown is not null && prop.Name is not ("match" or "counter" or "log" or "comment" or "notrack")) return (null, null, null, unknown);
            switch (prop.Name)
            {
                case "match":
                    var m = NftNat.TryMatch(prop.Value, p, scope, out var nm) ? nm : Match(prop.Value, p);
                    if (m is null) { unknown ??= " has a match the simulator does not understand"; break; }
                    if (!m.Value) return (false, null, null, null);
                    break;
                case "counter" or "log" or "comment" or "notrack":
                    break;
                case "accept" or "drop" or "reject" or "return" or "continue":
                    verdict = prop.Name;
                    break;
                case "jump" or "goto":
                    verdict = prop.Name;
                    target = prop.Value.TryGetProperty("target", out var t) ? t.GetString() : null;
                    break;
                case "vmap":
                {
                    var (vm, vv, vt, vwhy) = NftNat.Vmap(prop.Value, p, scope);
                    if (vm is null) return (null, null, null, vwhy);
                    if (vm == false) break; // no element: the rule goes on
                    return (true, vv, vt, null);
                }
                case "mangle":
                    if (!NftNat.Mangle(prop.Value, p)) return (null, null, null, ": its mark statement is not simulated here");
                    break;
                case "dnat" or "snat" or "masquerade" or "redirect":
                    if (NftNat.NatStatement(prop.Name, prop.Value, p, scope) is { } nwhy) return (null, null, null, nwhy);
                    return (true, "accept", null, null); // a NAT statement ends the nat chain: the packet goes on
                default:
                    return (null, null, null, $": statement '{prop.Name}' is not simulated");
            }
        }
        return unknown is not null ? (null, null, null, unknown) : (true, verdict, target, null);
    }

    /// <summary>The address prefixes the rule's ip saddr/daddr matches name (== or in; not !=).</summary>
    public static (List<IpPrefix> Src, List<IpPrefix> Dst) Addresses(NftRule rule)
    {
        var src = new List<IpPrefix>();
        var dst = new List<IpPrefix>();
        if (NftText.Expr(rule) is not { } expr) return (src, dst);
        foreach (var st in expr.EnumerateArray())
        {
            if (st.ValueKind != JsonValueKind.Object || !st.TryGetProperty("match", out var m)) continue;
            if (m.TryGetProperty("op", out var op) && op.GetString() is not ("==" or "in")) continue;
            if (!m.TryGetProperty("left", out var left) || !m.TryGetProperty("right", out var right) ||
                !left.TryGetProperty("payload", out var pl) || !pl.TryGetProperty("field", out var f)) continue;
            var list = f.GetString() switch { "saddr" => src, "daddr" => dst, _ => null };
            if (list is null) continue;
            if (right.ValueKind == JsonValueKind.String && IpPrefix.TryParse(right.GetString(), out var h)) list.Add(h);
            else if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("prefix", out var pf) &&
                     pf.TryGetProperty("addr", out var ad) && pf.TryGetProperty("len", out var ln) &&
                     IPAddress.TryParse(ad.GetString(), out var ip)) list.Add(new IpPrefix(ip, ln.GetInt32()));
        }
        return (src, dst);
    }

    private static bool? Match(JsonElement m, PacketView p)
    {
        if (!m.TryGetProperty("left", out var left) || !m.TryGetProperty("right", out var right)) return null;
        var op = m.TryGetProperty("op", out var o) ? o.GetString() : "==";
        object? value = Field(left, p, out bool known);
        if (!known) return null;
        bool? r = value switch
        {
            null => false,
            IPAddress a => AddrIn(right, a),
            int n => NumIn(right, n),
            string s => StrIn(right, s),
            _ => null,
        };
        if (r is null) return null;
        return op switch { "==" or "in" => r, "!=" => !r, _ => null };
    }

    /// <summary>The packet's value for a left-hand expression; known=false when the expression is not simulated.
    /// A transport field of another protocol gives null (no match), as nft's implicit protocol dependency does.</summary>
    private static object? Field(JsonElement left, PacketView p, out bool known)
    {
        known = true;
        if (left.TryGetProperty("payload", out var pl) && pl.TryGetProperty("protocol", out var proto) && pl.TryGetProperty("field", out var field))
        {
            var pr = proto.GetString();
            var f = field.GetString();
            switch (pr, f)
            {
                case ("ip", "saddr"): return p.Flow.Source;
                case ("ip", "daddr"): return p.Flow.Destination;
                case ("ip", "protocol"): return p.Flow.Protocol;
                case ("tcp" or "udp" or "th", "dport"):
                    return pr == "th" || pr == p.Flow.Protocol ? p.Flow.DestinationPort : null;
                case ("tcp" or "udp" or "th", "sport"):
                    return pr == "th" || pr == p.Flow.Protocol ? p.Flow.SourcePort : null;
                case ("icmp", "type"):
                    return p.Flow.Protocol == Protocols.Icmp ? (p.CtState == "NEW" ? "echo-request" : "echo-reply") : null;
            }
        }
        else if (left.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var key))
        {
            switch (key.GetString())
            {
                case "l4proto": return p.Flow.Protocol;
                case "iifname": return p.InDev;
                case "oifname": return p.OutDev;
                case "nfproto": return "ipv4";
            }
        }
        else if (left.TryGetProperty("ct", out var ct) && ct.TryGetProperty("key", out var ck) && ck.GetString() == "state")
            return p.CtState.ToLowerInvariant();
        known = false;
        return null;
    }

    private static bool? AddrIn(JsonElement right, IPAddress a)
    {
        switch (right.ValueKind)
        {
            case JsonValueKind.String:
                return IpPrefix.TryParse(right.GetString(), out var h) ? h.Contains(a) : null;
            case JsonValueKind.Object when right.TryGetProperty("prefix", out var pf):
                return pf.TryGetProperty("addr", out var ad) && pf.TryGetProperty("len", out var ln) &&
                       IPAddress.TryParse(ad.GetString(), out var ip) ? new IpPrefix(ip, ln.GetInt32()).Contains(a) : null;
            case JsonValueKind.Object when right.TryGetProperty("set", out var set):
                return AnyOf(set, e => AddrIn(e, a));
            default: return null;
        }
    }

    private static bool? NumIn(JsonElement right, int n) => right.ValueKind switch
    {
        JsonValueKind.Number => right.GetInt32() == n,
        JsonValueKind.Object when right.TryGetProperty("set", out var set) => AnyOf(set, e => NumIn(e, n)),
        JsonValueKind.Object when right.TryGetProperty("range", out var rg) && rg.GetArrayLength() == 2 =>
            n >= rg[0].GetInt32() && n <= rg[1].GetInt32(),
        _ => null,
    };

    private static bool? StrIn(JsonElement right, string s) => right.ValueKind switch
    {
        JsonValueKind.String => right.GetString() == s,
        JsonValueKind.Array => AnyOf(right, e => StrIn(e, s)),
        JsonValueKind.Object when right.TryGetProperty("set", out var set) => AnyOf(set, e => StrIn(e, s)),
        _ => null,
    };

    private static bool? AnyOf(JsonElement array, Func<JsonElement, bool?> f)
    {
        if (array.ValueKind != JsonValueKind.Array) return null;
        foreach (var e in array.EnumerateArray())
        {
            var r = f(e);
            if (r is null) return null;
            if (r.Value) return true;
        }
        return false;
    }

    /// <summary>A short readable form of a rule's expressions (for the step text).</summary>
    private static string Describe(JsonElement expr)
    {
        var raw = expr.GetRawText();
        return raw.Length > 160 ? raw[..157] + "..." : raw;
    }
}
