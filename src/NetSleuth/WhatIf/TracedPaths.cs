using NetSleuth.Forwarding;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>What a traced path came to: it works (both ways), it is broken, or the input cannot decide.</summary>
public enum PathVerdict { Works, Broken, Undecided }

/// <summary>One path the reachability sweep traced, by its label ("worker → 198.18.2.46") and the request that traces it again.</summary>
public sealed record TracedPath(string Label, TraceRequest Request, PathVerdict Verdict, string? Why = null)
{
    /// <summary>The hosts the path starts on or is addressed to (the destination's owners), to pick the paths an edit can change.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
}

/// <summary>Traces paths again on another topology (a model after edits) and says which changed verdict.</summary>
public static class PathTracer
{
    /// <summary>The note on a path that is delivered but crosses something the input does not show.</summary>
    public const string AsFarAsKnown = "delivered as far as the input shows";

    /// <summary>The verdict of one request on a topology (reply included, as the sweep judges it).</summary>
    public static (PathVerdict Verdict, string? Why) Verdict(Topology.Topology t, TraceRequest request)
    {
        TraceResult r;
        try { r = Tracer.Verdict(t, request with { Start = null }); }
        catch (ArgumentException e) { return (PathVerdict.Broken, e.Message); }
        catch (Exception e) when (e is not OutOfMemoryException) { return (PathVerdict.Undecided, "the trace failed: " + e.Message); }
        var bad = !r.Forward.Delivered ? r.Forward : r.Reply is { Delivered: false } reply ? reply : null;
        if (bad is null) return (PathVerdict.Works, null);
        // delivered, but past something the input does not show (a device's tc filters): works as far as the input tells
        if (bad.Disposition == Disposition.InsufficientInfo && bad.Reason.StartsWith("it would be delivered", StringComparison.Ordinal))
            return (PathVerdict.Works, AsFarAsKnown + (bad.Missing is { } m ? $" ({m})" : ""));
        var why = Why(bad, r.Forward.Delivered);
        return bad.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain ? (PathVerdict.Undecided, why) : (PathVerdict.Broken, why);
    }

    private static string Why(Trace bad, bool reply) => $"{bad.Disposition}" + (bad.At is { } at ? $" at {at}" : "") + (reply ? " (reply)" : "");

    /// <summary>The sweep's paths as diagnose traced them, with their verdicts (what was not traced in the budget is left out).</summary>
    internal static List<TracedPath> FromSweep(Topology.Topology t, Diagnosis.Reachability.Pending pending)
    {
        var results = pending.Results;
        var requests = pending.Requests;
        var list = new List<TracedPath>(results.Length);
        for (int i = 0; i < results.Length; i++)
        {
            var r = results[i];
            if (!r.Traced) break;
            var (req, label) = requests[i];
            var verdict = r.Error is not null ? PathVerdict.Broken
                : r.Bad is null ? PathVerdict.Works
                : r.Bad.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain ? PathVerdict.Undecided : PathVerdict.Broken;
            var hosts = new List<string> { req.Host };
            foreach (var o in t.OwnersOf(req.Destination)) if (!hosts.Contains(o.Device.Host.Name)) hosts.Add(o.Device.Host.Name);
            list.Add(new TracedPath(label, req with { Start = null }, verdict, r.Bad is { } b ? Why(b, r.IsReply) : r.Error) { Hosts = hosts });
        }
        return list;
    }

    /// <summary>The paths an edit of <paramref name="hosts"/> can change, and a sample of the rest: all of them when
    /// there are at most <paramref name="cap"/>; else those of the hosts first (up to the cap), then every k-th other.</summary>
    public static List<TracedPath> Related(IReadOnlyList<TracedPath> all, IReadOnlyCollection<string> hosts, int cap, int sample, out bool sampled)
    {
        sampled = all.Count > cap;
        if (!sampled) return [.. all];
        var near = new List<TracedPath>();
        var far = new List<TracedPath>();
        foreach (var p in all) (p.Hosts.Any(hosts.Contains) ? near : far).Add(p);
        if (near.Count > cap) near = near.Take(cap).ToList();
        int step = Math.Max(1, far.Count / Math.Max(1, sample));
        for (int i = 0; i < far.Count && near.Count < cap + sample; i += step) near.Add(far[i]);
        return near;
    }
}
