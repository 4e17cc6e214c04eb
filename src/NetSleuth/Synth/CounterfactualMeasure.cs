using NetSleuth.Diagnosis;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Synth;

/// <summary>One row of the counterfactual measure: a fault kind placed alone, the checks that explain it switched off,
/// and what the search proposed for the broken paths that are then unexplained.</summary>
public sealed record CounterfactualRow(string Style, string Fault, int Seed, IReadOnlyList<string> Skipped, int Unexplained,
    int BrokenPaths, int Restored, CounterfactualCandidate? Best, int Tried, int Generated, string? GaveUp, TimeSpan Elapsed)
{
    public bool Found => Best is not null && BrokenPaths > 0 && Restored == BrokenPaths;

    public string Row() =>
        $"| {Style} | {Fault} | {string.Join(", ", Skipped)} | {BrokenPaths} | " +
        (Best is null ? "none" : $"restores {Best.Result.Restored} of {Best.Result.BrokenBefore}, breaks {Best.Result.Broke}: `{string.Join(" && ", Best.Fix.SelectMany(s => s.Commands))}`") +
        $" | {Tried}/{Generated}{(GaveUp is null ? "" : " (gave up)")} | {Elapsed.TotalSeconds:0.0} s |";
}

/// <summary>
/// For each synthetic fault kind: a small cluster with that fault alone (the first seed that places it), diagnosed with
/// the checks that explain its broken paths switched off (<see cref="DiagnoseOptions.SkipChecks"/>, until a path is
/// unexplained), and the counterfactual search run on the unexplained findings: does it propose a fix that restores them?
/// </summary>
public static class CounterfactualMeasure
{
    public static IEnumerable<CounterfactualRow> Run(SynthStyle style, int nodes = 3, int pods = 3, TimeSpan? budget = null, int? cap = null, string? only = null, Action<string>? log = null)
    {
        var probe = new SynthOptions(nodes, pods, style, 1, 1);
        foreach (var kind in ClusterGenerator.FaultNames(probe))
            if (only is null || Selected(only, SynthOptions.StyleName(style), kind) || only.IndexOf('/') < 0 && only == kind)
                yield return RunOne(style, kind, nodes, pods, budget, cap, log);
    }

