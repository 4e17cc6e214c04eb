using System.Diagnostics;
using NetSleuth.Diagnosis;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>
/// Proves a finding's fix in the model: its commands are read by <see cref="CommandInterpreter"/>, applied to
/// a copy (<see cref="ModelCopy"/>), the copy is linked again (<see cref="Topology.Relinker"/>: the hosts it touched) and the paths diagnose traced are traced again —
/// the finding's broken paths, and the working paths (all of them on inputs of up to <see cref="PathCap"/> paths;
/// on bigger ones those from and to the hosts the fix changes, and a sample of the rest). Bounded by a time budget.
/// </summary>
public static class FixVerifier
{
    /// <summary>The least wall-clock budget of all the verifications of one diagnosis (the diagnoser gives them as long
    /// as the diagnosis took, and at least this); a finding past it is "unverified: the verification budget ran out".</summary>
    public static TimeSpan MinimumBudget { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Working paths re-traced in full up to this many; past it, those near the fix (up to it) and <see cref="Sample"/> others.</summary>
    public static int PathCap { get; set; } = 400;
    public static int Sample { get; set; } = 100;

    /// <param name="timings">where the time of the verifications' parts goes (copy, re-link, re-trace; summed over the
    /// findings), for `NETSLEUTH_TIMINGS`</param>
    public static void Run(Topology.Topology topology, IReadOnlyList<Finding> findings, IReadOnlyList<TracedPath> paths, TimeSpan budget,
        List<(string Stage, TimeSpan Elapsed)>? timings = null)
    {
        var parts = new Parts();
        var clock = Stopwatch.StartNew();
        var byLabel = new Dictionary<string, TracedPath>(StringComparer.Ordinal);
        foreach (var p in paths) byLabel.TryAdd(p.Label, p);
        var working = paths.Where(p => p.Verdict == PathVerdict.Works).ToList();
        // the broken paths no check explains: a finding whose cause the sweep tied to no path may still be what breaks them
        var unexplained = new List<TracedPath>();
        foreach (var f in findings)
            if (f.Id == UnexplainedId)
                foreach (var l in f.BrokenPaths)
                    if (byLabel.GetValueOrDefault(Unreply(l)) is { } p && !unexplained.Contains(p)) unexplained.Add(p);
        // each verification edits its own copy and only reads the topology (as the sweep's traces do): they run on
        // every core, taking the findings in order, so what the budget leaves out is the last ones
        var todo = findings.Where(f => f.Fix.Count > 0).ToList();
        int next = -1;
        Parallel.For(0, Math.Min(Environment.ProcessorCount, Math.Max(1, todo.Count)), _ =>
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= todo.Count) return;
                var f = todo[i];
                f.Verification = clock.Elapsed > budget
                    ? Unverified($"the verification budget ({budget.TotalSeconds:0.#} s, as long as the diagnosis took) ran out before this finding")
                    : Verify(topology, f, byLabel, working, unexplained, parts);
            }
        });
        timings?.Add(("fix verification: copy (all threads)", TimeSpan.FromTicks(parts.Copy)));
        timings?.Add(("fix verification: re-link (all threads)", TimeSpan.FromTicks(parts.Relink)));
        timings?.Add(("fix verification: re-trace (all threads)", TimeSpan.FromTicks(parts.Trace)));
    }

    /// <summary>Where the verifications spent their time (ticks, summed over the threads).</summary>
    private sealed class Parts
    {
        public long Copy, Relink, Trace;
    }

    /// <summary>The finding a broken path no check explains gets (<see cref="CounterfactualSearch"/> searches its fixes).</summary>
    public const string UnexplainedId = "unexplained-broken-path";

    private static FixVerification Unverified(string why) => new(false, 0, 0, 0, 0, 0, false, why);

    /// <summary>Verifies one finding's fix.</summary>
    /// <param name="unexplained">broken paths no check explains: re-traced for a finding the sweep tied to no path, and
    /// those its fix restores count as its own (the sweep ties a path to a finding by the devices the trace crosses; a
    /// port on the wrong bridge is not crossed by the frames that miss it)</param>
    public static FixVerification Verify(Topology.Topology topology, Finding f, IReadOnlyDictionary<string, TracedPath> byLabel, IReadOnlyList<TracedPath> working,
        IReadOnlyList<TracedPath>? unexplained = null) => Verify(topology, f, byLabel, working, unexplained, null);

    private static FixVerification Verify(Topology.Topology topology, Finding f, IReadOnlyDictionary<string, TracedPath> byLabel, IReadOnlyList<TracedPath> working,
        IReadOnlyList<TracedPath>? unexplained, Parts? parts)
    {
        long started = Stopwatch.GetTimestamp();
        var commands = f.Fix.SelectMany(s => s.Commands.Select(c => (s.Host, c))).ToList();
        if (commands.FirstOrDefault(x => x.c.Split(' ').Contains("PID")) is { c: not null } pid)
            return Unverified($"`{pid.c}` needs a process id the input does not give (PID)");
        var script = CommandInterpreter.ReadFix(commands, topology.Snapshot, "fix of " + f.Id);
        if (script.NotModelled.FirstOrDefault() is { } nm) return Unverified($"`{nm.Text}` is not modelled: {nm.NotModelled}");
        ModelCopy copy;
        try { copy = ModelCopy.Apply(topology.Snapshot, script); }
        catch (InputException e) { return Unverified("the model refuses it: " + e.Reason); }
        long copied = Stopwatch.GetTimestamp();
        var after = Topology.Relinker.Relink(topology, copy.Result);
        long relinked = Stopwatch.GetTimestamp();
        if (parts is not null)
        {
            Interlocked.Add(ref parts.Copy, Stopwatch.GetElapsedTime(started, copied).Ticks);
            Interlocked.Add(ref parts.Relink, Stopwatch.GetElapsedTime(copied, relinked).Ticks);
        }
        try { return Retrace(after, f, copy, byLabel, working, unexplained); }
        finally { if (parts is not null) Interlocked.Add(ref parts.Trace, Stopwatch.GetElapsedTime(relinked).Ticks); }
    }

    private static FixVerification Retrace(Topology.Topology after, Finding f, ModelCopy copy, IReadOnlyDictionary<string, TracedPath> byLabel,
        IReadOnlyList<TracedPath> working, IReadOnlyList<TracedPath>? unexplained)
    {
        var broken = f.BrokenPaths.Select(Unreply).Distinct().Select(l => byLabel.GetValueOrDefault(l)).OfType<TracedPath>().ToList();
        if (broken.Count == 0 && f.Id != UnexplainedId && unexplained is { Count: > 0 })
        {
            // the unexplained paths alone first (the working ones are traced again only for a fix that restores some)
            var restored = new List<TracedPath>();
            foreach (var p in unexplained)
                if (PathTracer.Verdict(after, p.Request).Verdict == PathVerdict.Works) restored.Add(p);
            if (restored.Count > 0) return Compare(after, restored, working, copy.TouchedHosts) with { OfUnexplained = true };
        }
        return Compare(after, broken, working, copy.TouchedHosts);
    }

    /// <summary>Traces the paths again on the edited topology: which broken ones work, which working ones broke.</summary>
    /// <param name="workingIfChanged">trace the working paths only when a broken one works or fails elsewhere now (the
    /// counterfactual search drops a candidate that changes no broken path, whatever it does to the working ones)</param>
    internal static FixVerification Compare(Topology.Topology after, IReadOnlyList<TracedPath> broken, IReadOnlyList<TracedPath> working, IReadOnlyCollection<string> touched,
        bool workingIfChanged = false)
    {
        int restored = 0, unsure = 0, movedOn = 0;
        var still = new List<string>();
        foreach (var p in broken)
        {
            var (v, why) = PathTracer.Verdict(after, p.Request);
            if (v == PathVerdict.Works) { restored++; if (why is not null) unsure++; }
            // still failing, but elsewhere: this cause is gone from the path and another one (its own finding) stops it now
            else if (why != p.Why && p.Why is not null) { movedOn++; still.Add($"{p.Label}: now {why} (was {p.Why})"); }
            else still.Add($"{p.Label}: {why}");
        }
        if (workingIfChanged && restored + movedOn == 0 && broken.Count > 0)
            return new FixVerification(false, 0, broken.Count, 0, 0, working.Count, false, $"still broken: {still[0]}" + (still.Count > 1 ? $" and {still.Count - 1} more" : ""))
            {
                StillBroken = still,
            };
        var related = PathTracer.Related(working, touched, PathCap, Sample, out bool sampled);
        var newly = new List<string>();
        foreach (var p in related)
        {
            var (v, why) = PathTracer.Verdict(after, p.Request);
            if (v != PathVerdict.Works) newly.Add($"{p.Label}: {why}");
        }
        bool ok = restored + movedOn == broken.Count && newly.Count == 0;
        string? reason = ok ? null
            : newly.Count > 0 ? $"it breaks {newly[0]}" + (newly.Count > 1 ? $" and {newly.Count - 1} more" : "")
            : $"still broken: {still[0]}" + (still.Count > 1 ? $" and {still.Count - 1} more" : "");
        if (ok && movedOn > 0) reason = $"{movedOn} path{(movedOn == 1 ? "" : "s")} then fail{(movedOn == 1 ? "s" : "")} further on, by another cause: {still[0]}";
        return new FixVerification(ok, restored, broken.Count, newly.Count, related.Count, working.Count, sampled, reason)
        {
            StillBroken = still, NewlyBroken = newly, RestoredAsFarAsKnown = unsure, MovedOn = movedOn,
        };
    }

    private static string Unreply(string label) => label.EndsWith(" (reply)", StringComparison.Ordinal) ? label[..^8] : label;
}
