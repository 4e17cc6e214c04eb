using System.Net;
using System.Net.Sockets;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>The outcome of a policy-routing + FIB lookup (fib_lookup).</summary>
/// <param name="Route">the route that decided; null when nothing matched (or a rule decided)</param>
/// <param name="Type">route type of the result, or the rule action (blackhole, unreachable, prohibit); "none" when nothing matched</param>
/// <param name="Gateway">the next hop's gateway (multipath: the chosen one); null = on link</param>
internal readonly record struct FibResult(Route? Route, string Type, uint Table, IPAddress? Gateway, string? Device, IReadOnlyList<Step> Steps)
{
    /// <summary>Something decided: a route, or a rule's action.</summary>
    public bool Found => Type is not "none";
    /// <summary>The packet is dropped here: a blackhole/unreachable/prohibit route or rule.</summary>
    public bool Blackholes => Type is RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit;
    /// <summary>The rule whose table gave the route, or whose action decided.</summary>
    public Rule? Rule { get; init; }
    /// <summary>Rules passed over because their table has no route at all (only said when every table was read).</summary>
    public IReadOnlyList<Rule> EmptyTables { get; init; } = [];
}

/// <summary>
/// The model's one FIB, as fib_rules_lookup and fib_table_lookup do it: policy rules in priority order,
/// selectors (from/to/iif/oif/fwmark, not), actions (lookup, goto, nop, blackhole, unreachable,
/// prohibit), suppress_prefixlength, throw routes, the longest prefix then the lowest metric, a bound
/// output device, dead next hops skipped (and linkdown ones where ignore_routes_with_linkdown is set),
/// and the multipath next-hop choice. The tracer, the checks and the linkers all ask it; the per-namespace
/// indexes it reads belong to the topology (<see cref="Topology.Topology.Fib"/>), built once after linking.
/// </summary>
internal static class Fib
{
    private static readonly Rule[] DefaultRules =
    [
        new() { Priority = 0, Table = RouteTables.Local },
        new() { Priority = 32766, Table = RouteTables.Main },
        new() { Priority = 32767, Table = RouteTables.Default },
    ];

    private static readonly Step[] NoSteps = [];

    /// <summary>A lookup for the checks: a packet to <paramref name="dst"/> (from <paramref name="src"/>, arriving on
    /// <paramref name="iif"/>; a locally generated one when null), nothing recorded.</summary>
    public static FibResult Lookup(Topology.Topology t, NsRef ns, IPAddress dst, IPAddress? src = null, string? iif = null) =>
        Lookup(t, ns, src ?? (dst.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any), dst, iif ?? "lo", null, null);

