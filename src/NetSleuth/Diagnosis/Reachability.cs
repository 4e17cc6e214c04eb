using Stopwatch = System.Diagnostics.Stopwatch;
using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Topology;
using Trace = NetSleuth.Forwarding.Trace;

namespace NetSleuth.Diagnosis;

/// <summary>
/// The reachability sweep: traces every pod-like address from its host's root namespace (when the
/// root is linked to it) — or the one path asked for — and attributes each broken path to the finding
/// whose objects it dies at. Paths no check explains become one "unreachable" finding per place and
/// reason, so a hundred pods behind one broken hop are one finding.
/// </summary>
public static class Reachability
{
    /// <summary>One path to trace instead of the sweep (--from/--to).</summary>
    public sealed record Request(string Host, string? Namespace, IPAddress Destination);

    internal sealed record Outcome(List<Finding> NewFindings, int Checked, int Broken);

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
        public required List<(TraceRequest Req, string Label)> Requests { get; init; }
        public required Task<PathResult[]> Results { get; init; }
    }

    /// <summary>Lists the paths (on the calling thread: it reads the context's indexes) and starts tracing them.</summary>
    internal static Pending Start(DiagnosisContext ctx, Request? request)
    {
        var requests = Requests(ctx, request).ToList();
        bool sweep = request is null;
        return new Pending
        {
            Requests = requests,
            Results = sweep ? Task.Run(() => TraceAll(ctx, requests, sweep: true)) : Task.FromResult(TraceAll(ctx, requests, sweep: false)),
        };
    }

    /// <summary>Waits for the traces and attributes each broken path to the finding that explains it.</summary>
    internal static Outcome Finish(DiagnosisContext ctx, List<Finding> findings, Pending pending)
    {
        var fresh = new Dictionary<string, Finding>(StringComparer.Ordinal);
        int done = 0, broken = 0;
        var requests = pending.Requests;
        var results = pending.Results.GetAwaiter().GetResult();
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
            broken++;
            Attribute(ctx, findings, fresh, label + (r.IsReply ? " (reply)" : ""), bad, null, req.Destination);
        }
        return new Outcome(fresh.Values.ToList(), done, broken);
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

    private static IEnumerable<(TraceRequest Req, string Label)> Requests(DiagnosisContext ctx, Request? request)
    {
        if (request is not null)
        {
            yield return (new TraceRequest(request.Host, request.Namespace, null, request.Destination),
                $"{request.Host}{(request.Namespace is null ? "" : ":" + request.Namespace)} → {request.Destination}");
            yield break;
        }
        var seen = new HashSet<(Model.Host, IPAddress)>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (pod.Host.Root is not { } root || !seen.Add((pod.Host, addr.Address))) continue;
            if (!LinkedToRoot(ctx, pod, new NsRef(pod.Host, root), addr.Address)) continue;
            yield return (new TraceRequest(pod.Host.Name, null, null, addr.Address), $"{pod.Host.Name} → {addr.Address}");
        }
    }

    /// <summary>The root namespace means to reach the pod: the pod's veth peer is there, or a specific route covers it.</summary>
    private static bool LinkedToRoot(DiagnosisContext ctx, DeviceRef pod, NsRef root, IPAddress x)
    {
        if (ctx.Topology.VethPeer(pod) is { } peer && peer.Host == pod.Host && peer.Ns.IsRoot) return true;
        return ctx.Fib.Lookup(root, x).Route is { } r && !r.Destination.IsDefault;
    }

    private static void Attribute(DiagnosisContext ctx, List<Finding> findings, Dictionary<string, Finding> fresh, string path, Trace? trace, string? error, IPAddress destination)
    {
        var owners = ctx.Topology.OwnersOf(destination).Select(o => o.Device.ToString()).ToHashSet(StringComparer.Ordinal);
        var at = trace?.At;
        var node = trace?.Hops.Count > 0 ? trace.Hops[^1].Node : null;
        Finding? cause = null;
        int best = 0;
        foreach (var candidate in findings)
        {
            int score = trace is null ? 0 : Score(candidate, trace, at, node);
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
        string disposition = trace?.Disposition.ToString() ?? "TraceFailed";
        string key = $"unreachable:{at ?? node ?? "?"}/{disposition}";
        if (fresh.TryGetValue(key, out var existing)) { existing.BrokenPaths.Add(path); return; }
        bool unsure = trace?.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain || trace is null;
        var f = new Finding
        {
            Id = "unreachable",
            Severity = unsure ? Severity.Info : Severity.Error,
            Title = trace is null ? $"{path}: the trace failed ({error})" : $"{path}: {disposition} at {at ?? node}",
            Explanation = trace is null ? "The tracer could not follow this path; the other checks still ran." :
                trace.Reason + " No check of the catalogue explains it; the trace shows where and why.",
            BrokenPaths = [path],
            Trace = trace is null ? null : Convert(path, trace),
            RootCause = key,
            Devices = at is null ? [] : [at],
        };
        if (trace?.Missing is { } m) f.Decide.Add(new MissingInput(m.Host, m.Namespace, m.Command, "decides what the trace could not"));
        fresh[key] = f;
    }

    /// <summary>
    /// How well a finding explains where the trace died: it names the device or namespace the packet died at (4),
    /// the trace's reason names one of its devices (3), the last hop passed one (2), an earlier hop did (1).
    /// </summary>
    private static int Score(Finding f, Trace trace, string? at, string? node)
    {
        int score = 0;
        foreach (var d in f.Devices)
        {
            if (d == at || d == node) return 12 + (int)f.Severity;
            if (Mentions(trace.Reason, d)) score = Math.Max(score, 3);
            for (int i = trace.Hops.Count - 1; i >= 0 && score < 2; i--)
                if (HopTouches(trace.Hops[i], d)) score = Math.Max(score, i == trace.Hops.Count - 1 ? 2 : 1);
        }
        return score == 0 ? 0 : score * 3 + (int)f.Severity;
    }

    private static bool Mentions(string text, string word)
    {
        int i = text.IndexOf(word, StringComparison.Ordinal);
        while (i >= 0)
        {
            int end = i + word.Length;
            bool left = i == 0 || !IsNameChar(text[i - 1]);
            bool right = end == text.Length || !IsNameChar(text[end]);
            if (left && right) return true;
            i = text.IndexOf(word, i + 1, StringComparison.Ordinal);
        }
        return false;
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@';

    /// <summary>The hop is in the device's namespace and one of its steps names the device.</summary>
    private static bool HopTouches(Hop hop, string device)
    {
        int colon = device.LastIndexOf(':');
        if (colon < 0 || device[..colon] != hop.Node) return false;
        var name = device[(colon + 1)..];
        return hop.Steps.Any(s => Mentions(s.Text, name));
    }

    private static FindingTrace Convert(string path, Trace t)
    {
        var lines = new List<string>();
        foreach (var hop in t.Hops)
            foreach (var s in hop.Steps)
                lines.Add($"{hop.Node}: {s.Text}");
        var arrow = path.IndexOf(" → ", StringComparison.Ordinal);
        return new FindingTrace(arrow > 0 ? path[..arrow] : path, arrow > 0 ? path[(arrow + 3)..] : "", $"{t.Disposition}: {t.Reason}", lines);
    }
}
