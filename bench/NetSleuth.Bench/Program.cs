// Benchmarks: `dotnet run -c Release --project bench/NetSleuth.Bench -- NAME [options]`; see docs/benchmarks.md.
using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Bench;

public static class Program
{
    private const string Usage = """
        usage: NetSleuth.Bench BENCHMARK [options]   (see docs/benchmarks.md)
          synth  --nodes N --pods M [--style S] [--faults K] [--seed S] --dir DIR   time the generator (DIR must not exist)
          load   --dir DIR [--sequential] [--repeat R] [--until-link]            load + link + diagnose + one trace of DIR (R-1 warm-up loads first; --until-link: stop after link)
          heap   --dir DIR [--wait SEC]                                          load DIR, then the model's live heap after a full GC (--wait: keep it alive SEC seconds, for dotnet-gcdump)
          parse  --file F [--rounds R]                                          single-thread parse speed of one snapshot file (fast reader vs System.Text.Json)
          parse  --dir DIR                                                      the floor: read + tokenise every snapshot file of DIR once, on every core
          trace  --dir DIR --from HOST[:NETNS] --to IP [--rounds N]               time one trace (+ its reply) after load and link
          relink --dir DIR --fixes OUT.json [--rounds N]                         re-link the model after each fix `diagnose --format json` printed (OUT.json): cpu and allocation per fix, one thread
          sweep  --dir DIR [--rounds N] [--limit K] [--out FILE]                  the diagnosis sweep's walks (verdicts only) on one thread: cpu and allocation per path
          import-gen --links N --kind transcript|sos [--flat] --out PATH           write a large transcript (file) or sosreport (directory)
          import --input PATH [--repeat R] [--json FILE] [--stages]               time `netsleuth import PATH`: read into a snapshot, then write its JSON (--stages: a transcript's parts)
          counterfactual [--lab [DIR]] [--only SCENARIO[/FAULT]] [--verbose] [--style S] [--nodes N] [--pods M] [--budget SEC] [--cap N]  each fault kind alone, its checks off: does the counterfactual search restore the paths? (docs/whatif.md)
          counterfactual --together [--faults K] [--seed S] [--style S] [--nodes N] [--pods M] [--dir DIR] [--budget SEC] [--cap N] [--verbose]
                 K faults at once (default 20, seed 2, peer-pods 100 x 110), the checks explaining them all off, diagnosed as the CLI does (verification, search):
                 wall, cpu, peak RSS, the search's time and candidates, paths and faults it restored (the cluster is written to DIR, default under /tmp, and reused)
          fuzz   [--inputs N] [--seed S] [--seeds DIR]...                           damaged real inputs through the importers: crashes, hangs, memory
        Prints one row per stage: wall time, MiB allocated, peak RSS (VmHWM) during the stage.
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0) { Console.Error.Write(Usage); return 2; }
        var opts = ParseOptions(args.Skip(1).ToList());
        try
        {
            var rows = args[0] switch
            {
                "synth" => SynthBench(opts),
                "load" => LoadBench(opts),
                "heap" => HeapBench(opts),
                "import-gen" => ImportBench.Generate(opts),
                "import" => ImportBench.Run(opts),
                _ => null,
            };
            if (args[0] == "trace")
            {
                foreach (var l in TraceBench.Run(opts)) Console.WriteLine(l);
                return 0;
            }
            if (args[0] == "relink")
            {
                foreach (var l in RelinkBench.Run(opts)) Console.WriteLine(l);
                return 0;
            }
            if (args[0] == "sweep")
            {
                foreach (var l in SweepBench.Run(opts)) Console.WriteLine(l);
                return 0;
            }
            if (args[0] == "fuzz") return Fuzz(args.Skip(1).ToList());
            if (args[0] == "counterfactual") return Counterfactual(opts);
            if (args[0] == "parse")
            {
                var lines = opts.TryGetValue("dir", out var pdir) ? ParseProbe.RunDir(pdir) : ParseProbe.Run(opts["file"], Int(opts, "rounds", 20));
                foreach (var l in lines) Console.WriteLine(l);
                return 0;
            }
            if (rows is null) { Console.Error.Write(Usage); return 2; }
            foreach (var r in rows) Console.WriteLine(r.Row());
            return 0;
        }
        catch (InputException e)
        {
            Console.Error.WriteLine("bench: " + e.Message);
            return 2;
        }
    }

    private static int Counterfactual(Dictionary<string, string> o)
    {
        if (o.ContainsKey("together"))
        {
            foreach (var l in TogetherBench.Run(o)) Console.WriteLine(l);
            return 0;
        }
        var styles = o.TryGetValue("style", out var st)
            ? [SynthOptions.ParseStyle(st) ?? throw new InputException("--style", 0, "bridge|ovs|peer-pods")]
            : new[] { SynthStyle.Bridge, SynthStyle.Ovs, SynthStyle.PeerPods };
        var budget = TimeSpan.FromSeconds(double.Parse(o.GetValueOrDefault("budget", "10"), CultureInfo.InvariantCulture));
        bool lab = o.ContainsKey("lab");
        Console.WriteLine($"| {(lab ? "scenario" : "style")} | fault | checks off | unexplained paths | best candidate | tried/generated | time |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        int found = 0, total = 0, nothing = 0;
        var only = o.GetValueOrDefault("only");
        // --verbose: every candidate tried and what it did, on stderr (the table stays on stdout)
        Action<string>? log = o.ContainsKey("verbose") ? l => Console.Error.WriteLine("  " + l) : null;
        var rows = lab
            ? CounterfactualMeasure.RunLab(o["lab"] is { Length: > 0 } d && d != "true" ? d : "tests/NetSleuth.Tests/Fixtures/lab", budget, Int(o, "cap", 60), only, log)
            : styles.SelectMany(style => CounterfactualMeasure.Run(style, Int(o, "nodes", 3), Int(o, "pods", 3), budget, Int(o, "cap", 60), only, log));
        foreach (var row in rows)
        {
            Console.WriteLine(row.Row());
            if (row.BrokenPaths == 0) { nothing++; continue; }
            total++;
            if (row.Found) found++;
        }
        Console.WriteLine($"restored every unexplained path: {found} of {total} faults with unexplained broken paths ({(total == 0 ? 0 : 100.0 * found / total):0}%); {nothing} rows without one");
        return 0;
    }

    private static List<StageResult> SynthBench(Dictionary<string, string> o)
    {
        var options = new SynthOptions(Int(o, "nodes", 100), Int(o, "pods", 110),
            SynthOptions.ParseStyle(o.GetValueOrDefault("style", "peer-pods")) ?? throw new InputException("--style", 0, "bridge|ovs|peer-pods"),
            Int(o, "faults", 0), Int(o, "seed", 1));
        string dir = o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required");
        var size = $"{options.Nodes}x{options.PodsPerNode} {SynthOptions.StyleName(options.Style)}";
        return [Measure.Run("synth", size, () =>
        {
            var s = SynthWriter.Write(options, dir);
            return string.Create(CultureInfo.InvariantCulture, $"{s.Files} files, {s.Hosts} hosts, {s.Namespaces} netns, {s.Bytes / 1048576.0:F0} MiB");
        })];
    }

    /// <summary>`fuzz`: the importers on damaged real inputs (default: the test fixtures and the examples).</summary>
    private static int Fuzz(List<string> args)
    {
        int inputs = 2000, seed = 1;
        var roots = new List<string>();
        for (int i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--inputs": inputs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seeds": roots.Add(args[i + 1]); break;
                default: throw new InputException(args[i], 0, "unknown fuzz option");
            }
        }
        if (roots.Count == 0) roots.AddRange(["tests/NetSleuth.Tests/Fixtures", "examples"]);
        var seeds = ImportFuzzer.Seeds([.. roots]);
        if (seeds.Count == 0) throw new InputException(string.Join(", ", roots), 0, "no seed inputs found");
        var work = Path.Combine(Path.GetTempPath(), $"netsleuth-fuzz-{Environment.ProcessId}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var report = new ImportFuzzer(seeds, seed).Run(inputs, work, p => Console.Error.Write($"\r{p}   "));
        Console.Error.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: {seeds.Count} seed files, seed {seed}, {sw.Elapsed.TotalSeconds:F0} s"));
        Console.WriteLine(report.Summary());
        foreach (var c in report.Crashes.Take(20)) Console.WriteLine("crash: " + c);
        foreach (var h in report.Hangs.Take(20)) Console.WriteLine("hang: " + h);
        return report.Crashes.Count + report.Hangs.Count == 0 ? 0 : 1;
    }

    private static List<StageResult> LoadBench(Dictionary<string, string> o) =>
        PipelineBench.Run(o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required"),
            o.ContainsKey("sequential"), Int(o, "repeat", 1), o.ContainsKey("until-link"));

    /// <summary>The loaded model's size: what every later GC marks. Load as the CLI does, then a full blocking GC.</summary>
    private static List<StageResult> HeapBench(Dictionary<string, string> o)
    {
        var dir = o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required");
        var files = SynthWriter.SnapshotFiles(dir);
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        Snapshot snap = null!;
        var load = Measure.Run("load", Path.GetFileName(dir.TrimEnd('/')), () =>
        {
            snap = NetSleuth.Import.InputLoader.Load(files);
            return $"{snap.Hosts.Sum(h => h.Namespaces.Count)} netns";
        });
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long live = GC.GetTotalMemory(forceFullCollection: true) - before;
        var rows = new List<StageResult> { load, new("live model", load.Size, 0, 0, live, Measure.CurrentRss(), "bytes live after a full GC (the alloc column)") };
        if (o.TryGetValue("wait", out var w))
        {
            foreach (var r in rows) Console.WriteLine(r.Row());
            Console.Out.Flush();
            Thread.Sleep(TimeSpan.FromSeconds(double.Parse(w, CultureInfo.InvariantCulture)));
            rows.Clear();
        }
        GC.KeepAlive(snap);
        return rows;
    }

    private static int Int(Dictionary<string, string> o, string name, int dflt) =>
        o.TryGetValue(name, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : dflt;

    private static Dictionary<string, string> ParseOptions(List<string> args)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new InputException(args[i], 0, "unexpected argument");
            var name = args[i][2..];
            bool hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            d[name] = hasValue ? args[++i] : "true";
        }
        return d;
    }
}