    /// <param name="iif">the input device for received packets, "lo" for locally generated ones</param>
    /// <param name="oif">the bound output device (SO_BINDTODEVICE), if any</param>
    /// <param name="assumptions">collects what had to be assumed; null = not recorded</param>
    /// <param name="flow">the packet's protocol, ports and uid, for rules with ipproto/sport/dport/uidrange; null = not known</param>
    /// <param name="reverse">the lookup is for the reply direction of <paramref name="flow"/> (rp_filter's): its ports swapped, uid 0</param>
    public static FibResult Lookup(Topology.Topology t, NsRef ns, IPAddress src, IPAddress dst, string iif, string? oif, List<string>? assumptions,
        Flow? flow = null, bool reverse = false)
    {
        List<Step>? steps = assumptions is null ? null : [];
        List<Rule>? empty = null;
        var fib = t.Fib(ns.Ns);
        bool v4 = dst.AddressFamily == AddressFamily.InterNetwork;
        var rules = v4 ? fib.Rules4 : fib.Rules6;
        if (rules is null)
        {
            assumptions?.Add($"policy rules of {ns} are not in the input: assumed the default rules (local, main, default); `ip rule` there would confirm");
            rules = DefaultRules;
        }
        for (int i = 0; i < rules.Length; i++)
        {
            var r = rules[i];
            if (!Matches(r, src, dst, iif, oif, flow, reverse, assumptions)) continue;
            switch (r.Action)
            {
                case "nop":
                    continue;
                case "goto":
                    uint target = r.GotoTarget ?? uint.MaxValue;
                    steps?.Add(new RuleStep(r.Priority, r.ToString(), $"goto {target}") { Evidence = r.Source });
                    int j = Array.FindIndex(rules, x => x.Priority >= target);
                    if (j < 0) return None(steps, empty);
                    i = j - 1;
                    continue;
                case RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit:
                    steps?.Add(new RuleStep(r.Priority, r.ToString(), r.Action) { Evidence = r.Source });
                    return new FibResult(null, r.Action, 0, null, null, (IReadOnlyList<Step>?)steps ?? NoSteps) { Rule = r, EmptyTables = (IReadOnlyList<Rule>?)empty ?? [] };
            }
            uint table = r.Table ?? RouteTables.Main;
            var tab = fib.Table(table);
            if (tab is null && table == RouteTables.Local && v4 && LocalFromAddresses(ns, dst, assumptions) is { } local)
                return new FibResult(local, local.Type, table, null, local.Device, (IReadOnlyList<Step>?)steps ?? NoSteps) { Rule = r };
            if (tab is null)
            {
                // "no routes at all" is only known when every table was read
                if (fib.AllTablesKnown && table != RouteTables.Default) (empty ??= []).Add(r);
                continue;
            }
            var route = tab.Best(dst, oif);
            if (route is null) continue; // nothing in this table: the next rule
            if (route.Type == RouteTypes.Throw)
            {
                steps?.Add(new RoutingStep(RouteTables.Name(table), route.ToString(), "throw: continue with the next rule", null, null) { Evidence = route.Source });
                continue;
            }
            if (r.SuppressPrefixLength is { } spl && route.Destination.Length <= spl)
            {
                steps?.Add(new RuleStep(r.Priority, r.ToString(),
                    $"{route.Destination.ToRouteString()} suppressed (prefix length ≤ {spl}), next rule") { Evidence = r.Source });
                continue;
            }
            if (!IsPlain(r))
                steps?.Add(new RuleStep(r.Priority, r.ToString(), $"lookup {RouteTables.Name(table)}") { Evidence = r.Source });
            var (gw, dev) = ChooseNextHop(route, assumptions);
            return new FibResult(route, route.Type, table, gw, dev, (IReadOnlyList<Step>?)steps ?? NoSteps) { Rule = r, EmptyTables = (IReadOnlyList<Rule>?)empty ?? [] };
        }
        return None(steps, empty);
    }

    private static FibResult None(List<Step>? steps, List<Rule>? empty) =>
        new(null, "none", 0, null, null, (IReadOnlyList<Step>?)steps ?? NoSteps) { EmptyTables = (IReadOnlyList<Rule>?)empty ?? [] };

    /// <summary>The main-table unicast route for an address (what drawing and linking ask: which device leads there).</summary>
    public static Route? MainRoute(Topology.Topology t, NetNamespace ns, IPAddress ip) =>
        t.Fib(ns).Table(RouteTables.Main)?.Best(ip, null) is { Type: RouteTypes.Unicast } r ? r : null;

    /// <summary>The output device of a route (the first next hop's for a multipath route).</summary>
    public static string? DeviceOf(Route r)
    {
        if (r.Device is not null) return r.Device;
        foreach (var h in r.NextHops) if (h.Device is not null) return h.Device;
        return null;
    }

    /// <summary>The device in <paramref name="ns"/> that the main table sends <paramref name="ip"/> out of.</summary>
    public static DeviceRef? OutDevice(Topology.Topology t, NsRef ns, IPAddress ip) =>
        MainRoute(t, ns.Ns, ip) is { } r && DeviceOf(r) is { } dev ? t.Device(ns, dev) : null;

    /// <summary>A default-like rule ("from all lookup main") that says nothing an engineer needs to read.</summary>
    private static bool IsPlain(Rule r) =>
        r.From is null or { IsDefault: true } && r.To is null && r.Iif is null && r.Oif is null && r.Fwmark is null && !r.Not &&
        r.SuppressPrefixLength is null && r.Table is RouteTables.Local or RouteTables.Main or RouteTables.Default or null;

