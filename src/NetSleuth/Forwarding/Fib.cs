using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>The outcome of a policy-routing + FIB lookup (fib_lookup).</summary>
/// <param name="Route">the route that decided; null when nothing matched (or a rule decided)</param>
/// <param name="Type">route type of the result, or the rule action (blackhole, unreachable, prohibit)</param>
/// <param name="Gateway">the next hop's gateway (multipath: the chosen one); null = on link</param>
internal sealed record FibResult(Route? Route, string Type, uint Table, IPAddress? Gateway, string? Device, IReadOnlyList<Step> Steps)
{
    public bool Found => Type is not "none";
}

/// <summary>
/// Policy rules then the longest-prefix match in each looked-up table, as fib_rules_lookup and
/// fib_table_lookup do: rule priority order, selectors (from/to/iif/oif/fwmark, not), actions
/// (lookup, goto, nop, blackhole, unreachable, prohibit), suppress_prefixlength, throw routes,
/// route metrics, a bound output device, and multipath next-hop choice.
/// </summary>
internal static class Fib
{
    private static readonly Rule[] DefaultRules =
    [
        new() { Priority = 0, Table = RouteTables.Local },
        new() { Priority = 32766, Table = RouteTables.Main },
        new() { Priority = 32767, Table = RouteTables.Default },
    ];

    /// <param name="iif">the input device for received packets, "lo" for locally generated ones</param>
    /// <param name="oif">the bound output device (SO_BINDTODEVICE), if any</param>
    public static FibResult Lookup(NsRef ns, IPAddress src, IPAddress dst, string iif, string? oif, List<string> assumptions)
    {
        var steps = new List<Step>();
        var rules = RulesOf(ns, assumptions);
        for (int i = 0; i < rules.Length; i++)
        {
            var r = rules[i];
            if (!Matches(r, src, dst, iif, oif)) continue;
            switch (r.Action)
            {
                case "nop":
                    continue;
                case "goto":
                    uint target = r.GotoTarget ?? uint.MaxValue;
                    steps.Add(new RuleStep(r.Priority, r.ToString(), $"goto {target}") { Evidence = r.Source });
                    int j = Array.FindIndex(rules, x => x.Priority >= target);
                    if (j < 0) return new FibResult(null, "none", 0, null, null, steps);
                    i = j - 1;
                    continue;
                case RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit:
                    steps.Add(new RuleStep(r.Priority, r.ToString(), r.Action) { Evidence = r.Source });
                    return new FibResult(null, r.Action, 0, null, null, steps);
            }
            uint table = r.Table ?? RouteTables.Main;
            var route = LongestMatch(ns, table, dst, oif, assumptions);
            if (route is null) continue; // nothing in this table: the next rule
            if (route.Type == RouteTypes.Throw)
            {
                steps.Add(new RoutingStep(RouteTables.Name(table), route.ToString(), "throw: continue with the next rule", null, null) { Evidence = route.Source });
                continue;
            }
            if (r.SuppressPrefixLength is { } spl && route.Destination.Length <= spl)
            {
                steps.Add(new RuleStep(r.Priority, r.ToString(),
                    $"{route.Destination.ToRouteString()} suppressed (prefix length ≤ {spl}), next rule") { Evidence = r.Source });
                continue;
            }
            if (!IsPlain(r))
                steps.Add(new RuleStep(r.Priority, r.ToString(), $"lookup {RouteTables.Name(table)}") { Evidence = r.Source });
            var (gw, dev) = ChooseNextHop(route, assumptions);
            return new FibResult(route, route.Type, table, gw, dev, steps);
        }
        return new FibResult(null, "none", 0, null, null, steps);
    }

    /// <summary>A default-like rule ("from all lookup main") that says nothing an engineer needs to read.</summary>
    private static bool IsPlain(Rule r) =>
        r.From is null or { IsDefault: true } && r.To is null && r.Iif is null && r.Oif is null && r.Fwmark is null && !r.Not &&
        r.SuppressPrefixLength is null && r.Table is RouteTables.Local or RouteTables.Main or RouteTables.Default or null;

