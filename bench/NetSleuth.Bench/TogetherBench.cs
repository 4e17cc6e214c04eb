using System.Diagnostics;
using System.Globalization;
using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Bench;

/// <summary>
/// `counterfactual --together`: a synthetic cluster with K faults, the checks that explain all of them switched off at
/// once (<see cref="CounterfactualMeasure.ExplainingChecks"/>, as the one-fault rows do), then the diagnosis as the CLI
/// runs it — load, link, checks and sweep, fix verification, the counterfactual search with its default budget and cap —
/// measured: wall, CPU, peak RSS, the search's time and parts, its candidates, what it restored (paths and faults).
/// </summary>
internal static class TogetherBench
{
    public static IEnumerable<string> Run(Dictionary<string, string> o)
    {
        var style = SynthOptions.ParseStyle(o.GetValueOrDefault("style", "peer-pods")) ?? throw new InputException("--style", 0, "bridge|ovs|peer-pods");
        var options = new SynthOptions(Int(o, "nodes", 100), Int(o, "pods", 110), style, Int(o, "faults", 20), Int(o, "seed", 2));
        var size = $"{options.Nodes}x{options.PodsPerNode} {SynthOptions.StyleName(style)}, {options.Faults} faults, seed {options.Seed}";
        TimeSpan? budget = o.TryGetValue("budget", out var b) ? TimeSpan.FromSeconds(double.Parse(b, CultureInfo.InvariantCulture)) : null;
        int? cap = o.TryGetValue("cap", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : null;
        // the cluster on disk, as `netsleuth synth` writes it (reused when DIR has one already)
        var dir = o.GetValueOrDefault("dir") ?? Path.Combine(Path.GetTempPath(),
            $"netsleuth-together-{options.Nodes}x{options.PodsPerNode}-{SynthOptions.StyleName(style)}-f{options.Faults}-s{options.Seed}");
        if (!File.Exists(Path.Combine(dir, SynthWriter.FaultsFile)))
        {
            var w = Stopwatch.StartNew();
            var s = SynthWriter.Write(options, dir);
            yield return string.Create(CultureInfo.InvariantCulture, $"synth: {dir}: {s.Hosts} hosts, {s.Faults.Count} faults placed ({w.Elapsed.TotalSeconds:F1} s)");
        }
        else yield return $"synth: {dir} (reused)";
        var manifest = SynthWriter.ReadFaults(dir);
        var files = SynthWriter.SnapshotFiles(dir);

        // 1. which checks explain the faults' broken paths (every round of switching them off), and which fault breaks which path
        var probeClock = Stopwatch.StartNew();
        HashSet<string> skip;
        var pathsOf = manifest.Faults.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal));
        {
            var t = Linker.Link(NetSleuth.Import.InputLoader.Load(files));
            (skip, var rounds) = CounterfactualMeasure.ExplainingChecks(t, null);
            foreach (var r in rounds)
                foreach (var f in CounterfactualMeasure.Explaining(r))
                    foreach (var fault in manifest.Faults)
                        if (FaultScore.Diagnoses(f, fault))
                            foreach (var p in f.BrokenPaths) pathsOf[fault].Add(Unreply(p));
            yield return string.Create(CultureInfo.InvariantCulture,
                $"checks off ({rounds.Count} rounds of diagnosis, {probeClock.Elapsed.TotalSeconds:F1} s): {string.Join(", ", skip.Order(StringComparer.Ordinal))}");
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        // 2. the diagnosis as the CLI runs it, with those checks off
        Measure.ResetPeak();
        var cpu0 = Environment.CpuUsage.TotalTime;
        long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var snap = NetSleuth.Import.InputLoader.Load(files);
        var loaded = clock.Elapsed;
        var topology = Linker.Link(snap);
        var linked = clock.Elapsed;
        var report = Diagnoser.Run(topology, null, new DiagnoseOptions { SkipChecks = skip, SearchBudget = budget, SearchCap = cap });
        var wall = clock.Elapsed;
        var cpu = Environment.CpuUsage.TotalTime - cpu0;
        long alloc = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
        long peak = Measure.PeakRss();

        var unexplained = report.Findings.Where(f => f.Id == FixVerifier.UnexplainedId).ToList();
        var brokenUnexplained = new HashSet<string>(unexplained.SelectMany(f => f.BrokenPaths).Select(Unreply), StringComparer.Ordinal);
        var restored = new HashSet<string>(StringComparer.Ordinal);
        int generated = 0, tried = 0, searched = 0, withFix = 0;
        var gaveUp = new List<string>();
        foreach (var f in unexplained)
        {
            if (f.Counterfactual is not { } cf) continue;
            searched++;
            generated += cf.Generated;
            tried += cf.Tried;
            if (cf.GaveUp is { } g) gaveUp.Add(g);
            if (cf.Best.FirstOrDefault() is not { } best) continue;
            withFix++;
            var still = best.Result.StillBroken.Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
            foreach (var p in f.BrokenPaths.Select(Unreply)) if (!still.Contains(p)) restored.Add(p);
        }
        var faultsUnexplained = manifest.Faults.Where(x => pathsOf[x].Overlaps(brokenUnexplained)).ToList();
        var faultsRestored = faultsUnexplained.Where(x => pathsOf[x].Where(brokenUnexplained.Contains).All(restored.Contains)).ToList();
        var attributed = pathsOf.Values.SelectMany(x => x).ToHashSet(StringComparer.Ordinal);
        TimeSpan T(string stage) => report.Timings.Where(x => x.Stage == stage).Select(x => x.Elapsed).FirstOrDefault();

        yield return string.Create(CultureInfo.InvariantCulture,
            $"diagnose {size}: {wall.TotalSeconds:F2} s wall, {cpu.TotalSeconds:F2} s cpu, peak RSS {peak / 1073741824.0:F2} GiB, {alloc / 1048576.0:F0} MiB allocated " +
            $"(load {loaded.TotalSeconds:F2} s, link {(linked - loaded).TotalSeconds:F2} s, diagnose {(wall - linked).TotalSeconds:F2} s)");
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  fix verification {T("fix verification").TotalSeconds:F2} s wall, {T("fix verification cpu").TotalSeconds:F2} s cpu; " +
            $"{report.PathsChecked} paths traced, {report.PathsBroken} broken");
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  counterfactual search {T("counterfactual search").TotalSeconds:F2} s wall, {T("counterfactual search cpu").TotalSeconds:F2} s cpu " +
            $"(summed over threads: generate {T("counterfactual search: generate").TotalSeconds:F2} s, copy {T("counterfactual search: copy (all threads)").TotalSeconds:F2} s, " +
            $"re-link {T("counterfactual search: re-link (all threads)").TotalSeconds:F2} s, re-trace {T("counterfactual search: re-trace (all threads)").TotalSeconds:F2} s)");
        yield return $"  unexplained findings: {unexplained.Count} ({searched} searched, {withFix} with a fix kept); candidates tried/generated {tried}/{generated}";
        yield return $"  unexplained broken paths restored: {restored.Count} of {brokenUnexplained.Count} ({brokenUnexplained.Count(p => !attributed.Contains(p))} of them tied to no placed fault)";
        yield return $"  faults restored: {faultsRestored.Count} of {faultsUnexplained.Count} faults with unexplained broken paths ({manifest.Faults.Count} placed)";
        yield return gaveUp.Count == 0 ? "  gave up: no" : $"  gave up: {gaveUp.Count} of {searched} searches; first: {gaveUp[0]}";
        foreach (var fault in manifest.Faults)
        {
            var mine = pathsOf[fault].Where(brokenUnexplained.Contains).ToList();
            if (mine.Count == 0) continue;
            yield return $"    #{fault.Id} {fault.Name} on {fault.Host} [{fault.Namespace}] {fault.Device ?? fault.Entry}: {mine.Count(restored.Contains)} of {mine.Count} paths restored";
        }
        if (o.ContainsKey("verbose"))
            foreach (var f in unexplained)
                yield return $"    {f.Title}: " + (f.Counterfactual is { } cf
                    ? $"{cf.Tried}/{cf.Generated}{(cf.GaveUp is null ? "" : " (gave up)")}: " + (cf.Best.FirstOrDefault()?.Summary() ?? "none")
                    : "not searched");
        // --candidates: what the search generated for the first unexplained finding, by site and kind of command
        if (o.ContainsKey("candidates") && unexplained.FirstOrDefault() is { } first)
        {
            var byLabel = report.Paths.GroupBy(p => p.Label).ToDictionary(g => g.Key, g => g.First());
            var broken = first.BrokenPaths.Select(Unreply).Distinct().Select(l => byLabel.GetValueOrDefault(l)).OfType<TracedPath>().ToList();
            var all = CounterfactualSearch.Generate(topology, broken);
            yield return $"  candidates of {first.Title}: {all.Count}";
            if (o.ContainsKey("all"))
                for (int i = 0; i < all.Count; i++)
                {
                    var line = $"    {i + 1,4} {all[i][0].Host} [{all[i][0].Namespace}] {string.Join(" && ", all[i][0].Commands)}";
                    yield return line[..Math.Min(200, line.Length)];
                }
            else
            foreach (var g in all.GroupBy(c => $"{c[0].Host} [{c[0].Namespace}] {Kind(c[0].Commands[0])}").OrderByDescending(g => g.Count()))
                yield return $"    {g.Count(),5} {g.Key}  e.g. {g.First()[0].Commands[0]}";
        }
        // --positions: each unexplained finding searched alone, without cap or budget: where its first restoring candidate comes
        if (o.ContainsKey("positions"))
            foreach (var f in unexplained)
            {
                int n = 0, firstAt = 0;
                var r = CounterfactualSearch.Search(topology, f, report.Paths, TimeSpan.FromHours(1), int.MaxValue, log: l =>
                {
                    if (l.StartsWith("pair: ", StringComparison.Ordinal)) return;
                    n++;
                    int at = l.IndexOf("-> restores ", StringComparison.Ordinal);
                    if (firstAt == 0 && at >= 0 && !l.Contains("-> restores 0 ", StringComparison.Ordinal) && l.Contains(", breaks 0", StringComparison.Ordinal)) firstAt = n;
                });
                yield return $"    {f.Title[..Math.Min(60, f.Title.Length)]}: first restoring candidate {(firstAt == 0 ? "none" : firstAt.ToString(CultureInfo.InvariantCulture))} of {r.Generated}" +
                    (r.Best.FirstOrDefault() is { } best ? $"; best: {best.Summary()[..Math.Min(160, best.Summary().Length)]}" : "");
            }
        GC.KeepAlive(topology);
    }

    /// <summary>A command's kind: its words up to the first that names an object ("ip neigh replace", "sysctl -w net.ipv4.conf").</summary>
    private static string Kind(string command)
    {
        var w = command.Split(' ');
        int i = w[0] == "ip" && w.Length > 2 && w[1] == "-n" ? 3 : w[0] == "ip" && w[1] == "netns" ? 4 : 0;
        var kind = string.Join(' ', w.Skip(i).Take(3));
        int eq = kind.IndexOf("net.ipv4.conf.", StringComparison.Ordinal);
        return eq >= 0 ? kind[..(eq + 14)] + "…" : kind;
    }

    private static string Unreply(string label) => label.EndsWith(" (reply)", StringComparison.Ordinal) ? label[..^8] : label;

    private static int Int(Dictionary<string, string> o, string name, int dflt) =>
        o.TryGetValue(name, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : dflt;
}
