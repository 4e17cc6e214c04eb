using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// iptables (legacy or nft backend, as iptables-save prints it): the tables of a hook in the kernel's
/// order, rules in order, jumps/gotos/RETURN, chain policies. Matches: -s -d -p -i -o --sport --dport
/// (-m tcp/udp/multiport), -m conntrack --ctstate (also DNAT/SNAT) / -m state --state, -m comment, --icmp-type, -m mark,
/// -m addrtype, -m set (ipsets in the input), -m statistic (an endpoint choice the walk enumerates); targets MARK and, in
/// the nat table, DNAT/SNAT/MASQUERADE/REDIRECT (see <see cref="IptablesNat"/>).
/// </summary>
internal static class IptablesEval
{
    private static readonly string[] NonTerminal = ["LOG", "NFLOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "CHECKSUM", "TCPMSS", "CLASSIFY", "DSCP", "TOS", "AUDIT"];

    /// <summary>A target the evaluator passes by whatever the rule matches (LOG, CHECKSUM, …; MARK is applied, so it is not one).</summary>
    internal static bool PassesThrough(string target) => target != "MARK" && NonTerminal.Contains(target);

    private static readonly (string Table, string Chain)[] PreroutingChains = [("raw", "PREROUTING"), ("mangle", "PREROUTING"), ("nat", "PREROUTING")];
    private static readonly (string Table, string Chain)[] InputChains = [("mangle", "INPUT"), ("filter", "INPUT"), ("nat", "INPUT")];
    private static readonly (string Table, string Chain)[] ForwardChains = [("mangle", "FORWARD"), ("filter", "FORWARD")];
    private static readonly (string Table, string Chain)[] OutputChains = [("raw", "OUTPUT"), ("mangle", "OUTPUT"), ("nat", "OUTPUT"), ("filter", "OUTPUT")];
    private static readonly (string Table, string Chain)[] PostroutingChains = [("mangle", "POSTROUTING"), ("nat", "POSTROUTING")];

    private static (string Table, string Chain)[] Chains(Hook hook) => hook switch
    {
        Hook.Prerouting => PreroutingChains,
        Hook.Input => InputChains,
        Hook.Forward => ForwardChains,
        Hook.Output => OutputChains,
        _ => PostroutingChains,
    };

    private static IptablesTable? Table(NetNamespace ns, string name)
    {
        foreach (var t in ns.Iptables)
            if (t.Family == "ipv4" && t.Name == name) return t;
        return null;
    }

    /// <summary>No rule in any chain of the hook and every policy ACCEPT: <see cref="Run"/> with a walk's context accepts
    /// without a step or an assumption (most hooks of a node, whose rules sit in one chain).</summary>
    public static bool NothingOn(NetNamespace ns, Hook hook)
    {
        foreach (var (tableName, chain) in Chains(hook))
        {
            if (Table(ns, tableName) is not { } table) continue;
            var idx = IptablesIndex.Of(table);
            if (idx.HasRules(chain) || (idx.Policy(chain) ?? "ACCEPT") != "ACCEPT") return false;
        }
        return true;
    }

    public static Verdict Run(NetNamespace ns, Hook hook, PacketView p, List<Step> steps, List<string> assumptions)
    {
        foreach (var (tableName, chain) in Chains(hook))
        {
            var table = Table(ns, tableName);
            if (table is null) continue;
            if (tableName == "nat")
            {
                // the nat table sees a connection's first packet only, and only while no mapping of this kind exists
                if (p.Ctx is not { NatAllowed: true } ctx)
                {
                    if (p.Ctx is null && hook is Hook.Prerouting or Hook.Output && table.Rules.Any(r => r.Chain is "PREROUTING" or "OUTPUT" or "POSTROUTING"))
                        assumptions.Add("iptables nat rules exist; address translation is not simulated");
                    continue;
                }
                if (hook is Hook.Prerouting or Hook.Output ? ctx.PendingDnat is not null : ctx.PendingSnat is not null) continue;
                var nv = RunChain(table, chain, p, steps, depth: 0, builtIn: true);
                if (nv.Kind != VerdictKind.Accept) return nv;
                if (ctx.PendingDnat is { } d && hook is Hook.Prerouting or Hook.Output)
                    p = p with { Flow = Nat.ApplyDestination(p.Flow, d, p.InDev, ns) };
                continue;
            }
            var v = RunChain(table, chain, p, steps, depth: 0, builtIn: true);
            if (v.Kind != VerdictKind.Accept) return v;
        }
        return new Verdict(VerdictKind.Accept, "accepted", steps, assumptions);
    }

    /// <summary>Runs a chain; Accept also stands for "fell off the end of a user chain" (RETURN) when not built in.</summary>
    private static Verdict RunChain(IptablesTable table, string chain, PacketView p, List<Step> steps, int depth, bool builtIn)
    {
        if (depth > 32) return new Verdict(VerdictKind.Uncertain, $"chain nesting too deep at {chain}", steps, []);
        var idx = IptablesIndex.Of(table);
        foreach (int index in idx.Candidates(chain, p.Flow.Destination, p.Flow.DestinationPort))
        {
            var rule = table.Rules[index];
            var m = Match(rule, p, out bool statistic);
            if (m == false) continue;
            var target = rule.Target;
            if (m is null)
            {
                if (target is null || NonTerminal.Contains(target) && !(target == "MARK" && p.Ctx is not null)) continue;
                steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                return new Verdict(VerdictKind.Uncertain, $"rule `{rule}` has a match the simulator does not understand", steps, []);
            }
            if (statistic && !IptablesNat.Chosen(table, chain, index, rule, p, steps)) continue;
            if (target == "MARK" && p.Ctx is { } mc)
            {
                if (!IptablesNat.Mark(rule, mc))
                {
                    steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                    return new Verdict(VerdictKind.Uncertain, $"MARK target of `{rule}` is not simulated", steps, []);
                }
                continue;
            }
            if (target is null || NonTerminal.Contains(target)) continue;
            if (table.Name == "nat" && target is "DNAT" or "SNAT" or "MASQUERADE" or "REDIRECT" && p.Ctx is { } nc)
            {
                if (IptablesNat.Action(table, rule) is not { } action)
                {
                    steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                    return new Verdict(VerdictKind.Uncertain, $"the {target} of `{rule}` is not understood", steps, []);
                }
                if (action.Kind is NatKind.Dnat or NatKind.Redirect) nc.PendingDnat ??= action; else nc.PendingSnat ??= action;
                return new Verdict(VerdictKind.Accept, "accepted", steps, []);
            }
            switch (target)
            {
                case "ACCEPT":
                    steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "ACCEPT") { Evidence = rule.Source });
                    return new Verdict(VerdictKind.Accept, "accepted", steps, []);
                case "DROP":
                    steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "DROP") { Evidence = rule.Source });
                    return new Verdict(VerdictKind.Drop, $"dropped by `{rule}` (table {table.Name})", steps, []);
                case "REJECT":
                    steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "REJECT") { Evidence = rule.Source });
                    return new Verdict(VerdictKind.Reject, $"rejected by `{rule}` (table {table.Name})", steps, []);
                case "RETURN":
                    if (builtIn) return Policy(table, chain, steps);
                    return new Verdict(VerdictKind.Accept, "return", steps, []);
            }
            if (!idx.HasChain(target))
            {
                steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                return new Verdict(VerdictKind.Uncertain, $"target {target} of `{rule}` is not simulated", steps, []);
            }
            if (table.Name == "nat" && _record(p)) steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), (rule.IsGoto ? "goto " : "jump ") + target) { Evidence = rule.Source });
            var sub = RunChain(table, target, p, steps, depth + 1, builtIn: false);
            if (sub.Kind != VerdictKind.Accept || sub.Reason == "accepted") return sub;
            if (rule.IsGoto) return builtIn ? Policy(table, chain, steps) : sub; // goto: returning skips the rest of this chain
        }
        return builtIn ? Policy(table, chain, steps) : new Verdict(VerdictKind.Accept, "return", steps, []);
    }

    private static bool _record(PacketView p) => p.Ctx is not null;

    private static Verdict Policy(IptablesTable table, string chain, List<Step> steps)
    {
        var policy = IptablesIndex.Of(table).Policy(chain) ?? "ACCEPT";
        if (policy == "ACCEPT") return new Verdict(VerdictKind.Accept, "accepted", steps, []);
        steps.Add(new FilterStep("iptables", table.Name, chain, null, policy) { Evidence = table.Source });
        return new Verdict(VerdictKind.Drop, $"policy {policy} of chain {chain} (table {table.Name})", steps, []);
    }

    /// <summary>The address prefixes a rule's -s/-d name (not negated ones).</summary>
    public static (List<IpPrefix> Src, List<IpPrefix> Dst) Addresses(IptablesRule rule)
    {
        var src = new List<IpPrefix>();
        var dst = new List<IpPrefix>();
        var a = rule.Args;
        for (int i = 0; i + 1 < a.Count; i++)
        {
            if (a[i] == "!") { i++; continue; }
            var list = a[i] switch { "-s" or "--source" => src, "-d" or "--destination" => dst, _ => null };
            if (list is null) continue;
            foreach (var part in a[i + 1].Split(','))
                if (IpPrefix.TryParse(part, out var pfx)) list.Add(pfx);
            i++;
        }
        return (src, dst);
    }

    /// <summary>true/false when every match is understood; false too when any match the simulator understands fails, wherever
    /// it stands in the rule (the kernel matches a rule only when all its matches hold, and checks the address, interface
    /// and protocol fields before any match extension); null otherwise.</summary>
    internal static bool? Match(IptablesRule rule, PacketView p) => Match(rule, p, out _);

    /// <summary>The rule's fixed fields, which iptables keeps in the rule's header whatever their place in the command.</summary>
    private static bool IsHeader(string t) =>
        t is "-s" or "--source" or "-d" or "--destination" or "-p" or "--protocol" or "-i" or "--in-interface" or "-o" or "--out-interface";

    /// <summary>Where the options of a match module end: the next module, the target, or a header field.</summary>
    private static bool StartsNext(IReadOnlyList<string> a, int k) =>
        a[k] is "-m" or "--match" or "-j" or "--jump" or "-g" or "--goto" || IsHeader(a[k]) ||
        (a[k] == "!" && k + 1 < a.Count && IsHeader(a[k + 1]));

    /// <summary>As <see cref="Match(IptablesRule, PacketView)"/>; <paramref name="statistic"/>: the rule also has -m statistic
    /// (an endpoint choice the caller makes; the other matches hold).</summary>
    internal static bool? Match(IptablesRule rule, PacketView p, out bool statistic)
    {
        statistic = false;
        var a = rule.Args;
        bool result = true, unknown = false;
        for (int i = 0; i < a.Count; i++)
        {
            bool neg = false;
            if (a[i] == "!") { neg = true; i++; if (i >= a.Count) { unknown = true; break; } }
            string opt = a[i];
            string? val = i + 1 < a.Count ? Unquote(a[i + 1]) : null;
            bool? m;
            switch (opt)
            {
                case "-j" or "-g" or "--jump" or "--goto": i++; continue;
                case "--reject-with" or "--log-prefix" or "--log-level" or "--comment" or "--set-xmark" or "--set-mark" or "--to-ports"
                    or "--or-mark" or "--and-mark" or "--xor-mark" or "--to-destination" or "--to-source" or "--to":
                    i++; continue;
                case "--random" or "--random-fully" or "--persistent": continue;
                case "-m" or "--match":
                    i++;
                    if (val is "comment" or "conntrack" or "state" or "tcp" or "udp" or "icmp" or "multiport" or "mark" or "addrtype" or "set") continue;
                    if (val == "statistic" && p.Ctx?.Choose is not null) { statistic = true; continue; }
                    m = Unknown(a, ref i); break;
                case "--mode":
                    if (!statistic || val is not ("random" or "nth")) { m = Unknown(a, ref i); break; }
                    i++; continue;
                case "--probability" or "--every" or "--packet":
                    if (!statistic) { m = Unknown(a, ref i); break; }
                    i++; continue;
                case "--mark":
                    if (p.Ctx is not { } mctx || !MarkValue.TryParsePair(val, out var mv, out var mm)) { m = Unknown(a, ref i); break; }
                    m = (mctx.Mark & mm) == mv; i++; break;
                case "--src-type" or "--dst-type":
                    m = AddrTypeMatch(val, opt == "--src-type" ? p.Flow.Source : p.Flow.Destination, p); i++; break;
                case "--limit-iface-in" or "--limit-iface-out": continue;
                case "--match-set":
                    m = IptablesNat.SetMatch(val, i + 2 < a.Count ? a[i + 2] : null, p); i += 2; break;
                case "-s" or "--source": m = AddrMatch(val, p.Flow.Source); i++; break;
                case "-d" or "--destination": m = AddrMatch(val, p.Flow.Destination); i++; break;
                case "-p" or "--protocol": m = ProtoMatch(val, p); i++; break;
                case "-i" or "--in-interface": m = IfMatch(val, p.InDev); i++; break;
                case "-o" or "--out-interface": m = IfMatch(val, p.OutDev); i++; break;
                case "--dport" or "--destination-port" or "--dports" or "--destination-ports": m = PortMatch(val, p.Flow.DestinationPort); i++; break;
                case "--sport" or "--source-port" or "--sports" or "--source-ports": m = PortMatch(val, p.Flow.SourcePort); i++; break;
                case "--ctstate" or "--state": m = CtStateMatch(val, p); i++; break;
                case "--icmp-type":
                    m = p.Flow.Protocol != Protocols.Icmp ? false : val switch
                    {
                        "any" => true,
                        "echo-request" or "8" => p.CtState == "NEW",
                        "echo-reply" or "0" => p.CtState == "ESTABLISHED",
                        _ => null,
                    };
                    i++;
                    break;
                default: m = Unknown(a, ref i); break;
            }
            if (m is null) { unknown = true; continue; }
            if (neg) m = !m;
            result &= m.Value;
        }
        return !result ? false : unknown ? null : true;
    }

    /// <summary>An option the simulator does not know: undecided (null), and the reader past it and the rest of its module's
    /// options and values (an option of an unknown module may share a known one's name: connmark's --mark is not the
    /// packet's mark).</summary>
    private static bool? Unknown(IReadOnlyList<string> a, ref int i)
    {
        while (i + 1 < a.Count && !StartsNext(a, i + 1)) i++;
        return null;
    }

    private static bool? CtStateMatch(string? val, PacketView p)
    {
        if (val is null) return null;
        foreach (var st in val.Split(','))
        {
            if (st == p.CtState) return true;
            if (st is "DNAT" or "SNAT")
            {
                if (p.Ctx is null) return null;
                if (st == "DNAT" ? p.Ctx.Dnat : p.Ctx.Snat) return true;
            }
            else if (st is not ("NEW" or "ESTABLISHED" or "RELATED" or "INVALID" or "UNTRACKED")) return null;
        }
        return false;
    }

    private static bool? AddrTypeMatch(string? val, IPAddress a, PacketView p)
    {
        if (val is null || p.Ctx?.AddrType(a) is not { } type) return null;
        foreach (var t in val.Split(','))
            if (t == type) return true;
            else if (t is not ("LOCAL" or "UNICAST" or "BROADCAST" or "MULTICAST" or "ANYCAST" or "BLACKHOLE" or "UNREACHABLE" or "PROHIBIT" or "UNSPEC")) return null;
        return false;
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    private static bool? AddrMatch(string? val, IPAddress a)
    {
        if (val is null) return null;
        foreach (var part in val.Split(','))
            if (IpPrefix.TryParse(part, out var pfx) && pfx.Contains(a)) return true;
            else if (!IpPrefix.TryParse(part, out _)) return null;
        return false;
    }

    private static bool? ProtoMatch(string? val, PacketView p) => val switch
    {
        null => null,
        "all" or "0" => true,
        "icmp" or "1" => p.ProtoNumber == 1,
        "tcp" or "6" => p.ProtoNumber == 6,
        "udp" or "17" => p.ProtoNumber == 17,
        _ => int.TryParse(val, out _) ? false : null,
    };

    private static bool? IfMatch(string? val, string? dev)
    {
        if (val is null) return null;
        if (dev is null) return false;
        return val.EndsWith('+') ? dev.StartsWith(val[..^1], StringComparison.Ordinal) : dev == val;
    }

    private static bool? PortMatch(string? val, int? port)
    {
        if (val is null) return null;
        if (port is not { } n) return false;
        foreach (var part in val.Split(','))
        {
            var range = part.Split(':');
            if (!int.TryParse(range[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var lo)) return null;
            int hi = lo;
            if (range.Length > 1 && !int.TryParse(range[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out hi)) return null;
            if (n >= lo && n <= hi) return true;
        }
        return false;
    }
}