    private sealed record Sorted(int ListCount, Rule[] Rules);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<List<Rule>, Sorted> SortedRules = new();

    private static Rule[] RulesOf(NsRef ns, List<string> assumptions)
    {
        if (ns.Ns.IsKnown(Sections.Rules4))
        {
            // sorted once per rule list (a sweep looks up the same namespaces thousands of times); a list that
            // grew or shrank since (tests edit snapshots) is sorted again
            var list = ns.Ns.Rules;
            if (SortedRules.TryGetValue(list, out var cached) && cached.ListCount == list.Count) return cached.Rules;
            var sorted = list.Where(r => r.Family == "inet").OrderBy(r => r.Priority).ToArray();
            SortedRules.AddOrUpdate(list, new Sorted(list.Count, sorted));
            return sorted;
        }
        assumptions.Add($"policy rules of {ns} are not in the input: assumed the default rules (local, main, default); `ip rule` there would confirm");
        return DefaultRules;
    }

    private static bool Matches(Rule r, IPAddress src, IPAddress dst, string iif, string? oif)
    {
        bool m = (r.From is not { } f || f.IsDefault || f.Contains(src))
            && (r.To is not { } to || to.IsDefault || to.Contains(dst))
            && (r.Iif is null || r.Iif == iif)
            && (r.Oif is null || r.Oif == oif)
            && (r.Fwmark is not { } mark || (mark & (r.FwmarkMask ?? 0xFFFFFFFF)) == 0)
            && r.UidRange is null && r.IpProto is null && r.DPortRange is null && r.SPortRange is null && !r.L3mdev;
        return r.Not ? !m : m;
    }

    /// <summary>The most specific route of the table for the address; among equals the lowest metric.</summary>
    internal static Route? LongestMatch(NsRef ns, uint table, IPAddress dst, string? oif, List<string> assumptions)
    {
        Route? best = null;
        bool synthLocal = table == RouteTables.Local && !ns.Ns.Routes.Any(r => r.Table == RouteTables.Local);
        foreach (var r in ns.Ns.Routes)
        {
            if (r.Table != table || !r.Destination.Contains(dst) || r.Flags.Contains("dead")) continue;
            if (oif is not null && r.Type == RouteTypes.Unicast && !UsesDevice(r, oif)) continue;
            if (best is null || r.Destination.Length > best.Destination.Length ||
                (r.Destination.Length == best.Destination.Length && (r.Metric ?? 0) < (best.Metric ?? 0)))
                best = r;
        }
        if (best is null && synthLocal)
        {
            // Only `ip route` (main) was given: the local table follows from the addresses.
            foreach (var l in ns.Ns.Links)
            foreach (var a in l.Addresses)
                if (a.Address.Equals(dst))
                {
                    assumptions.Add($"the local table of {ns} is not in the input: {dst} is local because {l.Name} has it");
                    return new Route { Type = RouteTypes.Local, Destination = IpPrefix.Host(dst), Table = RouteTables.Local, Device = l.Name, Scope = "host", Source = a.Source };
                }
        }
        return best;
    }

    private static bool UsesDevice(Route r, string dev) =>
        r.Device == dev || r.NextHops.Any(n => n.Device == dev);

    private static (IPAddress? Gateway, string? Device) ChooseNextHop(Route r, List<string> assumptions)
    {
        if (r.NextHops.Count == 0) return (r.Gateway, r.Device);
        var live = r.NextHops.Where(n => !n.Flags.Contains("dead") && !n.Flags.Contains("linkdown")).ToList();
        var pick = live.FirstOrDefault() ?? r.NextHops[0];
        if (r.NextHops.Count > 1)
            assumptions.Add($"multipath route {r.Destination.ToRouteString()}: followed next hop {pick.Gateway?.ToString() ?? "on link"} dev {pick.Device} " +
                $"(the first live one of {r.NextHops.Count}; the kernel picks by a hash of the flow)");
        return (pick.Gateway, pick.Device ?? r.Device);
    }
}
