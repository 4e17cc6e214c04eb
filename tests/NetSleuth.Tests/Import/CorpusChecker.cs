using System.Globalization;
using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Import;

/// <summary>Checks the facts of a corpus fixture's expect.txt against what the import made of it.
/// Returns one line per fact that does not hold.</summary>
internal sealed class CorpusChecker(Snapshot snapshot, CorpusExpectations expect)
{
    private NetSleuth.Topology.Topology? _topology;
    private DiagnosisReport? _report;
    private NetSleuth.Topology.Topology Topo => _topology ??= Linker.Link(snapshot);
    private DiagnosisReport Report => _report ??= Diagnoser.Run(Topo);

    public static IEnumerable<Warning> AllWarnings(Snapshot s) => s.Warnings.Concat(s.Hosts.SelectMany(h => h.Warnings));

    public static string FindingText(Finding f) =>
        f.Title + "\n" + f.Explanation + "\n" + string.Join("\n", f.Evidence.Select(e => e.ToString()));

    public List<string> Check()
    {
        var failures = new List<string>();
        foreach (var fact in expect.Facts)
        {
            string? why;
            try { why = fact.Scope == "*" ? Global(fact) : Scoped(fact); }
            catch (Exception e) { why = "checking failed: " + e.Message; }
            if (why is not null) failures.Add($"{fact}: {why}");
        }
        return failures;
    }

    private string? Global(CorpusFact f)
    {
        switch (f.Kind)
        {
            case "warnings-max":
                int n = AllWarnings(snapshot).Count();
                return n <= Num(f.Args[0]) ? null : $"{n} warnings";
            case "hosts>=":
                return snapshot.Hosts.Count >= Num(f.Args[0]) ? null : $"{snapshot.Hosts.Count} hosts: {string.Join(", ", snapshot.Hosts.Select(h => h.Name))}";
            case "finding":
            {
                var hits = Report.Findings.Where(x => x.Id == f.Args[0]).ToList();
                if (hits.Count == 0) return "no such finding; findings: " + string.Join("; ", Report.Findings.Select(x => x.ToString()));
                return hits.Any(h => f.Args.Skip(1).All(w => FindingText(h).Contains(w, StringComparison.OrdinalIgnoreCase)))
                    ? null : "the finding does not name every word: " + FindingText(hits[0]);
            }
            case "no-finding":
                return Report.Findings.Any(x => x.Id == f.Args[0]) ? "found: " + Report.Findings.First(x => x.Id == f.Args[0]) : null;
            case "topo-link":
            case "topo-tunnel":
                return Joined(f.Args[0], f.Args[1]) ? null : "not joined; edges: " +
                    string.Join("; ", Topo.Edges.Where(e => Mentions(e, f.Args[0]) || Mentions(e, f.Args[1])).Select(e => e.ToString()).Take(8));
            default:
                return "unknown fact kind";
        }
    }

    // "host:br/port" (an OVS port of a bridge) or "host:device"
    private bool Joined(string a, string b) =>
        Topo.Edges.Any(e => e.To is not null && ((Is(e.From, a) && Is(e.To, b)) || (Is(e.From, b) && Is(e.To, a)) ||
                                                  (Mentions(e, a) && Mentions(e, b))));

    private static bool Is(DeviceRef d, string spec)
    {
        var (host, rest) = (spec[..spec.IndexOf(':')], spec[(spec.IndexOf(':') + 1)..]);
        var dev = rest.Contains('/') ? rest[..rest.IndexOf('/')] : rest;
        return d.Host.Name == host && d.Link.Name == dev;
    }

    private static bool Mentions(Edge e, string spec)
    {
        var host = spec[..spec.IndexOf(':')];
        var rest = spec[(spec.IndexOf(':') + 1)..];
        var port = rest.Contains('/') ? rest[(rest.IndexOf('/') + 1)..] : rest;
        var bridge = rest.Contains('/') ? rest[..rest.IndexOf('/')] : null;
        bool hostOk = e.From.Host.Name == host || e.To?.Host.Name == host;
        return hostOk && e.Label.Contains(port, StringComparison.Ordinal) && (bridge is null || Is(e.From, host + ":" + bridge) || (e.To is not null && Is(e.To, host + ":" + bridge)) || e.Label.Contains(bridge, StringComparison.Ordinal));
    }

