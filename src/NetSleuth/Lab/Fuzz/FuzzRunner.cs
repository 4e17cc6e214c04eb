using System.Diagnostics;
using System.Net;
using NetSleuth.Collect;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Probe;
using NetSleuth.Util;

namespace NetSleuth.Lab.Fuzz;

/// <summary>One probe, the kernel's answer and the model's, compared.</summary>
public sealed record FuzzResult(int Seed, FuzzProbe Probe, Agreement Verdict, ProbeOutcome Kernel, KernelPath? KernelPath,
    bool ModelDelivered, Disposition ModelDisposition, string? ModelAt, string ModelReason, string Note)
{
    /// <summary>A short key: the same disagreement seen twice has the same signature (the shrinker keeps it).</summary>
    public string Signature => $"{Verdict}|{Kernel.Answered}|{ModelDisposition}|{KernelPath?.Drop?.Reason}";

    public string Line =>
        $"seed {Seed} probe {Probe}: {Verdict}: kernel {(Kernel.Answered ? "answered" : "no answer")}" +
        (KernelPath?.Drop is { } d ? $" ({d})" : "") + $"; model {(ModelDelivered ? "delivered" : ModelDisposition.ToString())}" +
        (ModelAt is null || ModelDelivered ? "" : $" at {ModelAt}") + (Note.Length > 0 ? $" — {Note}" : "");
}

/// <summary>Options of a fuzz run.</summary>
public sealed class FuzzOptions
{
    public required int FirstSeed { get; init; }
    public required int LastSeed { get; init; }
    public string Prefix { get; init; } = "fz";
    /// <summary>Where disagreements (shrunk scripts, traces) and the summary go; null = nowhere.</summary>
    public string? OutDir { get; init; }
    /// <summary>Shrink each disagreement (rebuild without commands while it still disagrees).</summary>
    public bool Shrink { get; init; } = true;
    /// <summary>Record the kernel's path with tracefs (compare where, not only whether).</summary>
    public bool TraceKernel { get; init; } = true;
    /// <summary>Write each seed's collected lab (OutDir/seed-N/HOST.json, before its first probe; the lab is collected again
    /// before each later probe): the input of a regression test.</summary>
    public bool SaveSnapshots { get; init; }
    /// <summary>Only this probe index of each seed (a reproduction).</summary>
    public int? OnlyProbe { get; init; }
    public Action<string>? Log { get; init; }
    public CancellationToken Cancel { get; init; }
}

/// <summary>The figures of a run.</summary>
public sealed record FuzzSummary(int Seeds, int Probes, int Agree, int Undecided, int VerdictDiffers, int WhereDiffers,
    int WhereCompared, int BuildFailures, TimeSpan Elapsed, IReadOnlyList<FuzzResult> Disagreements, IReadOnlyList<FuzzResult> Undecideds)
{
    /// <summary>Decided probes whose delivered / not delivered is the kernel's, in percent of the decided ones.</summary>
    public double VerdictAgreementPercent => Probes - Undecided == 0 ? 100 : 100.0 * (Probes - Undecided - VerdictDiffers) / (Probes - Undecided);
    public double UndecidedPercent => Probes == 0 ? 0 : 100.0 * Undecided / Probes;
    /// <summary>Of the drops the kernel tied to the probe (both not delivered, decided), those whose reason and place the model gives.</summary>
    public double WhereAgreementPercent => WhereCompared == 0 ? 100 : 100.0 * (WhereCompared - WhereDiffers) / WhereCompared;

    public override string ToString() =>
        $"seeds {Seeds}, probes {Probes}: delivered/not delivered agrees on {VerdictAgreementPercent:F1}% of the decided probes " +
        $"({VerdictDiffers} differ); drop reason and place agree on {WhereAgreementPercent:F1}% of the {WhereCompared} drops the kernel tied to the probe " +
        $"({WhereDiffers} differ); undecided {Undecided} ({UndecidedPercent:F1}%); build failures {BuildFailures}; {Elapsed.TotalSeconds:F0} s";
}

/// <summary>
/// The differential runner: for each seed, builds the generated lab in namespaces (all named PREFIX-…, never
/// the root namespace), collects it live (again before each probe), sends each probe for real while tracefs records
/// the kernel's path and drop reason, traces the probe in the model, and compares. Each disagreement is
/// written with its one-line reproduction and shrunk: commands are dropped while it still disagrees the same
/// way. Every namespace made is recorded in a journal before it is made and removed after each seed, on
/// failure and on Ctrl-C too; leftovers of a killed run are removed by the next run of that prefix.
/// </summary>
public sealed class FuzzRunner(FuzzOptions options)
{
    private readonly List<string> _made = [];

