using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// iptables (legacy or nft backend, as iptables-save prints it): the tables of a hook in the kernel's
/// order, rules in order, jumps/gotos/RETURN, chain policies. Matches: -s -d -p -i -o --sport --dport
/// (-m tcp/udp/multiport), -m conntrack --ctstate / -m state --state, -m comment, --icmp-type.
/// </summary>
internal static class IptablesEval
{
    private static readonly string[] NonTerminal = ["LOG", "NFLOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "CHECKSUM", "TCPMSS", "CLASSIFY", "DSCP", "TOS", "AUDIT"];

    private static readonly (string Table, string Chain)[] PreroutingChains = [("raw", "PREROUTING"), ("mangle", "PREROUTING")];
    private static readonly (string Table, string Chain)[] InputChains = [("mangle", "INPUT"), ("filter", "INPUT")];
    private static readonly (string Table, string Chain)[] ForwardChains = [("mangle", "FORWARD"), ("filter", "FORWARD")];
    private static readonly (string Table, string Chain)[] OutputChains = [("raw", "OUTPUT"), ("mangle", "OUTPUT"), ("filter", "OUTPUT")];
    private static readonly (string Table, string Chain)[] PostroutingChains = [("mangle", "POSTROUTING")];

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

    public static Verdict Run(NetNamespace ns, Hook hook, PacketView p, List<Step> steps, List<string> assumptions)
    {
        foreach (var (tableName, chain) in Chains(hook))
        {
            var table = Table(ns, tableName);
            if (table is null) continue;
            var v = RunChain(table, chain, p, steps, depth: 0, builtIn: true);
            if (v.Kind != VerdictKind.Accept) return v;
        }
        if (hook is Hook.Prerouting or Hook.Output &&
            Table(ns, "nat") is { } nat &&
            nat.Rules.Any(r => r.Chain is "PREROUTING" or "OUTPUT" or "POSTROUTING"))
            assumptions.Add("iptables nat rules exist; address translation is not simulated");
        return new Verdict(VerdictKind.Accept, "accepted", steps, assumptions);
    }

    /// <summary>Runs a chain; Accept also stands for "fell off the end of a user chain" (RETURN) when not built in.</summary>
    private static Verdict RunChain(IptablesTable table, string chain, PacketView p, List<Step> steps, int depth, bool builtIn)
    {
        if (depth > 32) return new Verdict(VerdictKind.Uncertain, $"chain nesting too deep at {chain}", steps, []);
        foreach (var rule in table.Rules)
        {
            if (rule.Chain != chain) continue;
            var m = Match(rule, p);
            if (m == false) continue;
            var target = rule.Target;
            if (m is null)
            {
                if (target is null || NonTerminal.Contains(target)) continue;
                steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                return new Verdict(VerdictKind.Uncertain, $"rule `{rule}` has a match the simulator does not understand", steps, []);
            }
            if (target is null || NonTerminal.Contains(target)) continue;
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
            if (!table.Chains.Any(c => c.Name == target) && !table.Rules.Any(r => r.Chain == target))
            {
                steps.Add(new FilterStep("iptables", table.Name, chain, rule.ToString(), "uncertain") { Evidence = rule.Source });
                return new Verdict(VerdictKind.Uncertain, $"target {target} of `{rule}` is not simulated", steps, []);
            }
            var sub = RunChain(table, target, p, steps, depth + 1, builtIn: false);
            if (sub.Kind != VerdictKind.Accept || sub.Reason == "accepted") return sub;
            if (rule.IsGoto) return builtIn ? Policy(table, chain, steps) : sub; // goto: returning skips the rest of this chain
        }
        return builtIn ? Policy(table, chain, steps) : new Verdict(VerdictKind.Accept, "return", steps, []);
    }

    private static Verdict Policy(IptablesTable table, string chain, List<Step> steps)
    {
        var policy = table.Chains.FirstOrDefault(c => c.Name == chain)?.Policy ?? "ACCEPT";
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

    /// <summary>true/false when every match is understood; null when one is not.</summary>
    internal static bool? Match(IptablesRule rule, PacketView p)
    {
        var a = rule.Args;
        bool result = true;
        for (int i = 0; i < a.Count; i++)
        {
            bool neg = false;
            if (a[i] == "!") { neg = true; i++; if (i >= a.Count) return null; }
            string opt = a[i];
            string? val = i + 1 < a.Count ? Unquote(a[i + 1]) : null;
            bool? m;
            switch (opt)
            {
                case "-j" or "-g" or "--jump" or "--goto": i++; continue;
                case "--reject-with" or "--log-prefix" or "--log-level" or "--comment" or "--set-xmark" or "--set-mark" or "--to-ports": i++; continue;
                case "-m" or "--match":
                    i++;
                    if (val is "comment" or "conntrack" or "state" or "tcp" or "udp" or "icmp" or "multiport") continue;
                    return null;
                case "-s" or "--source": m = AddrMatch(val, p.Flow.Source); i++; break;
                case "-d" or "--destination": m = AddrMatch(val, p.Flow.Destination); i++; break;
                case "-p" or "--protocol": m = ProtoMatch(val, p); i++; break;
                case "-i" or "--in-interface": m = IfMatch(val, p.InDev); i++; break;
                case "-o" or "--out-interface": m = IfMatch(val, p.OutDev); i++; break;
                case "--dport" or "--destination-port" or "--dports" or "--destination-ports": m = PortMatch(val, p.Flow.DestinationPort); i++; break;
                case "--sport" or "--source-port" or "--sports" or "--source-ports": m = PortMatch(val, p.Flow.SourcePort); i++; break;
                case "--ctstate" or "--state": m = val?.Split(',').Contains(p.CtState); i++; break;
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
                default: return null;
            }
            if (m is null) return null;
            if (neg) m = !m;
            result &= m.Value;
        }
        return result;
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
