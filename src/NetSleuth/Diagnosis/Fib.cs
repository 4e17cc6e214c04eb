using System.Net;
using System.Net.Sockets;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>The result of a FIB lookup: the route found (or none), the rule that chose its table, or the rule that decided.</summary>
internal sealed record FibResult(Route? Route, Rule? Rule, IReadOnlyList<Rule> EmptyTables)
{
    public bool Found => Route is not null;
    public bool Blackholes => Route?.Type is RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit ||
        Rule?.Action is "blackhole" or "unreachable" or "prohibit";
}

/// <summary>
/// A small policy-routing lookup for the checks (rules in priority order, longest prefix per
/// table, metric as tiebreak). The tracer has the full walk; the checks only need "which route".
/// </summary>
internal sealed class Fib
{
    private readonly Dictionary<NetNamespace, Dictionary<uint, Table>> _tables = new();

    private static readonly Rule[] DefaultRules4 =
    [
        new() { Priority = 0, Table = RouteTables.Local },
        new() { Priority = 32766, Table = RouteTables.Main },
        new() { Priority = 32767, Table = RouteTables.Default },
    ];

    public FibResult Lookup(NsRef ns, IPAddress dst, IPAddress? src = null, string? iif = null)
    {
        var tables = Tables(ns.Ns);
        var rules = RulesOf(ns.Ns, dst.AddressFamily);
        var empty = new List<Rule>();
        foreach (var rule in rules)
        {
            if (!Matches(rule, dst, src, iif)) continue;
            if (rule.Action is "blackhole" or "unreachable" or "prohibit") return new FibResult(null, rule, empty);
            if (rule.Action != "to_tbl") continue;
            uint table = rule.Table ?? RouteTables.Main;
            if (!tables.TryGetValue(table, out var routes))
            {
                // only say "empty" when every table was read
                if (ns.Ns.IsKnown(Sections.AllTables) && table != RouteTables.Default) empty.Add(rule);
                continue;
            }
            var best = routes.Best(dst);
            if (best is null || best.Type == RouteTypes.Throw) continue;
            return new FibResult(best, rule, empty);
        }
        return new FibResult(null, null, empty);
    }

    private IReadOnlyList<Rule> RulesOf(NetNamespace ns, AddressFamily family)
    {
        var fam = family == AddressFamily.InterNetwork ? "inet" : "inet6";
        var rules = ns.Rules.Where(r => r.Family == fam).ToList();
        if (rules.Count == 0) return DefaultRules4;
        rules.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        return rules;
    }

    private static bool Matches(Rule r, IPAddress dst, IPAddress? src, string? iif)
    {
        bool m = true;
        if (r.To is { } to) m &= Contains(to, dst);
        if (r.From is { } from && !from.IsDefault) m &= src is not null && Contains(from, src);
        if (r.Iif is { } i) m &= i == (iif ?? "lo");
        if (r.Fwmark is { } fw && fw != 0) m = false; // no mark on the packets the checks think about
        if (r.Oif is not null || r.UidRange is not null || r.IpProto is not null || r.DPortRange is not null || r.SPortRange is not null) m = false;
        return r.Not ? !m : m;
    }

    private Dictionary<uint, Table> Tables(NetNamespace ns)
    {
        if (_tables.TryGetValue(ns, out var t)) return t;
        t = new Dictionary<uint, Table>();
        foreach (var r in ns.Routes)
        {
            if (r.Type is RouteTypes.Broadcast or RouteTypes.Multicast) continue;
            if (r.Flags.Contains("linkdown") && r.Gateway is not null) continue;
            if (!t.TryGetValue(r.Table, out var table)) t[r.Table] = table = new Table();
            table.Add(r);
        }
        _tables[ns] = t;
        return t;
    }

    /// <summary>One routing table: IPv4 routes by prefix length and masked address (longest match in ≤ 33 probes), others in a list.</summary>
    private sealed class Table
    {
        private readonly Dictionary<uint, Route>?[] _byLength = new Dictionary<uint, Route>?[33];
        private readonly List<Route> _other = [];

        public void Add(Route r)
        {
            if (!r.Destination.IsV4) { _other.Add(r); return; }
            var d = _byLength[r.Destination.Length] ??= new Dictionary<uint, Route>();
            uint key = ToUint(r.Destination.Address) & Mask(r.Destination.Length);
            if (!d.TryGetValue(key, out var old) || (r.Metric ?? 0) < (old.Metric ?? 0)) d[key] = r;
        }

        public Route? Best(IPAddress dst)
        {
            if (dst.AddressFamily != AddressFamily.InterNetwork)
            {
                Route? best = null;
                foreach (var r in _other)
                {
                    if (r.Destination.Family != dst.AddressFamily || !r.Destination.Contains(dst)) continue;
                    if (best is null || r.Destination.Length > best.Destination.Length ||
                        (r.Destination.Length == best.Destination.Length && (r.Metric ?? 0) < (best.Metric ?? 0)))
                        best = r;
                }
                return best;
            }
            uint a = ToUint(dst);
            for (int len = 32; len >= 0; len--)
                if (_byLength[len] is { } d && d.TryGetValue(a & Mask(len), out var r)) return r;
            return null;
        }
    }

    private static uint Mask(int len) => len <= 0 ? 0 : len >= 32 ? uint.MaxValue : ~(uint.MaxValue >> len);

    public static uint ToUint(IPAddress a)
    {
        Span<byte> b = stackalloc byte[4];
        a.TryWriteBytes(b, out _);
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    /// <summary>Prefix match without allocations for IPv4 (the common case at scale).</summary>
    public static bool Contains(IpPrefix p, IPAddress a)
    {
        if (p.Family != a.AddressFamily) return false;
        if (p.Length == 0) return true;
        if (a.AddressFamily != AddressFamily.InterNetwork) return p.Contains(a);
        Span<byte> x = stackalloc byte[4], y = stackalloc byte[4];
        p.Address.TryWriteBytes(x, out _);
        a.TryWriteBytes(y, out _);
        uint ux = (uint)(x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3]);
        uint uy = (uint)(y[0] << 24 | y[1] << 16 | y[2] << 8 | y[3]);
        uint mask = p.Length >= 32 ? uint.MaxValue : ~(uint.MaxValue >> p.Length);
        return (ux & mask) == (uy & mask);
    }
}
