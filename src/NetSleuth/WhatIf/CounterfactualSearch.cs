using System.Diagnostics;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Util;

namespace NetSleuth.WhatIf;

/// <summary>One candidate fix the search tried: shell commands (as the <see cref="CommandInterpreter"/> reads them) per host,
/// and what they did to the traced paths.</summary>
public sealed record CounterfactualCandidate(IReadOnlyList<FixStep> Fix, FixVerification Result)
{
    public int Edits => Fix.Sum(s => s.Commands.Count);
    /// <summary>The line the text report prints (JSON: <c>text</c>).</summary>
    public string Text => Summary();

    /// <summary>One line: "restores N of M, breaks 0: HOST[:NS]: cmd; cmd".</summary>
    public string Summary() =>
        $"restores {Result.Restored} of {Result.BrokenBefore}, breaks {Result.Broke}: " +
        string.Join(" && ", Fix.SelectMany(s => s.Commands.Select(c => $"{s.Host}: {c}")));
}

/// <summary>What the search of one unexplained finding came to: the best candidates, how many it tried, and whether it gave up.</summary>
public sealed record CounterfactualResult(IReadOnlyList<CounterfactualCandidate> Best, int Generated, int Tried, string? GaveUp);

/// <summary>
/// Counterfactual search for broken paths no check explains: candidate edits near the place each path dies (the
/// namespace where the trace stopped and those it crossed before, up to six, and their veth peers) — the neighbour's MAC set to the owner's, a down link up,
/// a route to the destination via a gateway the namespace already uses, ip_forward on / rp_filter off, the dropping
/// iptables rule deleted, the MTU set to the veth peer's, a bridge-less port put back on the namespace's bridge (or its one OVS bridge), a VXLAN
/// remote set to a peer's — each one the shell commands the WhatIf interpreter reads, applied to a copy of the model
/// that is linked and traced again. Ranked by number of edits, then paths restored; only candidates that break no traced
/// working path are kept. Bounded by a time budget and a candidate cap; the result says when it gave up.
/// </summary>
public static class CounterfactualSearch
{
    public static TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);
    public static int CandidateCap { get; set; } = 60;
    /// <summary>Best candidates kept.</summary>
    public const int Keep = 3;
    /// <summary>Namespaces of a failing trace searched, from where it died backwards (a wrong neighbour MAC is set hops before the drop).</summary>
    public const int MaxSites = 6;
    /// <summary>Inputs of at most this many namespaces in all are searched in every namespace of the hosts a failing path crossed.</summary>
    public const int SmallInput = 16;

    /// <summary>Where the search's time goes, summed over its candidates and the threads trying them (for `NETSLEUTH_TIMINGS` and the bench).</summary>
    public sealed class Parts
    {
        internal long GenerateTicks, CopyTicks, RelinkTicks, TraceTicks;
        public TimeSpan Generate => TimeSpan.FromTicks(GenerateTicks);
        /// <summary>The commands read and applied to a copy of the model.</summary>
        public TimeSpan Copy => TimeSpan.FromTicks(CopyTicks);
        public TimeSpan Relink => TimeSpan.FromTicks(RelinkTicks);
        /// <summary>The broken and working paths traced again.</summary>
        public TimeSpan Trace => TimeSpan.FromTicks(TraceTicks);
    }

    /// <summary>Searches for each unexplained-broken-path finding (sharing one budget) and sets <see cref="Finding.Counterfactual"/>.</summary>
    /// <param name="timings">where the time of the search's parts goes (candidates generated; copy, re-link, re-trace), for `NETSLEUTH_TIMINGS`</param>
    public static void Run(Topology.Topology t, IReadOnlyList<Finding> findings, IReadOnlyList<TracedPath> paths, TimeSpan? budget = null, int? cap = null,
        List<(string Stage, TimeSpan Elapsed)>? timings = null)
    {
        var clock = Stopwatch.StartNew();
        var total = budget ?? Budget;
        var parts = new Parts();
        var todo = findings.Where(f => f.Id == "unexplained-broken-path").ToList();
        for (int k = 0; k < todo.Count; k++)
        {
            var f = todo[k];
            // each finding its share of what is left (what one leaves unused goes to the next): the first of twelve
            // does not spend the budget of all twelve
            var left = (total - clock.Elapsed) / (todo.Count - k);
            // the budget spent on the findings before: not even the candidates made (at 1,000 nodes that costs 0.5 s a finding)
            f.Counterfactual = left <= TimeSpan.Zero
                ? new CounterfactualResult([], 0, 0, $"gave up: the time budget ({total.TotalSeconds:0.###} s) ran out before this finding")
                : Search(t, f, paths, left, cap ?? CandidateCap, parts: parts);
            if (todo.Count > 1 && f.Counterfactual.GaveUp is { } g && g.StartsWith("gave up: the time budget", StringComparison.Ordinal))
                f.Counterfactual = f.Counterfactual with { GaveUp = g + $" (its share of the {total.TotalSeconds:0.###} s of {todo.Count} unexplained findings)" };
        }
        timings?.Add(("counterfactual search: generate", parts.Generate));
        timings?.Add(("counterfactual search: copy (all threads)", parts.Copy));
        timings?.Add(("counterfactual search: re-link (all threads)", parts.Relink));
        timings?.Add(("counterfactual search: re-trace (all threads)", parts.Trace));
    }

    /// <param name="log">when given, one line per candidate tried: its commands and what it did (or why it could not be applied)</param>
    /// <param name="parts">when given, the time of the search's parts is added to it</param>
    public static CounterfactualResult Search(Topology.Topology t, Finding f, IReadOnlyList<TracedPath> paths, TimeSpan budget, int cap, Action<string>? log = null,
        Parts? parts = null)
    {
        var clock = Stopwatch.StartNew();
        var byLabel = new Dictionary<string, TracedPath>(StringComparer.Ordinal);
        foreach (var p in paths) byLabel.TryAdd(p.Label, p);
        var broken = f.BrokenPaths.Select(Unreply).Distinct().Select(l => byLabel.GetValueOrDefault(l)).OfType<TracedPath>().ToList();
        var working = paths.Where(p => p.Verdict == PathVerdict.Works).ToList();
        long generating = Stopwatch.GetTimestamp();
        var candidates = Generate(t, broken);
        if (parts is not null) parts.GenerateTicks += Stopwatch.GetElapsedTime(generating).Ticks;
        var good = new List<CounterfactualCandidate>();
        var partial = new List<CounterfactualCandidate>();
        int tried = 0;
        string? gaveUp = null;
        // the first CAP candidates, tried on every core (each edits its own copy and only reads the topology, as the fix
        // verifications do), then taken in order: the result is the one trying them one after another gives
        // A candidate of one command that restores every path and breaks none ranks first whatever comes after it (ties
        // keep their order): the candidates after the first such one are not tried.
        int n = Math.Min(candidates.Count, cap), next = -1, perfect = int.MaxValue;
        var results = new (FixVerification? Result, string? Why)?[n];
        Parallel.For(0, Math.Min(Environment.ProcessorCount, Math.Max(1, n)), _ =>
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= n || i > Volatile.Read(ref perfect) || clock.Elapsed > budget) return;
                var tr = Try(t, candidates[i], broken, working, parts);
                results[i] = tr;
                if (tr.Result is { Broke: 0 } r && r.Restored == broken.Count && broken.Count > 0 && candidates[i].Sum(x => x.Commands.Count) == 1)
                    for (int seen = Volatile.Read(ref perfect); i < seen; seen = Volatile.Read(ref perfect))
                        if (Interlocked.CompareExchange(ref perfect, i, seen) == seen) break;
            }
        });
        if (perfect < n) n = perfect + 1;
        for (int i = 0; i < n; i++)
        {
            if (results[i] is not var (r, why)) continue;
            tried++;
            log?.Invoke(Describe(candidates[i], r, why));
            if (r is null || r.Broke > 0) continue;
            var cand = new CounterfactualCandidate(candidates[i], r);
            if (r.Restored > 0) good.Add(cand);
            else if (r.MovedOn > 0) partial.Add(cand);
        }
        if (tried < n) gaveUp = $"gave up: the time budget ({budget.TotalSeconds:0.###} s) ran out after {tried} of {candidates.Count} candidates";
        else if (candidates.Count > cap && perfect == int.MaxValue) gaveUp = $"gave up after the candidate cap ({cap}) of {candidates.Count}";
        // pairs of the best singles, when no single one restores every path
        if (gaveUp is null && !good.Any(g => g.Result.Restored == broken.Count))
        {
            var singles = good.Concat(partial).OrderByDescending(g => g.Result.Restored + g.Result.MovedOn).Take(5).ToList();
            for (int i = 0; i < singles.Count && gaveUp is null; i++)
                for (int j = i + 1; j < singles.Count; j++)
                {
                    if (clock.Elapsed > budget) { gaveUp = $"gave up: the time budget ({budget.TotalSeconds:0.###} s) ran out while trying pairs"; break; }
                    var fix = singles[i].Fix.Concat(singles[j].Fix).ToList();
                    tried++;
                    var (r, why) = Try(t, fix, broken, working, parts);
                    log?.Invoke("pair: " + Describe(fix, r, why));
                    if (r is not null && r.Broke == 0 && r.Restored > Math.Max(singles[i].Result.Restored, singles[j].Result.Restored))
                        good.Add(new CounterfactualCandidate(fix, r));
                }
        }
        var best = good.OrderByDescending(g => g.Result.Restored == broken.Count).ThenBy(g => g.Edits)
            .ThenByDescending(g => g.Result.Restored).Take(Keep).ToList();
        return new CounterfactualResult(best, candidates.Count, tried, gaveUp);
    }

    private static (FixVerification? Result, string? Why) Try(Topology.Topology t, IReadOnlyList<FixStep> fix, List<TracedPath> broken, List<TracedPath> working, Parts? parts)
    {
        var commands = fix.SelectMany(s => s.Commands.Select(c => (s.Host, c))).ToList();
        long started = Stopwatch.GetTimestamp();
        try
        {
            var script = CommandInterpreter.ReadFix(commands, t.Snapshot, "counterfactual");
            if (script.NotModelled.FirstOrDefault() is { } nm) return (null, $"not modelled: `{nm.Text}`: {nm.NotModelled}");
            var copy = ModelCopy.Apply(t.Snapshot, script);
            long copied = Stopwatch.GetTimestamp();
            var after = Relinker.Relink(t, copy.Result);
            long relinked = Stopwatch.GetTimestamp();
            var result = FixVerifier.Compare(after, broken, working, copy.TouchedHosts, workingIfChanged: true);
            if (parts is not null)
            {
                Interlocked.Add(ref parts.CopyTicks, Stopwatch.GetElapsedTime(started, copied).Ticks);
                Interlocked.Add(ref parts.RelinkTicks, Stopwatch.GetElapsedTime(copied, relinked).Ticks);
                Interlocked.Add(ref parts.TraceTicks, Stopwatch.GetElapsedTime(relinked).Ticks);
            }
            return (result, null);
        }
        catch (InputException e)
        {
            if (parts is not null) Interlocked.Add(ref parts.CopyTicks, Stopwatch.GetElapsedTime(started).Ticks);
            return (null, "refused: " + e.Message);
        }
    }

    /// <summary>One line of the verbose log: the candidate's commands and what they did.</summary>
    private static string Describe(IReadOnlyList<FixStep> fix, FixVerification? r, string? why)
    {
        var cmds = string.Join(" && ", fix.SelectMany(s => s.Commands.Select(c => $"{s.Host}: {c}")));
        if (r is null) return $"{cmds}\n    -> {why}";
        var still = r.StillBroken.FirstOrDefault();
        var broke = r.NewlyBroken.FirstOrDefault();
        return $"{cmds}\n    -> restores {r.Restored} of {r.BrokenBefore}, moved on {r.MovedOn}, " +
            (r.Restored + r.MovedOn == 0 && r.WorkingChecked == 0 ? "working paths not traced" : $"breaks {r.Broke}") +
            (still is null ? "" : $"; still: {still}") + (broke is null ? "" : $"; breaks: {broke}");
    }

    /// <summary>The candidate edits near where the broken paths die, each one fix step (host, namespace, commands), distinct.</summary>
    internal static List<IReadOnlyList<FixStep>> Generate(Topology.Topology t, IReadOnlyList<TracedPath> broken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<IReadOnlyList<FixStep>>();
        void Add(NsRef at, params string[] commands)
        {
            var key = at.Host.Name + "|" + string.Join(";", commands);
            if (seen.Add(key)) list.Add([new FixStep(at.Host.Name, Diagnosis.NsCommand.Label(at), commands)]);
        }
        void AddSteps(List<FixStep> steps)
        {
            var key = string.Join("|", steps.Select(s => s.Host + ":" + string.Join(";", s.Commands)));
            if (steps.Count > 0 && !steps.Any(s => s.Commands.Any(c => c.Contains("PID", StringComparison.Ordinal))) && seen.Add(key)) list.Add(steps);
        }
        foreach (var p in broken.Take(8))
        {
            TraceResult r;
            try { r = Tracer.Trace(t, p.Request with { Start = null }); }
            catch (Exception e) when (e is not OutOfMemoryException) { continue; }
            var bad = !r.Forward.Delivered ? r.Forward : r.Reply is { Delivered: false } rep ? rep : null;
            if (bad is null) continue;
            var sites = new List<NsRef>();
            if (bad.LastNamespace is { } last) sites.Add(last);
            for (int h = bad.Hops.Count - 1; h >= 0 && sites.Count < MaxSites; h--)
                if (Find(t, bad.Hops[h]) is { } ns && !sites.Contains(ns)) sites.Add(ns);
            // the links the traces touched: the devices they passed and where they stopped (a veth whose peer is down)
            var touched = new HashSet<Link>(ReferenceEqualityComparer.Instance);
            foreach (var d in bad.Passed.Concat(r.Forward.Passed)) touched.Add(d.Link);
            if (bad.AtPlace is { Link: { } atLink }) touched.Add(atLink);
            // rp_filter decides only where the packet died of it, or of an ARP request refused (the sender's route back):
            // a check that passed everywhere the trace went passes again once it is off, and the trace is the same
            bool rpFilterMayDecide = bad.Disposition is Disposition.RpFilterDrop or Disposition.NeighborUnreachable;
            var owners = new HashSet<NetNamespace>(t.OwnersOf(bad.Flow.Destination).Select(o => o.Device.Ns), ReferenceEqualityComparer.Instance);
            foreach (var site in sites.ToList())
                foreach (var peer in Peers(t, site, touched, owners)) if (!sites.Contains(peer)) sites.Add(peer);
            // a small input (a lab, a few hosts): every namespace of the hosts the packet crossed — a device down or a route
            // missing where the packet never got to is not on its hops
            // (a reply that fails: the hosts the request crossed too — a redirect missing on the way back is in a namespace
            // the request went through, while the reply dies on the far side, its ARP unanswered)
            var crossed = new HashSet<string>(bad.Hops.Select(h => h.Host).Concat(r.Forward.Hops.Select(h => h.Host)), StringComparer.Ordinal);
            // the namespace the packet was for, on a host it reached: a pod whose veth lost its host end is behind no veth of its node
            foreach (var o in t.OwnersOf(bad.Flow.Destination))
                if (crossed.Contains(o.Device.Host.Name) && !sites.Contains(o.Device.Namespace)) sites.Add(o.Device.Namespace);
            if (t.Snapshot.Hosts.Sum(h => h.Namespaces.Count) <= SmallInput)
                foreach (var h in t.Snapshot.Hosts)
                    if (crossed.Contains(h.Name))
                        foreach (var n in h.Namespaces) if (!sites.Contains(new NsRef(h, n))) sites.Add(new NsRef(h, n));
            foreach (var site in sites)
            {
                Candidates(t, site, bad.Flow.Destination, touched, rpFilterMayDecide, Add);
                Tunnels(t, site, Add, AddSteps);
                Rebuilds(t, site, Add, AddSteps);
            }
        }
        return list;
    }

    private static NsRef? Find(Topology.Topology t, Hop hop)
    {
        var host = t.Snapshot.Hosts.FirstOrDefault(h => h.Name == hop.Host);
        var ns = host?.Namespaces.FirstOrDefault(n => hop.Namespace == "root" ? n.IsRoot : n.DisplayName == hop.Namespace);
        return ns is null ? null : new NsRef(host!, ns);
    }

    /// <summary>The namespaces at the other end of a veth of this one (a pod and its node) that the failing trace
    /// touched: the veth (either end) is one it passed or stopped at, or the namespace holds the destination. The trace
    /// read nothing in the namespace behind a veth it never used (a node's other 109 pods): no edit there changes it.</summary>
    private static IEnumerable<NsRef> Peers(Topology.Topology t, NsRef site, HashSet<Link> touched, HashSet<NetNamespace> owners)
    {
        foreach (var l in site.Ns.Links)
        {
            if (!l.IsVeth || l.LinkNamespace is null && l.LinkNetnsName is null) continue;
            var name = l.LinkNetnsName ?? l.LinkNamespace;
            var ns = site.Host.Namespaces.FirstOrDefault(n => n.Name == name || n.Id == name || (name == "root" && n.IsRoot));
            if (ns is null || ns == site.Ns) continue;
            bool used = touched.Contains(l) || owners.Contains(ns) ||
                t.Device(site, l.Name) is { } d && t.VethPeer(d) is { } p && touched.Contains(p.Link);
            if (used) yield return new NsRef(site.Host, ns);
        }
    }

    private static void Candidates(Topology.Topology t, NsRef at, System.Net.IPAddress dst, HashSet<Link> touched, bool rpFilterMayDecide, Action<NsRef, string[]> add)
    {
        var ns = at.Ns;
        if (Exec(at) is not { } exec) return; // an unnamed namespace with no process in it: no command can enter it
        string ip = Ip(at)!;
        // neighbours whose MAC is not the MAC of the device that owns the IP, or that failed
        foreach (var n in ns.Neighbors)
        {
            // every owner's MAC (a pod IP held by the pod and by the peer-pod VM: the right one is one of them)
            foreach (var owner in t.OwnersOf(n.Address).Select(o => o.Device.Link.Mac).OfType<MacAddress>().Distinct())
                if (n.Mac != owner) add(at, [$"{ip} neigh replace {n.Address} lladdr {owner} dev {Shell.Quote(n.Device)} nud permanent"]);
        }
        // a permanent entry for the destination on the devices whose subnet holds it
        var dstMac = t.OwnersOf(dst).Select(o => o.Device.Link.Mac).FirstOrDefault(m => m is not null);
        if (dstMac is not null && !ns.Neighbors.Any(n => n.Address.Equals(dst)))
            foreach (var l in ns.Links)
                if (l.Addresses.Any(a => a.Prefix.Contains(dst) && !a.Prefix.Address.Equals(dst)))
                    add(at, [$"{ip} neigh replace {dst} lladdr {dstMac} dev {Shell.Quote(l.Name)} nud permanent"]);
        // a permanent entry for the gateway of each route that covers the destination, with the gateway owner's MAC
        // (flannel's routes go via the far node's flannel.1 address, onlink, resolved by a permanent entry only)
        foreach (var r in ns.Routes)
            if (r.Table == RouteTables.Main && r.Gateway is { } rgw && r.Device is { } rdev && r.Destination.Contains(dst) && !ns.Neighbors.Any(n => n.Address.Equals(rgw) && n.Device == rdev))
                foreach (var mac in t.OwnersOf(rgw).Select(o => o.Device.Link.Mac).OfType<MacAddress>().Distinct())
                    add(at, [$"{ip} neigh replace {rgw} lladdr {mac} dev {Shell.Quote(rdev)} nud permanent"]);
        foreach (var l in ns.Links)
        {
            if (l.IsLoopback) continue;
            if (!l.IsUp) add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} up"]);
            // a port on another bridge of the namespace (the wrong master)
            if (l.IsVeth && l.Addresses.Count == 0)
            {
                foreach (var b in ns.Links)
                    if (b.Kind is LinkKinds.Bridge && b.Name != l.Master && l.Master is not null)
                        add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} master {Shell.Quote(b.Name)}"]);
                if (ns.Ovs is { Bridges.Count: > 1 } ovs2 && t.Device(at, l.Name) is { } port && t.BridgeOf(port) is { } on)
                    foreach (var b in ovs2.Bridges)
                        if (b.Name != on.Link.Name)
                            add(at, [$"{exec}ovs-vsctl --if-exists del-port {Shell.Quote(on.Link.Name)} {Shell.Quote(l.Name)}", $"{exec}ovs-vsctl --may-exist add-port {Shell.Quote(b.Name)} {Shell.Quote(l.Name)}"]);
            }
            // a port that lost its bridge: back on the namespace's bridge (one bridge only, else it is a guess)
            if (l.Master is null && l.IsVeth)
            {
                var bridges = ns.Links.Where(b => b.Kind is LinkKinds.Bridge).ToList();
                if (bridges.Count == 1 && l.Addresses.Count == 0) add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} master {Shell.Quote(bridges[0].Name)}"]);
                // or on its Open vSwitch bridge, when the namespace has one
                // (not for a port the OVSDB has already: add-port would be refused, and the port is on a bridge)
                if (bridges.Count == 0 && l.Addresses.Count == 0 && ns.Ovs is { Bridges.Count: 1 } ovs && !ovs.Bridges.Any(b => b.Ports.Any(p => p.Name == l.Name)))
                    add(at, [$"{exec}ovs-vsctl add-port {Shell.Quote(ovs.Bridges[0].Name)} {Shell.Quote(l.Name)}"]);
            }
            // the MTU of the veth's peer
            if (l.IsVeth && l.Mtu is { } mtu)
            {
                var peer = VethPeer(t, at, l);
                if (peer?.Link.Mtu is { } pm && pm != mtu) add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} mtu {pm}"]);
            }
            // a VXLAN device whose remote no peer VXLAN device has as local address: the remote of the peers' tunnels
            if (l.Vxlan is { Remote: { } remote } vx && t.OwnersOf(remote).Count == 0)
                foreach (var d in t.Devices)
                    if (d.Host != at.Host && d.Link.Vxlan is { } pv && pv.Vni == vx.Vni)
                        foreach (var a in UnderlayOf(t, d))
                            add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} type vxlan remote {a}"]);
        }
        // a route to the destination via each gateway the namespace already uses, and the blackholes that cover it deleted
        foreach (var r in ns.Routes)
        {
            if (r.Table != RouteTables.Main || r.Destination.Family != dst.AddressFamily) continue;
            if (r.Type is RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit && r.Destination.Contains(dst))
                add(at, [$"{ip} route del {r.Type} {r.Destination}"]);
            if (r.Gateway is { } gw && r.Type == RouteTypes.Unicast)
                add(at, [$"{ip} route replace {dst}/{(dst.AddressFamily is System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)} via {gw}" + (r.Device is { } d ? $" dev {Shell.Quote(d)}" : "")]);
        }
        ConnectedRoutes(at, dst, add);
        if (ns.Sysctl("net.ipv4.ip_forward") == "0" || ns.Sysctls.Any(kv => kv.Key.EndsWith(".forwarding", StringComparison.Ordinal) && kv.Key.StartsWith("net.ipv4.conf.", StringComparison.Ordinal) && kv.Value == "0"))
            add(at, [exec + "sysctl -w net.ipv4.ip_forward=1"]);
        var rpOn = new List<string>();
        foreach (var kv in ns.Sysctls)
            if (rpFilterMayDecide && kv.Key.StartsWith("net.ipv4.conf.", StringComparison.Ordinal) && kv.Key.EndsWith(".rp_filter", StringComparison.Ordinal) && kv.Value is "1" or "2" &&
                MayValidateSource(t, at, kv.Key["net.ipv4.conf.".Length..^".rp_filter".Length], touched))
            {
                add(at, [exec + $"sysctl -w {kv.Key}=0"]);
                rpOn.Add(kv.Key);
            }
        // the kernel uses the larger of conf.all and conf.DEV: both off at once
        if (rpOn.Count > 1) add(at, [exec + "sysctl -w " + string.Join(' ', rpOn.Order(StringComparer.Ordinal).Select(k => k + "=0"))]);
        foreach (var table in ns.Iptables)
            foreach (var rule in table.Rules)
                if (rule.Target is "DROP" or "REJECT" && rule.Args.Count > 2)
                    add(at, [exec + $"{(table.Family == "ipv6" ? "ip6tables" : "iptables")} -t {table.Name} -D {rule.Chain} " + string.Join(' ', rule.Args.Select(Shell.Quote))]);
        // an nftables rule that drops or rejects, deleted by its handle
        if (ns.Nftables is { } nft)
            foreach (var r in nft.Rules)
                if (r.Handle is { } h && Forwarding.NftEval.Action(r).Verdict is "drop" or "reject")
                    add(at, [exec + $"nft delete rule {r.Family} {Shell.Quote(r.Table)} {Shell.Quote(r.Chain)} handle {h.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
        // a route to the destination through the other end of each point-to-point veth (a pod's way out: its node),
        // or on-link on each device whose peer's namespace owns or routes the destination
        if (!ns.Routes.Any(r => r.Table == RouteTables.Main && r.Destination.Contains(dst) && r.Type == RouteTypes.Unicast))
            foreach (var l in ns.Links)
            {
                if (l.IsLoopback || !l.IsUp || l.Addresses.Count == 0) continue;
                // the peer as the topology links it: on another lab host too (a router's veth to a node)
                var peer = VethPeer(t, at, l);
                foreach (var a in peer?.Link.Addresses ?? [])
                    if (a.Prefix.IsV4 && dst.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && l.Addresses.Any(x => x.Prefix.Contains(a.Prefix.Address)))
                        add(at, [$"{ip} route replace {dst}/32 via {a.Prefix.Address} dev {Shell.Quote(l.Name)}"]);
                add(at, [$"{ip} route replace {dst}/{(dst.AddressFamily is System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)} dev {Shell.Quote(l.Name)}"]);
            }
    }

    /// <summary>
    /// Whether the reverse-path filter of device DEV ("all" and "default" always) can have decided the failing trace:
    /// the kernel checks it on the device a packet arrives on (the trace passed it, or stopped at it) and on the device
    /// an ARP request arrives on — the other end of a veth the trace used, or a device with an address that answers. A
    /// node's 110 pod ports (no address, unused by this path) are none of these: their rp_filter changes nothing.
    /// </summary>
    private static bool MayValidateSource(Topology.Topology t, NsRef at, string dev, HashSet<Link> touched)
    {
        if (dev is "all" or "default" || at.Ns.FindLink(dev) is not { } l) return true;
        if (touched.Contains(l) || l.Addresses.Count > 0) return true;
        return VethPeer(t, at, l) is { } peer && touched.Contains(peer.Link);
    }

    /// <summary>VXLAN devices of the site against the other VXLAN devices of the input: recreated with a peer's VNI or
    /// port (the kernel changes neither in place), remote set to a peer's underlay address, and in the underlay namespace a
    /// route to the remote via each gateway it has, or on the device whose subnet holds it.</summary>
    private static void Tunnels(Topology.Topology t, NsRef at, Action<NsRef, string[]> add, Action<List<FixStep>> addSteps)
    {
        if (Ip(at) is not { } ip) return;
        foreach (var l in at.Ns.Links)
        {
            if (l.Vxlan is not { } vx || t.Device(at, l.Name) is not { } d) continue;
            var underlay = t.Tunnel(d)?.Underlay;
            foreach (var p in Peers(t, d))
            {
                if (p.Link.Vxlan is not { } pv || p == d || (p.Host == at.Host && p.Ns == at.Ns)) continue;
                if (pv.Vni is { } vni && vx.Vni != vni) addSteps(Diagnosis.VxlanRecreate.Steps(d, underlay, vni: vni));
                if (pv.DstPort is { } port && vx.DstPort != port) addSteps(Diagnosis.VxlanRecreate.Steps(d, underlay, port: port));
                if (vx.Remote is { } remote && pv.Vni == vx.Vni)
                    foreach (var a in UnderlayOf(t, p))
                        if (!a.Equals(remote)) add(at, [$"{ip} link set dev {Shell.Quote(l.Name)} type vxlan remote {a}"]);
            }
            if (vx.Remote is { } rem && (underlay ?? at) is var u && Ip(u) is { } uip)
            {
                ConnectedRoutes(u, rem, add);
                foreach (var r in u.Ns.Routes)
                    if (r.Table == RouteTables.Main && r.Gateway is { } gw && r.Type == RouteTypes.Unicast && gw.AddressFamily == rem.AddressFamily)
                        add(u, [$"{uip} route replace {rem}/32 via {gw}" + (r.Device is { } dv ? $" dev {Shell.Quote(dv)}" : "")]);
                foreach (var ul in u.Ns.Links)
                    foreach (var a in ul.Addresses)
                        if (!ul.IsLoopback && a.Prefix.IsV4 && rem.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                            foreach (var o in t.OwnersOf(rem))
                                if (o.Device.Host != at.Host)
                                    foreach (var g in GatewaysToward(t, u, ul, o.Device))
                                        add(u, [$"{uip} route replace {rem}/32 via {g} dev {Shell.Quote(ul.Name)}"]);
            }
        }
    }

    /// <summary>The VXLAN devices a tunnel's VNI, port or remote is taken from: those the linker weighed as its far ends (the
    /// one that matched and the near misses, of the remote's namespace or of each FDB entry's), else every VXLAN device of
    /// the input (a remote that no host owns). At scale every pod's tunnel has its own VNI: the devices of the whole
    /// cluster would be a candidate each.</summary>
    private static IEnumerable<DeviceRef> Peers(Topology.Topology t, DeviceRef d)
    {
        var near = new List<DeviceRef>();
        if (t.Tunnel(d) is { } tm)
        {
            if (tm.Far is { } far) near.Add(far);
            near.AddRange(tm.NearMisses.Select(m => m.Far));
            foreach (var e in tm.FdbEnds)
            {
                if (e.Far is { } ef) near.Add(ef);
                near.AddRange(e.NearMisses.Select(m => m.Far));
            }
        }
        return near.Count > 0 ? near.Distinct() : t.Devices.Where(p => p.Link.Vxlan is not null);
    }

    /// <summary>What a fault took away that the namespace's own state shows should be there: the reverse of a tc mirred
    /// redirect (a pod's eth0 → vxlan1 redirect with no vxlan1 → eth0 one), a veth pair whose other end is in no namespace
    /// of the input recreated on each bridge of the host (as the veth-peer-missing fix does), a VXLAN FDB entry whose
    /// `dst` is not the underlay address of the device that owns its MAC.</summary>
    private static void Rebuilds(Topology.Topology t, NsRef at, Action<NsRef, string[]> add, Action<List<FixStep>> addSteps)
    {
        var ns = at.Ns;
        if (Ip(at) is null) return;
        // the reverse redirect: a match-all ingress filter on DEV redirecting to T, and none on T back
        foreach (var f in ns.Filters)
        {
            if (f.Direction != "ingress" || f.MatchesAll != true) continue;
            foreach (var a in f.Actions)
            {
                if (a.Kind != "mirred" || a.MirredAction is not (null or "redirect") || a.TargetDevice is not { } to || ns.FindLink(to) is null) continue;
                if (ns.Filters.Any(g => g.Device == to && g.Direction == "ingress" && g.Actions.Any(x => x.Kind == "mirred" && x.TargetDevice == f.Device))) continue;
                var cmds = new List<string>();
                if (!ns.Qdiscs.Any(q => q.Device == to && q.Kind is "ingress" or "clsact"))
                    cmds.Add(Diagnosis.NsCommand.Tc(at, "qdisc", "add", "dev", to, "ingress"));
                cmds.Add(Diagnosis.NsCommand.Tc(at, "filter", "add", "dev", to, "parent", "ffff:", "protocol", f.Protocol ?? "all", "u32", "match", "u32", "0", "0",
                    "action", "mirred", a.MirredDirection ?? "egress", "redirect", "dev", f.Device));
                add(at, [.. cmds]);
            }
        }
        // a veth whose other end is in no namespace of the input: the pair recreated with the host end on each bridge of
        // the host's root namespace (Linux or Open vSwitch), or with a host route to the pod
        if (!ns.IsRoot && at.Host.Root is { } rootNs)
        {
            var root = new NsRef(at.Host, rootNs);
            foreach (var l in ns.Links)
            {
                if (!l.IsVeth || !l.Addresses.Any(Diagnosis.DiagnosisContext.IsGlobal) || t.Device(at, l.Name) is not { } d) continue;
                if (t.VethPeer(d) is not null && Diagnosis.Checks.VethPeerCheck.PeerNamespaceMissing(d) is null) continue;
                // Linux bridges, and the Open vSwitch bridges of the OVSDB (a userspace bridge's device is a tun)
                var bridges = rootNs.Links.Where(b => b.Kind == LinkKinds.Bridge).Select(b => b.Name)
                    .Concat(rootNs.Ovs?.Bridges.Select(o => o.Name) ?? []).Distinct(StringComparer.Ordinal)
                    .Select(b => t.Device(root, b)).OfType<DeviceRef>().ToList();
                foreach (var b in bridges) addSteps(Diagnosis.Checks.VethPeerCheck.Recreate(t, d, root, b));
                addSteps(Diagnosis.Checks.VethPeerCheck.Recreate(t, d, root, null));
            }
        }
        // a VXLAN FDB entry (self, static) whose dst is not the underlay address of the peer device with that MAC
        foreach (var e in ns.Fdb)
        {
            if (e.Dst is not { } dst || e.Mac.IsZero || ns.FindLink(e.Device) is not { Vxlan: { } vx } || !e.Flags.Contains("self") && e.Master is not null) continue;
            var owners = t.Devices.Where(p => p.Link.Vxlan is { } pv && p.Link.Mac == e.Mac && p.Host != at.Host && (pv.Vni is null || vx.Vni is null || pv.Vni == vx.Vni)).ToList();
            foreach (var o in owners)
                foreach (var a in UnderlayOf(t, o))
                    if (!a.Equals(dst))
                        add(at, [Diagnosis.NsCommand.Bridge(at, ["fdb", "replace", e.Mac.ToString(), "dev", e.Device, "dst", a.ToString(),
                            .. e.Vni is { } vni ? new[] { "vni", vni.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [],
                            "self", e.Flags.Contains("static") && !e.Flags.Contains("permanent") ? "static" : "permanent"])]);
        }
    }

    /// <summary>The connected route of an address whose subnet holds the target, when the namespace has lost it (`ip route
    /// del` of a prefix route: the address stays, the kernel no longer reaches its subnet): put back as the kernel made it.</summary>
    private static void ConnectedRoutes(NsRef at, System.Net.IPAddress target, Action<NsRef, string[]> add)
    {
        if (Ip(at) is not { } ip) return;
        foreach (var l in at.Ns.Links)
        {
            if (l.IsLoopback || !l.IsUp) continue;
            foreach (var a in l.Addresses)
            {
                if (a.Prefix.Length >= a.Prefix.MaxLength || a.Flags.Contains("noprefixroute") || !a.Prefix.Contains(target)) continue;
                var net = a.Prefix.Network;
                if (at.Ns.Routes.Any(r => r.Table == RouteTables.Main && r.Destination == net && r.Device == l.Name)) continue;
                add(at, [$"{ip} route replace {net} dev {Shell.Quote(l.Name)} proto kernel scope link src {a.Address}"]);
            }
        }
    }

    /// <summary>Addresses on the link's subnet held by a device of another namespace that is a router toward the target's
    /// host (it has an address of the same subnet and the target's host is reachable from it): any neighbour on the subnet.</summary>
    private static IEnumerable<System.Net.IPAddress> GatewaysToward(Topology.Topology t, NsRef u, Link ul, DeviceRef target)
    {
        foreach (var a in ul.Addresses)
        {
            if (!a.Prefix.IsV4 || a.Prefix.Length >= 31) continue;
            foreach (var n in u.Ns.Neighbors)
                if (n.Device == ul.Name && a.Prefix.Contains(n.Address) && !n.Address.Equals(a.Prefix.Address) && t.OwnersOf(n.Address).Count > 0)
                    yield return n.Address;
            // the other end of a veth on the subnet
            var peer = VethPeer(t, u, ul);
            foreach (var pa in peer?.Link.Addresses ?? [])
                if (pa.Prefix.IsV4 && a.Prefix.Contains(pa.Prefix.Address) && !pa.Prefix.Address.Equals(a.Prefix.Address)) yield return pa.Prefix.Address;
        }
    }

    /// <summary>The other end of a veth as the topology links it (in another namespace, or on another lab host).</summary>
    private static DeviceRef? VethPeer(Topology.Topology t, NsRef at, Link l) =>
        l.IsVeth && t.Device(at, l.Name) is { } d ? t.VethPeer(d) : null;

    /// <summary>`ip` as it reaches the namespace, as the checks' fixes write it (<see cref="Diagnosis.NsCommand"/>): `ip -n NAME`
    /// for a named one (a lab host's root stand-in too, so the command stays in the lab), plain `ip` in a machine's root,
    /// `nsenter -t PID -n ip` in an unnamed one with a known process; null when no command can enter it.</summary>
    private static string? Ip(NsRef at) => Exec(at) is { } e ? (at.Ns.Name is { } n ? "ip -n " + Shell.Quote(n) : e + "ip") : null;

    /// <summary>The words before another program run in the namespace ("" in a machine's root, `ip netns exec NAME `,
    /// `nsenter -t PID -n `); null when no command can enter it.</summary>
    private static string? Exec(NsRef at) =>
        at.Ns.Name is { } n ? "ip netns exec " + Shell.Quote(n) + " "
        : at.Ns.IsRoot ? ""
        : at.Ns.Processes.Count > 0 ? $"nsenter -t {at.Ns.Processes[0].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)} -n "
        : null;

    /// <summary>The underlay address a VXLAN device sends from, as its peers must name it as `remote`: its `local`, else the
    /// IPv4 addresses of its underlay device (`dev`, else the device of the route to its remote or the default route) in its underlay namespace —
    /// the namespace it was created in (link-netns), not the one it sits in: a peer pod's vxlan0 moved into the pod holds
    /// the pod's address, which is no tunnel end.</summary>
    private static IEnumerable<System.Net.IPAddress> UnderlayOf(Topology.Topology t, DeviceRef d)
    {
        if (d.Link.Vxlan?.Local is { } local) { yield return local; yield break; }
        var u = (t.Tunnel(d)?.Underlay ?? d.Namespace).Ns;
        var v4 = u.Routes.Where(r => r.Table == RouteTables.Main && r.Type == RouteTypes.Unicast && r.Device is not null &&
            r.Destination.Family == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        // `dev`, else the route to its remote (the source the kernel picks for the tunnel's packets), else the default route
        var dev = d.Link.Vxlan?.UnderlayDevice ??
            (d.Link.Vxlan?.Remote is { } rem ? v4.Where(r => r.Destination.Contains(rem)).OrderByDescending(r => r.Destination.Length).FirstOrDefault()?.Device : null) ??
            v4.FirstOrDefault(r => r.Destination.Length == 0)?.Device;
        var l = dev is null ? null : u.FindLink(dev);
        if (l is null || l.Vxlan is not null) yield break;
        foreach (var a in l.Addresses) if (a.Prefix.IsV4) yield return a.Prefix.Address;
    }

    private static string Unreply(string label) => label.EndsWith(" (reply)", StringComparison.Ordinal) ? label[..^8] : label;
}