    private string? Scoped(CorpusFact f)
    {
        var parts = f.Scope.Split(':', 2);
        var host = snapshot.Hosts.FirstOrDefault(h => h.Name == parts[0]);
        if (host is null) return $"no host {parts[0]} (hosts: {string.Join(", ", snapshot.Hosts.Select(h => h.Name))})";
        IEnumerable<NetNamespace> spaces = parts.Length == 1 ? host.Namespaces.Where(n => n.IsRoot)
            : parts[1] == "*" ? host.Namespaces
            : host.Namespaces.Where(n => n.Name == parts[1] || n.Id == parts[1]);
        var list = spaces.ToList();
        if (list.Count == 0) return $"no namespace {f.Scope} (namespaces: {string.Join(", ", host.Namespaces.Select(n => n.Id))})";
        string? last = null;
        foreach (var ns in list)
        {
            last = InNamespace(f, ns);
            if (last is null) return null;
        }
        return last;
    }

    private static string? InNamespace(CorpusFact f, NetNamespace ns)
    {
        switch (f.Kind)
        {
            case "link": return LinkFact(f, ns);
            case "addr":
            case "addr-flag":
            {
                var link = ns.FindLink(f.Args[0]);
                if (link is null) return "no such link; links: " + string.Join(", ", ns.Links.Select(l => l.Name));
                var a = link.Addresses.FirstOrDefault(x => x.Prefix.ToString() == f.Args[1]);
                if (a is null) return "addresses: " + string.Join(", ", link.Addresses);
                return f.Kind == "addr" || a.Flags.Contains(f.Args[2]) ? null : "flags: " + string.Join(",", a.Flags);
            }
            case "route": return RouteFact(f, ns);
            case "rule": return RuleFact(f, ns);
            case "neigh":
            {
                var ip = IPAddress.Parse(f.Args[0]);
                var hits = ns.Neighbors.Where(n => n.Address.Equals(ip)).ToList();
                if (hits.Count == 0) return "no entry; neighbours: " + string.Join("; ", ns.Neighbors.Take(10));
                return hits.Any(n => Eq(f, "dev", n.Device) && Eq(f, "lladdr", n.Mac?.ToString()) &&
                                     (f.Opt("state") == "" || n.State.Contains(f.Opt("state"))) &&
                                     (f.Opt("router") == "" || n.Router.ToString().Equals(f.Opt("router"), StringComparison.OrdinalIgnoreCase)))
                    ? null : "entries: " + string.Join("; ", hits);
            }
            case "fdb":
            {
                var hits = ns.Fdb.Where(e => e.Mac.ToString() == f.Args[0]).ToList();
                if (hits.Count == 0) return "no entry; fdb: " + string.Join("; ", ns.Fdb.Take(10).Select(e => e.Mac + " " + e.Device));
                return hits.Any(e => Eq(f, "dev", e.Device) && Eq(f, "dst", e.Dst?.ToString()) && Eq(f, "vlan", e.Vlan?.ToString(CultureInfo.InvariantCulture)) &&
                                     (f.Opt("flags") == "" || f.Opt("flags").Split(',').All(e.Flags.Contains)))
                    ? null : "entries: " + string.Join("; ", hits.Select(e => $"{e.Mac} dev {e.Device} dst {e.Dst} vlan {e.Vlan} {string.Join(',', e.Flags)}"));
            }
            case "qdisc":
                return ns.Qdiscs.Any(q => q.Kind == f.Args[0] && Eq(f, "dev", q.Device)) ? null
                    : "qdiscs: " + string.Join("; ", ns.Qdiscs.Select(q => $"{q.Kind} dev {q.Device}"));
            case "filter":
                return ns.Filters.Any(x => Eq(f, "dev", x.Device) && Eq(f, "kind", x.Kind) &&
                                           (f.Opt("redirect") == "" || x.Actions.Any(a => a.Kind == "mirred" && a.TargetDevice == f.Opt("redirect"))))
                    ? null : "filters: " + string.Join("; ", ns.Filters.Select(x => $"{x.Kind} dev {x.Device} → {string.Join(",", x.Actions.Select(a => a.Kind + ":" + a.TargetDevice))}"));
            case "policy":
            case "chain":
            {
                var chain = Table(ns, f.Args[0])?.Chains.FirstOrDefault(c => c.Name == f.Args[1]);
                if (chain is null) return "no such chain; tables: " + string.Join("; ", ns.Iptables.Select(t => t.Name + ": " + string.Join(",", t.Chains.Select(c => c.Name))));
                return f.Kind == "chain" || chain.Policy == f.Args[2] ? null : "policy " + chain.Policy;
            }
            case "ipt":
            case "ipt-target":
            case "ipt-has":
            {
                var rules = Table(ns, f.Args[0])?.Rules.Where(r => r.Chain == f.Args[1]).ToList();
                if (rules is null) return "no table " + f.Args[0] + "; tables: " + string.Join(", ", ns.Iptables.Select(t => t.Name));
                bool ok = f.Kind switch
                {
                    "ipt" => rules.Any(r => ArgsText(r) == f.Args[2]),
                    "ipt-target" => rules.Any(r => r.Target == f.Args[2]),
                    _ => rules.Any(r => r.Target == f.Args[2] && ArgsText(r).Contains(f.Args[3], StringComparison.Ordinal)),
                };
                return ok ? null : "rules: " + string.Join("; ", rules.Take(12).Select(r => r.ToString()));
            }
            case "nft-chain":
            {
                var c = ns.Nftables?.Chains.FirstOrDefault(x => x.Family == f.Args[0] && x.Table == f.Args[1] && x.Name == f.Args[2]);
                if (c is null) return "no such chain; chains: " + string.Join(", ", ns.Nftables?.Chains.Select(x => $"{x.Family} {x.Table} {x.Name}") ?? []);
                return Eq(f, "hook", c.Hook) && Eq(f, "policy", c.Policy) ? null : $"hook {c.Hook} policy {c.Policy}";
            }
            case "nft":
            {
                var rules = ns.Nftables?.Rules.Where(x => x.Family == f.Args[0] && x.Table == f.Args[1] && x.Chain == f.Args[2]).ToList() ?? [];
                return rules.Any(r => r.Text?.Contains(f.Args[3], StringComparison.Ordinal) == true) ? null : "rules: " + string.Join(" | ", rules.Select(r => r.Text));
            }
            case "ovs":
            case "ovs-bridge":
            case "ofport":
                return OvsFact(f, ns);
            case "count":
            {
                var what = f.Args[0];
                bool atLeast = what.EndsWith(">=", StringComparison.Ordinal);
                what = what.TrimEnd('>', '=');
                int n = what switch
                {
                    "neigh" => ns.Neighbors.Count,
                    "fdb" => ns.Fdb.Count,
                    "routes" => ns.Routes.Count(r => r.Table != RouteTables.Local),
                    "rules" => ns.Rules.Count,
                    "ipt" => Table(ns, f.Args[1])?.Rules.Count(r => r.Chain == f.Args[2]) ?? -1,
                    _ => throw new InvalidOperationException("unknown count " + what),
                };
                int want = Num(f.Args[^1]);
                return (atLeast ? n >= want : n == want) ? null : $"{n}";
            }
            default:
                return "unknown fact kind";
        }
    }

