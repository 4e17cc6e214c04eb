using Stopwatch = System.Diagnostics.Stopwatch;
using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Topology;
using Trace = NetSleuth.Forwarding.Trace;

namespace NetSleuth.Diagnosis;

/// <summary>
/// The reachability sweep: traces every pod-like address from its host's root namespace (when the
/// root is linked to it), each pod's way out (to its node's own address, and for one pod per host to
/// its gateway and to a pod on the next host) — or the one path asked for — and attributes each broken
/// path to the finding about a device the packet passed or died at (by device identity). A broken
/// path no check explains becomes one "unexplained-broken-path" finding per place and reason (with the
/// failing step), a path the input cannot decide a "path-undecided" note naming the command to run
/// where, so the report never says "No problems found" while a traced path is broken or undecided.
/// </summary>
public static class Reachability
{
    /// <summary>One path to trace instead of the sweep (--from/--to).</summary>
    public sealed record Request(string Host, string? Namespace, IPAddress Destination);

    /// <param name="Broken">paths that definitely fail (a drop, no route, …)</param>
    /// <param name="Undecided">paths whose trace stopped for lack of input, or met a rule it cannot evaluate</param>
    internal sealed record Outcome(List<Finding> NewFindings, int Checked, int Broken, int Undecided);

    /// <summary>Wall-clock budget of the sweep, a safety valve for inputs far beyond a cluster's size: what is
    /// left unchecked is said in the report. A 1,000-node cluster is swept in full well within it.</summary>
    public static TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>One traced path as the sweep keeps it: only a broken path keeps its trace (a sweep of a whole
    /// cluster would otherwise hold every hop of every path in memory).</summary>
    /// <param name="Traced">false when the budget ran out before this path</param>
    /// <param name="Bad">the direction that failed (forward, or the reply); null when the path works</param>
    internal readonly record struct PathResult(bool Traced, Trace? Bad, bool IsReply, string? Error);

    /// <summary>The sweep's paths, traced while the checks run (tracing reads only the topology).</summary>
    internal sealed class Pending
    {
        public required Task<(List<(TraceRequest Req, string Label)> Requests, PathResult[] Results)> Work { get; init; }
        /// <summary>The paths listed (waits for the listing and the traces).</summary>
        public List<(TraceRequest Req, string Label)> Requests => Work.GetAwaiter().GetResult().Requests;
        /// <summary>Each listed path's result, in the list's order (waits for the traces).</summary>
        public PathResult[] Results => Work.GetAwaiter().GetResult().Results;
    }

    /// <summary>Lists the paths and traces them: for a sweep both on other threads, while the checks run on the calling one
    /// (listing and tracing read only the topology, whose lookups are made for concurrent readers, and the context's pod
    /// addresses, made here first).</summary>
    internal static Pending Start(DiagnosisContext ctx, Request? request)
    {
        if (request is not null)
        {
            var one = Requests(ctx, request).ToList();
            return new Pending { Work = Task.FromResult((one, TraceAll(ctx, one, sweep: false))) };
        }
        _ = ctx.PodAddresses; // a lazy field of the context: made on this thread, read by both
        return new Pending
        {
            Work = Task.Run(() =>
            {
                var requests = Requests(ctx, null).ToList();
                return (requests, TraceAll(ctx, requests, sweep: true));
            }),
        };
    }

    /// <summary>Waits for the traces and attributes each broken path to the finding that explains it.</summary>
    internal static Outcome Finish(DiagnosisContext ctx, List<Finding> findings, Pending pending)
    {
        var fresh = new Dictionary<string, Finding>(StringComparer.Ordinal);
        int done = 0, broken = 0, undecided = 0;
        var requests = pending.Requests;
        var results = pending.Results;
        for (int i = 0; i < requests.Count; i++)
        {
            var (req, label) = requests[i];
            var r = results[i];
            if (!r.Traced) break; // the budget ran out here; the count says how far it got
            done++;
            if (r.Error is not null)
            {
                Attribute(ctx, findings, fresh, label, null, r.Error, req.Destination);
                broken++;
                continue;
            }
            if (r.Bad is not { } bad) continue;
            if (bad.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain) undecided++;
            else broken++;
            Attribute(ctx, findings, fresh, label + (r.IsReply ? " (reply)" : ""), bad, null, req.Destination);
        }
        if (requests.Count == 0) fresh["nothing-traced"] = NothingTraced(ctx);
        return new Outcome(fresh.Values.ToList(), done, broken, undecided);
    }

    /// <summary>
    /// Traces the requests, in parallel for a sweep (the topology is read-only by now and every trace
    /// has its own walker). Within the budget, workers take requests in order, so what is traced is
    /// always a prefix of the list; results are attributed in that order, so findings do not depend
    /// on which worker ran first.
    /// </summary>
    private static PathResult[] TraceAll(DiagnosisContext ctx, List<(TraceRequest Req, string Label)> requests, bool sweep)
    {
        var results = new PathResult[requests.Count];
        if (!sweep)
        {
            for (int i = 0; i < requests.Count; i++)
            {
                try { results[i] = Keep(Tracer.Trace(ctx.Topology, requests[i].Req)); }
                catch (ArgumentException e) { throw new Model.InputException("--from", 0, e.Message); }
            }
            return results;
        }
        var clock = Stopwatch.StartNew();
        int next = -1;
        Parallel.For(0, Environment.ProcessorCount, _ =>
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= requests.Count || clock.Elapsed > Budget) return;
                try
                {
                    // verdicts first; a failing path is traced again with its steps, for the report and the attribution
                    var quick = Keep(Tracer.Verdict(ctx.Topology, requests[i].Req));
                    results[i] = quick.Bad is null ? quick : Keep(Tracer.Trace(ctx.Topology, requests[i].Req));
                }
                catch (Exception e) when (e is not OutOfMemoryException) { results[i] = new PathResult(true, null, false, e.Message); }
            }
        });
        return results;
    }

    private static PathResult Keep(TraceResult t) =>
        !t.Forward.Delivered ? new PathResult(true, t.Forward, false, null)
        : t.Reply is { Delivered: false } r ? new PathResult(true, r, true, null)
        : new PathResult(true, null, false, null);

    /// <summary>The sweep's paths (what <see cref="Start"/> traces without a request): for benchmarks and tests.</summary>
    internal static List<(TraceRequest Req, string Label)> SweepRequests(DiagnosisContext ctx) => Requests(ctx, null).ToList();

    private static IEnumerable<(TraceRequest Req, string Label)> Requests(DiagnosisContext ctx, Request? request)
    {
        if (request is not null)
        {
            yield return (new TraceRequest(request.Host, request.Namespace, null, request.Destination),
                $"{request.Host}{(request.Namespace is null ? "" : ":" + request.Namespace)} → {request.Destination}");
            yield break;
        }
        // node → pod (and the reply)
        var seen = new HashSet<(Model.Host, IPAddress)>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (pod.Host.Root is not { } root || !seen.Add((pod.Host, addr.Address))) continue;
            if (!LinkedToRoot(ctx, pod, new NsRef(pod.Host, root), addr.Address)) continue;
            yield return (new TraceRequest(pod.Host.Name, null, null, addr.Address), $"{pod.Host.Name} → {addr.Address}");
        }
        // pod → its node's own address, for every pod linked to its node; one pod per host also to its gateway and
        // to a pod of the next host (a cluster's pods share their node's paths, so one says it for all)
        var firsts = new List<(DeviceRef Pod, IPAddress Address)>();
        var seenNs = new HashSet<Model.NetNamespace>();
        Model.Host? lastHost = null;
        var nodes = new Dictionary<Model.NetNamespace, IPAddress?>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (!addr.Address.AddressFamily.Equals(System.Net.Sockets.AddressFamily.InterNetwork) || !seenNs.Add(pod.Ns)) continue;
            if (pod.Host.Root is not { } root || !LinkedToNode(ctx, pod)) continue;
            var start = pod.Namespace;
            if (NodeAddress(ctx, new NsRef(pod.Host, root), nodes) is { } node && !node.Equals(addr.Address) && NextHopKnown(ctx, start, node))
                yield return (new TraceRequest(pod.Host.Name, pod.Ns.Id, null, node) { Start = start }, $"{start} → {node} (node)");
            if (pod.Host == lastHost) continue;
            lastHost = pod.Host;
            firsts.Add((pod, addr.Address));
            if (DefaultGateway(start) is { } gw && !gw.Equals(nodes[root]) && ctx.Topology.OwnersOf(gw).Count > 0)
                yield return (new TraceRequest(pod.Host.Name, pod.Ns.Id, null, gw) { Start = start }, $"{start} → {gw} (gateway)");
        }
        for (int i = 0; firsts.Count > 1 && i < firsts.Count; i++)
        {
            var (pod, _) = firsts[i];
            var (other, otherAddr) = firsts[(i + 1) % firsts.Count];
            if (other.Host == pod.Host || !NextHopKnown(ctx, pod.Namespace, otherAddr)) continue;
            yield return (new TraceRequest(pod.Host.Name, pod.Ns.Id, null, otherAddr) { Start = pod.Namespace },
                $"{pod.Namespace} → {otherAddr} (pod on {other.Host.Name})");
        }
    }

    /// <summary>
    /// Whether the pod's way to the address can be judged from the input: no route at all (a broken path), an on-link
    /// route, or a gateway some device of the input holds. A gateway nobody holds is a router the input does not show
    /// (OVN's logical router behind br-int answers for the pods' gateway in OpenFlow, which is not in the model).
    /// </summary>
    private static bool NextHopKnown(DiagnosisContext ctx, NsRef pod, IPAddress to)
    {
        var res = ctx.Route(pod, to);
        if (res.Route is not { } r) return true;
        var gw = r.Gateway ?? (r.NextHops.Count > 0 ? r.NextHops[0].Gateway : null);
        return gw is null || ctx.Topology.OwnersOf(gw).Count > 0;
    }

    /// <summary>The pod's namespace hangs off its node: the other end of its veth is in the node's root namespace.</summary>
    private static bool LinkedToNode(DiagnosisContext ctx, DeviceRef pod) =>
        ctx.Topology.VethPeer(pod) is { } peer && peer.Host == pod.Host && peer.Ns.IsRoot;

    /// <summary>The node's own address: the primary IPv4 address of the device its default route leaves by.</summary>
    private static IPAddress? NodeAddress(DiagnosisContext ctx, NsRef root, Dictionary<Model.NetNamespace, IPAddress?> known)
    {
        if (known.TryGetValue(root.Ns, out var found)) return found;
        IPAddress? node = null;
        foreach (var r in root.Ns.Routes)
        {
            if (node is not null) break;
            if (r.Table != Model.RouteTables.Main || !r.Destination.IsDefault || !r.IsV4 || r.Type != Model.RouteTypes.Unicast) continue;
            var dev = r.Device ?? (r.NextHops.Count > 0 ? r.NextHops[0].Device : null);
            if (dev is null || ctx.Topology.Device(root, dev) is not { } d) continue;
            foreach (var a in d.Link.Addresses)
                if (a.Prefix.IsV4 && DiagnosisContext.IsGlobal(a)) { node = a.Address; break; }
        }
        return known[root.Ns] = node;
    }

    private static IPAddress? DefaultGateway(NsRef ns)
    {
        foreach (var r in ns.Ns.Routes)
            if (r.Table == Model.RouteTables.Main && r.Destination.IsDefault && r.IsV4 && r.Type == Model.RouteTypes.Unicast && r.Gateway is { } gw) return gw;
        return null;
    }

    /// <summary>The root namespace means to reach the pod: the pod's veth peer is there, or a specific route covers it.</summary>
    private static bool LinkedToRoot(DiagnosisContext ctx, DeviceRef pod, NsRef root, IPAddress x)
    {
        if (ctx.Topology.VethPeer(pod) is { } peer && peer.Host == pod.Host && peer.Ns.IsRoot) return true;
        // the root's routes are not in the input: trace anyway, so the report says what to collect there
        if (!root.Ns.IsKnown(Model.Sections.Routes4)) return true;
        return ctx.Route(root, x).Route is { } r && !r.Destination.IsDefault;
    }

    private static void Attribute(DiagnosisContext ctx, List<Finding> findings, Dictionary<string, Finding> fresh, string path, Trace? trace, string? error, IPAddress destination)
    {
        var owners = new HashSet<Place>();
        foreach (var o in ctx.Topology.OwnersOf(destination)) owners.Add(o.Device);
        var at = trace?.AtPlace;
        Place? node = trace?.LastNamespace is { } last ? (Place)last : (Place?)null;
        var passed = trace is null ? null : PassedScores(trace);
        Finding? cause = null;
        int best = 0;
        foreach (var candidate in findings)
        {
            int score = trace is null ? 0 : Score(candidate, at, node, passed!);
            // the packet's destination is held by a device the finding is about (a pod cut off from its bridge)
            if (candidate.Severity >= Severity.Warning && candidate.Devices.Any(owners.Contains)) score = Math.Max(score, 2 * 3 + (int)candidate.Severity);
            if (score > best) { best = score; cause = candidate; }
        }
        if (cause is not null)
        {
            if (!cause.BrokenPaths.Contains(path)) cause.BrokenPaths.Add(path);
            if (trace is not null) cause.Trace ??= Convert(path, trace);
            return;
        }
        if (trace is null)
        {
            const string failed = "trace-failed";
            if (fresh.TryGetValue(failed, out var f0)) { f0.BrokenPaths.Add(path); return; }
            fresh[failed] = new Finding
            {
                Id = failed, Severity = Severity.Warning, RootCause = failed,
                Title = $"{path}: the trace failed ({error})",
                Explanation = "The tracer could not follow this path (a bug, or an input shape it does not expect); the other checks still ran.",
                BrokenPaths = [path],
            };
            return;
        }
        bool unsure = trace.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain;
        string key = $"{(unsure ? "undecided" : "unexplained")}:{(at ?? node)?.ToString() ?? "?"}/{trace.Disposition}";
        if (fresh.TryGetValue(key, out var existing)) { existing.BrokenPaths.Add(path); return; }
        var failing = FailingStep(trace);
        string where = (at ?? node)?.ToString() ?? "the first hop";
        var f = new Finding
        {
            Id = unsure ? "path-undecided" : "unexplained-broken-path",
            Severity = unsure ? Severity.Info : Severity.Error,
            Title = unsure
                ? $"{path}: cannot tell whether it gets through — {trace.Reason}"
                : $"{path}: {trace.Disposition} at {where}" + (failing is null ? "" : $" ({failing.Text})"),
            Explanation = unsure
                ? $"The trace stopped at {where}: {trace.Reason}. " +
                  (trace.Missing is { } mi ? $"Run `{mi.Command}` on {mi.Host}{(mi.Namespace is null ? "" : $" (namespace {mi.Namespace})")} and add its output to the input." : "The trace shows what it could not evaluate.")
                : $"The packet dies at {where}: {trace.Reason}." + (failing is null ? "" : $" The step that failed: {node}: {failing.Text}.") +
                  " No check of the catalogue explains it; the trace shows where and why.",
            BrokenPaths = [path],
            Trace = Convert(path, trace),
            RootCause = key,
            Devices = at is { } died ? [died] : [],
        };
        if (trace.Missing is { } m) f.Decide.Add(new MissingInput(m.Host, m.Namespace, m.Command, "decides what the trace could not"));
        fresh[key] = f;
    }

    /// <summary>The step that decided the failure: the last one before the drop note.</summary>
    private static Step? FailingStep(Trace t)
    {
        if (t.Hops.Count == 0) return null;
        var steps = t.Hops[^1].Steps;
        for (int i = steps.Count - 1; i >= 0; i--)
            if (steps[i] is not DropStep) return steps[i];
        return null;
    }

    /// <summary>"No path could be traced": what the sweep needs (pod namespaces, the root's routes) and where to get it.</summary>
    private static Finding NothingTraced(DiagnosisContext ctx)
    {
        var f = new Finding
        {
            Id = "nothing-traced", Severity = Severity.Info, RootCause = "nothing-traced",
            Title = "no path could be traced: the input shows no pod address (an address in a non-root namespace) that a node reaches",
            Explanation = "The sweep traces each pod address from its node and each pod's way out; without namespaces and their addresses " +
                "and the nodes' routes it has nothing to follow, so the absence of findings says little. Collect every namespace " +
                "(`netsleuth collect` as root) or the commands below, or ask for one path with --from HOST[:NS] --to IP.",
        };
        foreach (var h in ctx.Topology.Hosts)
        {
            if (h.Root is { } root && !root.IsKnown(Model.Sections.Routes4))
                f.Decide.Add(new MissingInput(h.Name, null, "ip route show table all", "the node's routes, which every path starts with"));
            if (h.Namespaces.All(n => n.IsRoot))
                f.Decide.Add(new MissingInput(h.Name, null, "ip netns list; ip -all netns exec ip -d addr show; ip -all netns exec ip route show table all",
                    "the pods' namespaces, their addresses and routes"));
        }
        return f;
    }

    /// <summary>
    /// How well a finding explains where the trace died, by the identities of the devices and namespaces it names:
    /// the device or namespace the packet died at (4), a device passed in the last hop (2), one passed earlier (1).
    /// </summary>
    private static int Score(Finding f, Place? at, Place? node, Dictionary<Place, int> passed)
    {
        int score = 0;
        foreach (var d in f.Devices)
        {
            if (d.Equals(at) || d.Equals(node)) return 12 + (int)f.Severity;
            if (passed.TryGetValue(d, out var s)) score = Math.Max(score, s);
        }
        return score == 0 ? 0 : score * 3 + (int)f.Severity;
    }

    /// <summary>The devices the trace passed by identity: 2 for those in the namespace it died in, 1 for earlier ones.</summary>
    private static Dictionary<Place, int> PassedScores(Trace t)
    {
        var scores = new Dictionary<Place, int>();
        foreach (var d in t.Passed)
        {
            int s = t.LastNamespace is { } last && d.Namespace.Equals(last) ? 2 : 1;
            Place id = d;
            if (!scores.TryGetValue(id, out var old) || old < s) scores[id] = s;
        }
        return scores;
    }

    private static FindingTrace Convert(string path, Trace t)
    {
        var lines = new List<string>();
        foreach (var hop in t.Hops)
            foreach (var s in hop.Steps)
                lines.Add($"{hop.Node}: {s.Text}");
        var arrow = path.IndexOf(" → ", StringComparison.Ordinal);
        return new FindingTrace(arrow > 0 ? path[..arrow] : path, arrow > 0 ? path[(arrow + 3)..] : "", $"{t.Disposition}: {t.Reason}", lines, t.Delivered ? null : t.At?.ToString());
    }
}