    /// <summary>The rule's selectors against the packet (fib4_rule_match / fib6_rule_match). A flow selector (ipproto,
    /// sport, dport, uidrange) the packet cannot be tested against (no flow, a port the tracer chose, the uid of a local
    /// sender) is not matched, and the lookup says which rule it could not decide.</summary>
    private static bool Matches(Rule r, IPAddress src, IPAddress dst, string iif, string? oif, Flow? flow, bool reverse, List<string>? assumptions)
    {
        bool m = (r.From is not { } f || f.IsDefault || Contains(f, src))
            && (r.To is not { } to || to.IsDefault || Contains(to, dst))
            && (r.Iif is null || r.Iif == iif)
            && (r.Oif is null || r.Oif == oif)
            && (r.Fwmark is not { } mark || (mark & (r.FwmarkMask ?? 0xFFFFFFFF)) == 0)
            && !r.L3mdev;
        if (m && (r.IpProto is not null || r.SPortRange is not null || r.DPortRange is not null || r.UidRange is not null))
        {
            var (decided, why) = RuleFlow.Match(r, flow, local: iif == "lo" && !reverse, reverse);
            if (decided is null)
            {
                assumptions?.Add($"rule {r.Priority} ({RuleFlow.Describe(r)}): could not decide whether it matches ({why}); followed it as not matching");
                return false;
            }
            m = decided.Value;
        }
        return r.Not ? !m : m;
    }

    /// <summary>Only `ip route` (main) was given: the local table follows from the addresses.</summary>
    private static Route? LocalFromAddresses(NsRef ns, IPAddress dst, List<string>? assumptions)
    {
        foreach (var l in ns.Ns.Links)
        foreach (var a in l.Addresses)
            if (a.Address.Equals(dst))
            {
                assumptions?.Add($"the local table of {ns} is not in the input: {dst} is local because {l.Name} has it");
                return new Route { Type = RouteTypes.Local, Destination = IpPrefix.Host(dst), Table = RouteTables.Local, Device = l.Name, Scope = "host", Source = a.Source };
            }
        return null;
    }

    private static (IPAddress? Gateway, string? Device) ChooseNextHop(Route r, List<string>? assumptions)
    {
        if (r.NextHops.Count == 0) return (r.Gateway, r.Device);
        NextHop? pick = null;
        foreach (var n in r.NextHops)
            if (!n.Flags.Contains("dead") && !n.Flags.Contains("linkdown")) { pick = n; break; }
        pick ??= r.NextHops[0];
        if (r.NextHops.Count > 1)
            assumptions?.Add($"multipath route {r.Destination.ToRouteString()}: followed next hop {pick.Gateway?.ToString() ?? "on link"} dev {pick.Device} " +
                $"(the first live one of {r.NextHops.Count}; the kernel picks by a hash of the flow)");
        return (pick.Gateway, pick.Device ?? r.Device);
    }

    public static uint ToUint(IPAddress a)
    {
        Span<byte> b = stackalloc byte[4];
        a.TryWriteBytes(b, out _);
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    internal static uint Mask(int len) => len <= 0 ? 0 : len >= 32 ? uint.MaxValue : ~(uint.MaxValue >> len);

    /// <summary>Prefix match without allocations for IPv4 (the common case at scale).</summary>
    public static bool Contains(IpPrefix p, IPAddress a)
    {
        if (p.Family != a.AddressFamily) return false;
        if (p.Length == 0) return true;
        if (a.AddressFamily != AddressFamily.InterNetwork) return p.Contains(a);
        uint mask = Mask(p.Length);
        return (ToUint(p.Address) & mask) == (ToUint(a) & mask);
    }
}

/// <summary>
/// One namespace's FIB as the lookup reads it: policy rules sorted by priority (null when the input has
/// none of that family), and each table's routes indexed by prefix. Built once per namespace by the
/// topology after linking; the model is not changed after that.
/// </summary>
internal sealed class NsFib
{
    // a namespace has a handful of tables (local, main, a few more): two parallel arrays scanned, not a dictionary
    // (a cluster has a hundred thousand namespaces, each with its FIB alive for the whole diagnosis)
    private readonly uint[] _ids = [];
    private readonly FibTable[] _tables = [];