    // the rule as iptables-save prints it: an argument holding blanks is quoted
    private static string ArgsText(IptablesRule r) => string.Join(' ', r.Args.Select(a => a.Contains(' ') ? "\"" + a + "\"" : a));

    private static IptablesTable? Table(NetNamespace ns, string name) => ns.Iptables.FirstOrDefault(t => t.Name == name && t.Family == "ipv4");

    private static string? LinkFact(CorpusFact f, NetNamespace ns)
    {
        var l = ns.FindLink(f.Args[0]);
        if (l is null) return "no such link; links: " + string.Join(", ", ns.Links.Select(x => x.Name));
        var bad = new List<string>();
        void Want(string key, string? actual) { if (!Eq(f, key, actual)) bad.Add($"{key}={actual ?? "(none)"}"); }
        Want("mac", l.Mac?.ToString());
        Want("mtu", l.Mtu?.ToString(CultureInfo.InvariantCulture));
        Want("master", l.Master);
        Want("state", l.OperState);
        Want("netnsid", l.LinkNetnsId?.ToString(CultureInfo.InvariantCulture));
        Want("dstport", l.Vxlan?.DstPort?.ToString(CultureInfo.InvariantCulture));
        Want("external", l.Vxlan?.External?.ToString().ToLowerInvariant());
        if (f.Opt("type") is { Length: > 0 } type && l.Kind != type && l.LinkType != type) bad.Add($"type={l.Kind ?? l.LinkType ?? "(none)"}");
        return bad.Count == 0 ? null : string.Join(" ", bad);
    }