    private static string Journal(string prefix) => Path.Combine(LabPaths.BaseDir, "fuzz", prefix + ".namespaces");

    public FuzzSummary Run()
    {
        LabPaths.Validate(options.Prefix);
        if (File.Exists(LabPaths.StateFile(options.Prefix)))
            throw new LabException($"prefix {options.Prefix} is used by a lab (netsleuth lab status); choose another --prefix");
        RemoveLeftovers(options.Prefix);
        if (options.OutDir is { } dir) Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        var all = new List<FuzzResult>();
        int buildFailures = 0, ran = 0;
        for (int seed = options.FirstSeed; seed <= options.LastSeed; seed++)
        {
            if (options.Cancel.IsCancellationRequested) break;
            var c = FuzzGenerator.Generate(seed, options.Prefix);
            ran++;
            List<FuzzResult> results;
            try
            {
                results = RunCase(c, options.OnlyProbe);
            }
            catch (LabException e)
            {
                buildFailures++;
                options.Log?.Invoke($"seed {seed}: {e.Message}");
                continue;
            }
            finally { TearDown(); }
            foreach (var r in results)
            {
                options.Log?.Invoke(r.Line);
                var kept = r;
                if (r.Verdict is Agreement.VerdictDiffers or Agreement.WhereDiffers)
                    Save(c, r, options.Shrink ? ShrinkCase(c, r) : c);
                else if (r.Verdict == Agreement.Undecided) Save(c, r, null);
                all.Add(kept);
            }
        }
        var summary = new FuzzSummary(ran, all.Count,
            all.Count(r => r.Verdict == Agreement.Agree), all.Count(r => r.Verdict == Agreement.Undecided),
            all.Count(r => r.Verdict == Agreement.VerdictDiffers), all.Count(r => r.Verdict == Agreement.WhereDiffers),
            all.Count(r => r.KernelPath?.Drop is { Device: not null } && !r.ModelDelivered && !r.Kernel.Answered && r.Verdict != Agreement.Undecided), buildFailures, sw.Elapsed,
            all.Where(r => r.Verdict is Agreement.VerdictDiffers or Agreement.WhereDiffers).ToList(),
            all.Where(r => r.Verdict == Agreement.Undecided).ToList());
        if (options.OutDir is { } d)
        {
            var lines = new List<string> { summary.ToString(), "" };
            lines.AddRange(all.Select(r => r.Line));
            File.WriteAllLines(Path.Combine(d, "summary.txt"), lines);
        }
        return summary;
    }