    public Rule[]? Rules4 { get; }
    public Rule[]? Rules6 { get; }
    public bool AllTablesKnown { get; }

    public NsFib(NetNamespace ns)
    {
        if (ns.IsKnown(Sections.Rules4)) Rules4 = Sorted(ns.Rules, "inet");
        if (ns.IsKnown(Sections.Rules6)) Rules6 = Sorted(ns.Rules, "inet6");
        AllTablesKnown = ns.IsKnown(Sections.AllTables);
        int n = 0;
        foreach (var r in ns.Routes)
        {
            if (!Usable(ns, r)) continue;
            int i = Array.IndexOf(_ids, r.Table, 0, n);
            if (i < 0)
            {
                if (n == _ids.Length)
                {
                    Array.Resize(ref _ids, Math.Max(2, n * 2));
                    Array.Resize(ref _tables, _ids.Length);
                }
                i = n++;
                _ids[i] = r.Table;
                _tables[i] = new FibTable();
            }
            _tables[i].Add(r);
        }
        if (n < _ids.Length)
        {
            Array.Resize(ref _ids, n);
            Array.Resize(ref _tables, n);
        }
        foreach (var t in _tables) t.Seal();
    }

    public FibTable? Table(uint id)
    {
        int i = Array.IndexOf(_ids, id);
        return i < 0 ? null : _tables[i];
    }

    private static Rule[] Sorted(List<Rule> rules, string family)
    {
        int n = 0;
        foreach (var r in rules) if (r.Family == family) n++;
        var sorted = new Rule[n];
        n = 0;
        foreach (var r in rules)
        {
            if (r.Family != family) continue;
            // insertion sort: stable, as the kernel keeps rules of equal priority in the order they were added
            int i = n++;
            for (; i > 0 && sorted[i - 1].Priority > r.Priority; i--) sorted[i] = sorted[i - 1];
            sorted[i] = r;
        }
        return sorted;
    }

    /// <summary>fib_table_lookup skips a route whose next hops are all dead, and a linkdown one where the device has
    /// ignore_routes_with_linkdown set (the default keeps it: the packet then dies at the device without carrier).</summary>
    private static bool Usable(NetNamespace ns, Route r)
    {
        if (r.NextHops.Count == 0) return !r.Flags.Contains("dead") && !(r.Flags.Contains("linkdown") && IgnoresLinkdown(ns, r.Device));
        foreach (var h in r.NextHops)
            if (!h.Flags.Contains("dead") && !(h.Flags.Contains("linkdown") && IgnoresLinkdown(ns, h.Device ?? r.Device))) return true;
        return false;
    }

    private static bool IgnoresLinkdown(NetNamespace ns, string? dev) =>
        ns.Sysctl("net.ipv4.conf.all.ignore_routes_with_linkdown") == "1" ||
        (dev is not null && ns.Sysctl($"net.ipv4.conf.{dev}.ignore_routes_with_linkdown") == "1");
}

/// <summary>One routing table. A small one (a pod's handful of routes) is scanned; from <see cref="IndexFrom"/> routes
/// on, IPv4 routes are indexed by prefix length and masked address (the longest match in at most 33 probes; routes
/// of one prefix in metric order). Both give the same answer.</summary>
internal sealed class FibTable
{
    private const int IndexFrom = 16;
    private readonly List<Route> _routes = new(2);
    /// <summary>A small table's routes as the IPv4 scan compares them: each route's masked address and mask (an IPv6
    /// route's are 1 and 0, which no address matches).</summary>
    private (uint Net, uint Mask)[] _v4 = [];
    private Dictionary<uint, List<Route>>?[]? _byLength;
    private List<Route>? _other;
    private int[] _lengths = [];

    public void Add(Route r) => _routes.Add(r);

