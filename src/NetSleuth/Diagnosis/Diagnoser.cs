using NetSleuth.Model;

namespace NetSleuth.Diagnosis;

/// <summary>The result of a diagnosis: findings most severe first, and what was looked at.</summary>
public sealed class DiagnosisReport
{
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required IReadOnlyList<string> Hosts { get; init; }
    /// <summary>Paths the reachability sweep traced (from → to) and how many were broken.</summary>
    public int PathsChecked { get; init; }
    public int PathsBroken { get; init; }
    /// <summary>Paths whose trace could not decide (input missing where the packet goes, a rule it cannot evaluate).</summary>
    public int PathsUndecided { get; init; }
    /// <summary>Paths the sweep set out to trace (more than <see cref="PathsChecked"/> only when its time budget ran out).</summary>
    public int PathsPlanned { get; init; }
    /// <summary>Input warnings (parse problems, unknown sections) the diagnosis may have suffered from.</summary>
    public IReadOnlyList<Warning> InputWarnings { get; init; } = [];
    /// <summary>Wall time of each check and of the sweep, in the order they ran (for benchmarks and slow inputs).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(string Stage, TimeSpan Elapsed)> Timings { get; init; } = [];
    /// <summary>Every path the sweep traced, with its verdict (what --what-if, diff and the fix verification trace again).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<WhatIf.TracedPath> Paths { get; init; } = [];

    public bool HasErrors => Findings.Any(f => f.Severity == Severity.Error);

    /// <summary>An error finding, or a traced path that is broken: what `diagnose` exits 3 for.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ProblemFound => HasErrors || PathsBroken > 0;
}

/// <summary>How a diagnosis runs: checks left out (by id or class name, to measure what the others and the
/// counterfactual search find without them), and whether each fix is verified in the model.</summary>
public sealed record DiagnoseOptions
{
    public IReadOnlySet<string> SkipChecks { get; init; } = new HashSet<string>();
    public bool VerifyFixes { get; init; } = true;
    /// <summary>Wall-clock budget of all the fix verifications (null: as long as the diagnosis took before them, at
    /// least <see cref="WhatIf.FixVerifier.MinimumBudget"/>, so verifying at most doubles a diagnosis).</summary>
    public TimeSpan? VerifyBudget { get; init; }
    /// <summary>Search candidate fixes for broken paths no check explains (<see cref="WhatIf.CounterfactualSearch"/>).</summary>
    public bool SearchFixes { get; init; } = true;
    /// <summary>The search's time budget and candidate cap (null: the defaults).</summary>
    public TimeSpan? SearchBudget { get; init; }
    public int? SearchCap { get; init; }
}

/// <summary>Runs the check catalogue over a linked topology and merges findings that share a root cause.</summary>
public static class Diagnoser
{
    public static DiagnosisReport Run(Topology.Topology topology, Reachability.Request? request = null) =>
        Run(topology, request, new DiagnoseOptions());