    /// <summary>Builds CASE, collects it, and probes (all, or only ONLY).</summary>
    public List<FuzzResult> RunCase(FuzzCase c, int? only)
    {
        Build(c);
        Thread.Sleep(150); // carrier and operstate settle (linkwatch)
        var snapshot = Collect(c);
        if (options.SaveSnapshots && !_shrinking && options.OutDir is { } dir)
        {
            var sdir = Path.Combine(dir, $"seed-{c.Seed}");
            Directory.CreateDirectory(sdir);
            foreach (var h in snapshot.Hosts)
                File.WriteAllText(Path.Combine(sdir, h.Name + ".json"), SnapshotJson.Serialize(new Snapshot { Hosts = [h] }, indented: true));
        }
        FastArp(snapshot);
        var topology = Topology.Linker.Link(snapshot);
        var devices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in snapshot.Hosts)
            foreach (var ns in h.Namespaces)
                foreach (var l in ns.Links)
                    if (!l.IsLoopback) devices.Add(l.Name);
        if (c.ExtraNamespaces.Count > 0) devices.UnionWith(SwitchPorts(c));
        var results = new List<FuzzResult>();
        foreach (var p in c.Probes)
        {
            if (only is { } o && p.Index != o) continue;
            options.Cancel.ThrowIfCancellationRequested();
            // what earlier probes taught the kernel (neighbour entries, learnt FDB entries, conntrack) is what this
            // probe meets: the model is given the state collected right before it, as a user's collect would be
            if (results.Count > 0) topology = Topology.Linker.Link(Collect(c));
            results.Add(Probe(c, topology, p, devices));
        }
        return results;
    }

    private static IEnumerable<string> SwitchPorts(FuzzCase c) => c.Hosts.Select(h => h.Name).Append("sw0");

    private FuzzResult Probe(FuzzCase c, Topology.Topology topology, FuzzProbe p, HashSet<string> devices)
    {
        var spec = new ProbeSpec(p.Netns, IPAddress.Parse(p.Target), p.Protocol, p.Port, p.Size, p.DontFragment);
        KernelPath? path = null;
        ProbeOutcome kernel;
        if (options.TraceKernel)
        {
            using var trace = KernelTrace.Start($"netsleuth-fuzz-{c.Prefix}");
            kernel = ProbeSender.Send(spec, p.ListenNetns, count: 2);
            Thread.Sleep(350); // a neighbour that never answers fails after 2 × 100 ms
            var events = trace.Stop();
            path = KernelPath.From(events, devices, KernelPath.LengthsFor(p.Protocol, p.Size));
        }
        else kernel = ProbeSender.Send(spec, p.ListenNetns, count: 2);

        var host = c.Hosts.First(h => h.Name == p.Host);
        var request = new TraceRequest(p.Host, p.Netns == host.Root ? null : p.Netns, null, IPAddress.Parse(p.Target))
        {
            Protocol = p.Protocol, DestinationPort = p.Port, Size = p.Size, DontFragment = p.DontFragment,
        };
        TraceResult result;
        try { result = Tracer.Trace(topology, request); }
        catch (ArgumentException e)
        {
            return new FuzzResult(c.Seed, p, Agreement.Undecided, kernel, path, false, Disposition.InsufficientInfo, null, e.Message, "the start is not in the snapshot");
        }
        var cmp = ProbeComparison.Of(result, kernel, path, new HashSet<string>(c.Namespaces, StringComparer.Ordinal));
        var failed = cmp.Failed;
        var disposition = cmp.ModelDisposition;
        var at = failed?.At;
        var reason = failed?.Reason ?? "delivered both ways";
        var model = result.Delivered;
        var verdict = cmp.Agreement;
        var note = cmp.Note;
        return new FuzzResult(c.Seed, p, verdict, kernel, path, model, disposition, at, reason, note);
    }

    // ---- building and cleaning up ----------------------------------------------------------------------

    private void Build(FuzzCase c)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Journal(c.Prefix))!);
        foreach (var cmd in c.Commands)
        {
            options.Cancel.ThrowIfCancellationRequested();
            if (cmd.Argv is ["ip", "netns", "add", var name])
            {
                if (LabNetns.InodeOf(name) is not null)
                    throw new LabException($"namespace {name} exists already (another run with prefix {c.Prefix}?)");
                File.AppendAllText(Journal(c.Prefix), name + "\n");
                _made.Add(name);
            }
            var r = Proc.Run(cmd.Argv[0], cmd.Argv.Skip(1), timeout: TimeSpan.FromSeconds(20));
            if (!r.Ok && cmd.Essential)
                throw new LabException($"command failed (exit {r.ExitCode}): {cmd}: {r.Stderr.Trim()}");
            // a fault that does not apply any more (a device moved away) is left out: the state is what the kernel has
        }
    }

    /// <summary>A neighbour that never answers fails after 2 × 100 ms instead of 3 s, and proxy ARP answers at once
    /// instead of after up to 0.8 s (proxy_delay, which would outlast that) — per device: a namespace other than the
    /// first has no net.ipv4.neigh.default. The model has no timers: this changes nothing it reads.</summary>
    private static void FastArp(Snapshot s)
    {
        foreach (var h in s.Hosts)
            foreach (var ns in h.Namespaces)
            {
                var argv = new List<string> { "ip", "netns", "exec", ns.Name ?? "", "sysctl", "-q", "-w" };
                foreach (var l in ns.Links)
                    if (!l.IsLoopback)
                        argv.AddRange([$"net.ipv4.neigh.{l.Name}.retrans_time_ms=100", $"net.ipv4.neigh.{l.Name}.mcast_solicit=2",
                            $"net.ipv4.neigh.{l.Name}.ucast_solicit=2", $"net.ipv4.neigh.{l.Name}.proxy_delay=0"]);
                if (argv.Count > 7 && ns.Name is not null) Proc.Run(argv[0], argv.Skip(1));
            }
    }

    private Snapshot Collect(FuzzCase c) => new()
    {
        Hosts = c.Hosts.Select(h => LiveCollector.CollectHost(new CollectOptions
        {
            HostName = h.Name, RootNamespace = h.Root, Namespaces = h.Others.ToList(), Origin = "lab",
        })).ToList(),
    };

    /// <summary>Removes the namespaces this run made (and its journal).</summary>
    public void TearDown()
    {
        foreach (var n in _made) Proc.Run("ip", "netns", "del", n);
        _made.Clear();
        try { File.Delete(Journal(options.Prefix)); } catch (IOException) { }
    }

    /// <summary>The namespaces a killed run of PREFIX left (its journal lists them).</summary>
    public static void RemoveLeftovers(string prefix)
    {
        var j = Journal(prefix);
        if (!File.Exists(j)) return;
        foreach (var n in File.ReadAllLines(j))
            if (LabPaths.BelongsTo(n, prefix) && LabNetns.InodeOf(n) is not null) Proc.Run("ip", "netns", "del", n);
        File.Delete(j);
    }

    // ---- shrinking and saving -----------------------------------------------------------------------------

    /// <summary>Drops commands while the probe still disagrees the same way: first whole parts (a pod, a tunnel, a
    /// fault: every command of one tag but the namespaces), then single commands, last first; at most 60 rebuilds
    /// or 150 s.</summary>
    private FuzzCase ShrinkCase(FuzzCase c, FuzzResult first)
    {
        var keep = c.Commands.ToList();
        int budget = 60;
        var deadline = DateTime.UtcNow.AddSeconds(150);
        bool Go() => budget > 0 && DateTime.UtcNow < deadline && !options.Cancel.IsCancellationRequested;
        var tags = keep.Select(k => k.Tag).Distinct().Reverse().ToList();
        foreach (var tag in tags)
        {
            if (!Go()) break;
            var trial = keep.Where(k => k.Essential || k.Tag != tag).ToList();
            if (trial.Count == keep.Count) continue;
            budget--;
            if (Reproduces(c.With(trial), first)) keep = trial;
        }
        for (int i = keep.Count - 1; i >= 0 && Go(); i--)
        {
            if (keep[i].Essential) continue;
            var trial = keep.Take(i).Concat(keep.Skip(i + 1)).ToList();
            budget--;
            if (Reproduces(c.With(trial), first)) keep = trial;
        }
        options.Log?.Invoke($"  shrunk seed {c.Seed} probe {first.Probe.Index}: {c.Commands.Count} → {keep.Count} commands");
        return c.With(keep);
    }

    private bool Reproduces(FuzzCase c, FuzzResult first)
    {
        _shrinking = true; // the seed's own snapshots (--snapshots) are not overwritten by the trials
        try
        {
            var r = RunCase(c, first.Probe.Index);
            return r.Count == 1 && r[0].Signature == first.Signature;
        }
        catch (LabException) { return false; }
        finally { TearDown(); _shrinking = false; }
    }

    private bool _shrinking;

    private void Save(FuzzCase original, FuzzResult r, FuzzCase? shrunk)
    {
        if (options.OutDir is not { } dir) return;
        var name = $"seed-{r.Seed}-probe-{r.Probe.Index}";
        var spec = new ProbeSpec(r.Probe.Netns, IPAddress.Parse(r.Probe.Target), r.Probe.Protocol, r.Probe.Port, r.Probe.Size, r.Probe.DontFragment);
        var text = new List<string>
        {
            r.Line,
            $"reproduce: sudo netsleuth lab fuzz --seeds {r.Seed}..{r.Seed} --prefix {original.Prefix} --probe {r.Probe.Index}" +
                (shrunk is null ? "" : $"   (shrunk: sh {name}.sh)"),
            $"faults: {(original.Faults.Count == 0 ? "none" : string.Join(", ", original.Faults))}; features: {string.Join(", ", original.Features)}",
            $"kernel: {r.Kernel.Detail}; path {r.KernelPath?.DevicesText ?? "(not traced)"}; drops: {string.Join(", ", r.KernelPath?.AllDrops.Select(d => d.ToString()) ?? [])}",
            $"model: {r.ModelReason}",
        };
        File.WriteAllLines(Path.Combine(dir, name + ".txt"), text);
        if (shrunk is null) return;
        File.WriteAllText(Path.Combine(dir, name + ".sh"), shrunk.Script(r.Probe, spec.Command));
        // the shrunk lab as collect sees it: what a regression test of the tracer is built from
        try
        {
            Build(shrunk);
            Thread.Sleep(150);
            var snap = Collect(shrunk);
            var sdir = Path.Combine(dir, name);
            Directory.CreateDirectory(sdir);
            foreach (var h in snap.Hosts)
                File.WriteAllText(Path.Combine(sdir, h.Name + ".json"), SnapshotJson.Serialize(new Snapshot { Hosts = [h] }, indented: true));
        }
        catch (LabException e) { options.Log?.Invoke($"  the shrunk case of seed {r.Seed} could not be built again: {e.Message}"); }
        finally { TearDown(); }
    }
}