    /// <summary>Builds the index of a large table: each prefix's routes in metric order (stable: the first listed wins
    /// a tie), and the lengths present.</summary>
    public void Seal()
    {
        if (_routes.Count < IndexFrom)
        {
            _routes.TrimExcess();
            _v4 = new (uint, uint)[_routes.Count];
            for (int i = 0; i < _routes.Count; i++)
            {
                var d = _routes[i].Destination;
                uint mask = Fib.Mask(d.Length);
                _v4[i] = d.Family == AddressFamily.InterNetwork ? (Fib.ToUint(d.Address) & mask, mask) : (1, 0);
            }
            return;
        }
        _byLength = new Dictionary<uint, List<Route>>?[33];
        _other = [];
        foreach (var r in _routes)
        {
            if (!r.Destination.IsV4) { _other.Add(r); continue; }
            var d = _byLength[r.Destination.Length] ??= new Dictionary<uint, List<Route>>();
            uint key = Fib.ToUint(r.Destination.Address) & Fib.Mask(r.Destination.Length);
            if (!d.TryGetValue(key, out var list)) d[key] = list = new List<Route>(1);
            list.Add(r);
        }
        var lengths = new List<int>();
        for (int len = 32; len >= 0; len--)
        {
            if (_byLength[len] is not { } d) continue;
            lengths.Add(len);
            foreach (var list in d.Values)
                if (list.Count > 1)
                {
                    var sorted = list.OrderBy(r => r.Metric ?? 0).ToList();
                    list.Clear();
                    list.AddRange(sorted);
                }
        }
        _lengths = lengths.ToArray();
    }

    /// <summary>The most specific route for the address; among equals the lowest metric (the first listed on a tie).
    /// With a bound output device, unicast routes through another device are passed over.</summary>
    public Route? Best(IPAddress dst, string? oif)
    {
        if (_byLength is null) return dst.AddressFamily == AddressFamily.InterNetwork && _v4.Length == _routes.Count ? ScanV4(dst, oif) : Scan(_routes, dst, oif);
        if (dst.AddressFamily != AddressFamily.InterNetwork) return _other is null ? null : Scan(_other, dst, oif);
        uint a = Fib.ToUint(dst);
        foreach (int len in _lengths)
        {
            if (!_byLength[len]!.TryGetValue(a & Fib.Mask(len), out var list)) continue;
            if (oif is null) return list[0];
            foreach (var r in list)
                if (r.Type != RouteTypes.Unicast || UsesDevice(r, oif)) return r;
        }
        return null;
    }

    /// <summary><see cref="Scan"/> of a small table for an IPv4 address, by the masks made in <see cref="Seal"/>.</summary>
    private Route? ScanV4(IPAddress dst, string? oif)
    {
        uint a = Fib.ToUint(dst);
        Route? best = null;
        var v4 = _v4;
        for (int i = 0; i < v4.Length; i++)
        {
            if ((a & v4[i].Mask) != v4[i].Net) continue;
            var r = _routes[i];
            if (oif is not null && r.Type == RouteTypes.Unicast && !UsesDevice(r, oif)) continue;
            if (best is null || r.Destination.Length > best.Destination.Length ||
                (r.Destination.Length == best.Destination.Length && (r.Metric ?? 0) < (best.Metric ?? 0)))
                best = r;
        }
        return best;
    }

    private static Route? Scan(List<Route> routes, IPAddress dst, string? oif)
    {
        Route? best = null;
        foreach (var r in routes)
        {
            if (!Fib.Contains(r.Destination, dst)) continue;
            if (oif is not null && r.Type == RouteTypes.Unicast && !UsesDevice(r, oif)) continue;
            if (best is null || r.Destination.Length > best.Destination.Length ||
                (r.Destination.Length == best.Destination.Length && (r.Metric ?? 0) < (best.Metric ?? 0)))
                best = r;
        }
        return best;
    }

    private static bool UsesDevice(Route r, string dev)
    {
        if (r.Device == dev) return true;
        foreach (var n in r.NextHops) if (n.Device == dev) return true;
        return false;
    }
}