    private static string? RouteFact(CorpusFact f, NetNamespace ns)
    {
        var dest = f.Args[0];
        var hits = ns.Routes.Where(r => r.Destination.ToString() == dest).ToList();
        if (hits.Count == 0) return "no route; routes: " + string.Join("; ", ns.Routes.Take(12));
        bool Holds(Route r) =>
            Eq(f, "via", r.Gateway?.ToString()) && Eq(f, "dev", r.Device) && Eq(f, "type", r.Type) && Eq(f, "proto", r.Protocol) &&
            Eq(f, "scope", r.Scope) && Eq(f, "src", r.PrefSrc?.ToString()) && Eq(f, "metric", r.Metric?.ToString(CultureInfo.InvariantCulture)) &&
            (f.Opt("table") == "" || r.Table.ToString(CultureInfo.InvariantCulture) == f.Opt("table")) &&
            (f.Opt("table") != "" || r.Table == RouteTables.Main) &&
            (f.Opt("flags") == "" || f.Opt("flags").Split(',').All(r.Flags.Contains));
        return hits.Any(Holds) ? null : "routes: " + string.Join("; ", hits.Select(r =>
            $"{r} type {r.Type} proto {r.Protocol} scope {r.Scope} src {r.PrefSrc} metric {r.Metric} table {r.Table} {string.Join(',', r.Flags)}"));
    }

    private static string? RuleFact(CorpusFact f, NetNamespace ns)
    {
        var hits = ns.Rules.Where(r => r.Priority.ToString(CultureInfo.InvariantCulture) == f.Args[0]).ToList();
        if (hits.Count == 0) return "no rule; rules: " + string.Join("; ", ns.Rules);
        bool Holds(Rule r) =>
            Eq(f, "from", r.From?.ToString()) && Eq(f, "action", r.Action) &&
            (f.Opt("table") == "" || r.Table?.ToString(CultureInfo.InvariantCulture) == f.Opt("table")) &&
            (f.Opt("fwmark") == "" || (r.Fwmark is { } m && "0x" + m.ToString("x", CultureInfo.InvariantCulture) == f.Opt("fwmark"))) &&
            (f.Opt("suppress") == "" || r.SuppressPrefixLength?.ToString(CultureInfo.InvariantCulture) == f.Opt("suppress"));
        return hits.Any(Holds) ? null : "rules: " + string.Join("; ", hits.Select(r => $"{r} table {r.Table} action {r.Action}"));
    }

    private static string? OvsFact(CorpusFact f, NetNamespace ns)
    {
        if (ns.Ovs is null) return "no OVS state";
        var br = ns.Ovs.Bridges.FirstOrDefault(b => b.Name == f.Args[0]);
        if (br is null) return "no bridge; bridges: " + string.Join(", ", ns.Ovs.Bridges.Select(b => b.Name));
        if (f.Kind == "ovs-bridge") return Eq(f, "fail_mode", br.FailMode) ? null : "fail_mode " + br.FailMode;
        var port = br.Ports.FirstOrDefault(p => p.Name == f.Args[1]);
        if (port is null) return "no port; ports: " + string.Join(", ", br.Ports.Select(p => p.Name));
        if (f.Kind == "ofport")
            return port.Interfaces.Any(i => i.OfPort?.ToString(CultureInfo.InvariantCulture) == f.Args[2]) ? null
                : "ofport " + string.Join(",", port.Interfaces.Select(i => i.OfPort));
        foreach (var (k, v) in f.Options)
        {
            bool ok = k switch
            {
                "type" => port.Interfaces.Any(i => (i.Type ?? "") == v),
                "tag" => port.Tag?.ToString(CultureInfo.InvariantCulture) == v,
                _ => port.Interfaces.Any(i => i.Options.TryGetValue(k, out var o) && o.Trim('"') == v),
            };
            if (!ok) return $"{k}: interfaces " + string.Join("; ", port.Interfaces.Select(i =>
                $"{i.Name} type {i.Type} {string.Join(",", i.Options.Select(kv => kv.Key + "=" + kv.Value))}")) + $" tag {port.Tag}";
        }
        return null;
    }

    private static bool Eq(CorpusFact f, string key, string? actual) =>
        f.Opt(key) is not { Length: > 0 } want || string.Equals(want, actual, StringComparison.Ordinal);

    private static int Num(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