    public static CounterfactualRow RunOne(SynthStyle style, string kind, int nodes = 3, int pods = 3, TimeSpan? budget = null, int? cap = null, Action<string>? log = null)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        string styleName = SynthOptions.StyleName(style);
        for (int seed = 1; seed <= 200; seed++)
        {
            var o = new SynthOptions(nodes, pods, style, 1, seed);
            var (snap, manifest) = new ClusterGenerator(o).GenerateAll();
            if (manifest.Faults.Count != 1 || manifest.Faults[0].Name != kind) continue;
            var (skip, unexplained, broken, restored, best, tried, generated, gaveUp) = Measure(Linker.Link(snap), null, budget, cap, log: log);
            return new CounterfactualRow(styleName, kind, seed, skip, unexplained, broken, restored, best, tried, generated, gaveUp, started.Elapsed);
        }
        return new CounterfactualRow(styleName, kind, 0, [], 0, 0, 0, null, 0, 0, "no seed of 1-200 places this fault alone", started.Elapsed);
    }

    /// <summary>
    /// The lab faults: every SCENARIO.FAULT.json snapshot of DIR (tests/NetSleuth.Tests/Fixtures/lab, captured by the lab
    /// tests) with its SCENARIO.FAULT.path (the probe's path the kernel fails: "HOST[:NETNS] IP", or "-" when none fails),
    /// diagnosed on that path with the explaining checks switched off, and searched.
    /// </summary>
    /// <param name="only">SCENARIO or SCENARIO/FAULT: that scenario's faults only</param>
    /// <param name="log">when given, every candidate tried and what it did (<see cref="CounterfactualSearch.Search"/>)</param>
    public static IEnumerable<CounterfactualRow> RunLab(string dir, TimeSpan? budget = null, int? cap = null, string? only = null, Action<string>? log = null)
    {
        foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var name = Path.GetFileNameWithoutExtension(file);
            int dot = name.IndexOf('.');
            var (scenario, fault) = dot > 0 ? (name[..dot], name[(dot + 1)..]) : (name, "");
            if (only is not null && !Selected(only, scenario, fault)) continue;
            var pathFile = Path.ChangeExtension(file, ".path");
            var path = File.Exists(pathFile) ? File.ReadAllText(pathFile).Trim() : "-";
            if (path == "-")
            {
                yield return new CounterfactualRow(scenario, fault, 0, [], 0, 0, 0, null, 0, 0, "no probe fails in the kernel", started.Elapsed);
                continue;
            }
            var request = ParsePath(path, pathFile);
            var t = Linker.Link(Model.SnapshotJson.Load(file));
            var (skip, unexplained, broken, restored, best, tried, generated, gaveUp) = Measure(t, request, budget, cap, log: log);
            yield return new CounterfactualRow(scenario, fault, 0, skip, unexplained, broken, restored, best, tried, generated, gaveUp, started.Elapsed);
        }
    }

    /// <summary>`--only SCENARIO[/FAULT]` (also STYLE[/FAULT] for the synthetic rows).</summary>
    public static bool Selected(string only, string scenario, string fault)
    {
        int slash = only.IndexOf('/');
        return slash < 0 ? only == scenario : only[..slash] == scenario && only[(slash + 1)..] == fault;
    }

    private static Reachability.Request ParsePath(string text, string file)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !System.Net.IPAddress.TryParse(parts[1], out var ip))
            throw new Model.InputException(file, 1, $"expected 'HOST[:NETNS] IP', got '{text}'");
        int colon = parts[0].IndexOf(':');
        return colon < 0 ? new Reachability.Request(parts[0], null, ip) : new Reachability.Request(parts[0][..colon], parts[0][(colon + 1)..], ip);
    }

    /// <summary>
    /// One input (a lab snapshot, a synthetic cluster): diagnosed (the whole sweep, or the path of REQUEST) with the checks
    /// that explain its broken paths switched off, one round after another until no check explains one, then the search
    /// on every unexplained finding.
    /// </summary>
    public static (List<string> Skipped, int Unexplained, int Broken, int Restored, CounterfactualCandidate? Best, int Tried, int Generated, string? GaveUp)
        Measure(Topology.Topology t, Reachability.Request? request, TimeSpan? budget, int? cap, IReadOnlySet<string>? alsoSkip = null, Action<string>? log = null)
    {
        var (skip, rounds) = ExplainingChecks(t, request, alsoSkip);
        var report = rounds[^1];
        var unexplained = report.Findings.Where(f => f.Id == "unexplained-broken-path").ToList();
        CounterfactualCandidate? best = null;
        int tried = 0, generated = 0, broken = 0, restored = 0;
        string? gaveUp = null;
        foreach (var f in unexplained)
        {
            log?.Invoke($"unexplained: {string.Join("; ", f.BrokenPaths)}");
            var r = CounterfactualSearch.Search(t, f, report.Paths, budget ?? CounterfactualSearch.Budget, cap ?? CounterfactualSearch.CandidateCap, log);
            tried += r.Tried; generated += r.Generated; gaveUp ??= r.GaveUp;
            broken += f.BrokenPaths.Count;
            if (r.Best.FirstOrDefault() is { } b) { restored += b.Result.Restored; best ??= b; }
        }
        return ([.. skip.Order(StringComparer.Ordinal)], unexplained.Count, broken, restored, best, tried, generated, gaveUp);
    }

    /// <summary>
    /// The checks that explain the input's broken paths, switched off one round after another (a path one check explained
    /// may then be explained by another: the MAC fault is found by two) until no check explains one, at most six rounds.
    /// </summary>
    /// <returns>the checks switched off (with <paramref name="alsoSkip"/>), and the report of each round (checks, the sweep;
    /// no verification, no search): the last one's broken paths are those no check explains</returns>
    public static (HashSet<string> Skip, List<DiagnosisReport> Rounds) ExplainingChecks(Topology.Topology t, Reachability.Request? request, IReadOnlySet<string>? alsoSkip = null)
    {
        var skip = new HashSet<string>(alsoSkip ?? new HashSet<string>(), StringComparer.Ordinal);
        var rounds = new List<DiagnosisReport>();
        for (int round = 0; round < 6; round++)
        {
            var report = Diagnoser.Run(t, request, new DiagnoseOptions { SkipChecks = skip, VerifyFixes = false, SearchFixes = false });
            rounds.Add(report);
            var explaining = Explaining(report).ToList();
            if (explaining.Count == 0) break;
            foreach (var f in explaining)
                foreach (var id in f.AlsoSeenAs.Prepend(f.Id))
                    if (CheckOf(id) is { } c) skip.Add(c);
        }
        return (skip, rounds);
    }

    /// <summary>The findings of a check that explain broken paths (not the sweep's own).</summary>
    public static IEnumerable<Finding> Explaining(DiagnosisReport report) =>
        report.Findings.Where(f => f.BrokenPaths.Count > 0 && f.Id is not "unexplained-broken-path" and not "path-undecided" and not "trace-failed");

    /// <summary>The check (its catalogue id) that produces findings with this id.</summary>
    private static string? CheckOf(string findingId)
    {
        foreach (var c in CheckCatalogue.All)
            foreach (var id in c.Id.Split(", "))
                if (id == findingId) return c.Id;
        return null;
    }
}