    /// <param name="options">which checks run, whether fixes are verified in the model</param>
    public static DiagnosisReport Run(Topology.Topology topology, Reachability.Request? request, DiagnoseOptions options)
    {
        var ctx = new DiagnosisContext(topology);
        // the sweep's traces run on the other cores while the checks run here: tracing reads only the topology
        long sweepStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var pending = Reachability.Start(ctx, request);
        var all = new List<(int Order, Finding F)>();
        var timings = new List<(string, TimeSpan)>();
        int order = 0;
        foreach (var check in CheckCatalogue.All)
        {
            order++;
            if (options.SkipChecks.Contains(check.Id) || options.SkipChecks.Contains(check.GetType().Name)) continue;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            long cpu = ThreadCpuNs();
            try
            {
                foreach (var f in check.Run(ctx)) all.Add((order, f));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                all.Add((order, new Finding
                {
                    Id = "check-failed", Severity = Severity.Warning, RootCause = "check-failed:" + check.Id,
                    Title = $"the check {check.Id} could not run: {e.GetType().Name}: {e.Message}",
                    Explanation = "A bug or an input shape the check does not expect; the other checks ran. Please report it with the input.",
                }));
            }
            timings.Add((check.GetType().Name, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
            if (cpu > 0) timings.Add((check.GetType().Name + " cpu", TimeSpan.FromTicks((ThreadCpuNs() - cpu) / 100)));
        }
        var merged = Merge(all);
        var sweep = Reachability.Finish(ctx, merged, pending);
        timings.Add(("reachability sweep (with the checks)", System.Diagnostics.Stopwatch.GetElapsedTime(sweepStarted)));
        var findings = merged.Concat(sweep.NewFindings)
            .OrderByDescending(f => f.Severity).ThenBy(f => Order(all, f)).ThenBy(f => f.Title, StringComparer.Ordinal).ToList();
        var paths = WhatIf.PathTracer.FromSweep(topology, pending);
        if (options.VerifyFixes)
        {
            long verifyStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var verifyCpu = Environment.CpuUsage.TotalTime;
            var before = System.Diagnostics.Stopwatch.GetElapsedTime(sweepStarted);
            var budget = options.VerifyBudget ?? (before > WhatIf.FixVerifier.MinimumBudget ? before : WhatIf.FixVerifier.MinimumBudget);
            var (verify, leftOut) = VerificationPlan.Split(findings, paths.Count);
            WhatIf.FixVerifier.Run(topology, verify, paths, budget, timings);
            VerificationPlan.Explain(verify, leftOut);
            timings.Add(("fix verification", System.Diagnostics.Stopwatch.GetElapsedTime(verifyStarted)));
            // the process's: the verifications run on every core, and nothing else runs meanwhile
            timings.Add(("fix verification cpu", Environment.CpuUsage.TotalTime - verifyCpu));
        }
        if (options.SearchFixes && findings.Any(f => f.Id == "unexplained-broken-path"))
        {
            long searchStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var searchCpu = Environment.CpuUsage.TotalTime;
            WhatIf.CounterfactualSearch.Run(topology, findings, paths, options.SearchBudget, options.SearchCap, timings);
            timings.Add(("counterfactual search", System.Diagnostics.Stopwatch.GetElapsedTime(searchStarted)));
            timings.Add(("counterfactual search cpu", Environment.CpuUsage.TotalTime - searchCpu));
        }
        return new DiagnosisReport
        {
            Findings = findings,
            Hosts = topology.Hosts.Select(h => h.Name).ToList(),
            PathsChecked = sweep.Checked,
            PathsBroken = sweep.Broken,
            PathsUndecided = sweep.Undecided,
            PathsPlanned = pending.Requests.Count,
            InputWarnings = topology.Snapshot.Warnings.Concat(topology.Hosts.SelectMany(h => h.Warnings)).ToList(),
            Timings = timings,
            Paths = paths,
        };
    }

    /// <summary>CPU time of the calling thread in ns (Linux schedstat), 0 where it cannot be read.</summary>
    private static long ThreadCpuNs()
    {
        try
        {
            var text = File.ReadAllText("/proc/thread-self/schedstat");
            int sp = text.IndexOf(' ');
            return long.TryParse(sp < 0 ? text : text[..sp], out var ns) ? ns : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    private static int Order(List<(int Order, Finding F)> all, Finding f)
    {
        foreach (var (o, x) in all) if (x == f) return o;
        return int.MaxValue;
    }

    /// <summary>One finding per root cause: the first (catalogue order, most severe) keeps the lead, the others add evidence.</summary>
    private static List<Finding> Merge(List<(int Order, Finding F)> all)
    {
        var byKey = new Dictionary<string, Finding>(StringComparer.Ordinal);
        var result = new List<Finding>();
        foreach (var (_, f) in all.OrderByDescending(x => x.F.Severity).ThenBy(x => x.Order))
        {
            if (!byKey.TryGetValue(f.RootCause, out var lead))
            {
                byKey[f.RootCause] = f;
                result.Add(f);
                continue;
            }
            if (f.Id != lead.Id && !lead.AlsoSeenAs.Contains(f.Id)) lead.AlsoSeenAs.Add(f.Id);
            foreach (var e in f.Evidence) if (!lead.Evidence.Contains(e) && lead.Evidence.Count < 12) lead.Evidence.Add(e);
            foreach (var p in f.BrokenPaths) if (!lead.BrokenPaths.Contains(p)) lead.BrokenPaths.Add(p);
            foreach (var d in f.Devices) if (!lead.Devices.Contains(d)) lead.Devices.Add(d);
        }
        return result;
    }
}
