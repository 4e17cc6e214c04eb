using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Bench;

/// <summary>load → link → diagnose → one trace over a synth directory, each stage measured; then how the
/// findings compare with the placed faults (DIR/faults.json).</summary>
internal static class PipelineBench
{
    public static List<StageResult> Run(string dir, bool sequential, int repeat, bool untilLink = false)
    {
        var manifest = SynthWriter.ReadFaults(dir);
        var files = SynthWriter.SnapshotFiles(dir);
        var size = $"{manifest.Nodes}x{manifest.Pods} {manifest.Style}";
        var rows = new List<StageResult>();
        for (int i = 1; i < repeat; i++)
            rows.Add(Measure.Run("load (warmup)", size, () => { GC.KeepAlive(InputLoader.Load(files)); return ""; }));
        GC.Collect();
        Snapshot snap = null!;
        rows.Add(Measure.Run(sequential ? "load (seq)" : "load", size, () =>
        {
            snap = sequential ? InputLoader.Load(files.Select(f => f)) : InputLoader.Load(files);
            int ns = snap.Hosts.Sum(h => h.Namespaces.Count);
            return $"{files.Count} files, {snap.Hosts.Count} hosts, {ns} netns, {files.Sum(f => new FileInfo(f).Length) / 1048576} MiB";
        }));
        Topology.Topology topo = null!;
        rows.Add(Measure.Run("link", size, () => { topo = Linker.Link(snap); return ""; }));
        rows.Add(Relink(topo, size, snap));
        if (untilLink)
        {
            rows.Add(new StageResult("total", size, rows.Where(r => r.Stage is "load" or "load (seq)" or "link").Sum(r => r.Seconds),
                rows.Where(r => r.Stage is "load" or "load (seq)" or "link").Sum(r => r.CpuSeconds), GC.GetTotalAllocatedBytes(), Measure.ProcessPeak, "load+link; peak = whole process"));
            return rows;
        }
        DiagnosisReport report = null!;
        rows.Add(Measure.Run("diagnose", size, () =>
        {
            report = Diagnoser.Run(topo);
            return $"{report.Findings.Count} findings, {report.PathsChecked} paths, {report.PathsBroken} broken";
        }));
        rows.Add(TraceOnce(topo, size, snap));
        rows.Add(Measure.Run("html", size, () =>
        {
            // diagnose --format html: the page (re-traces the paths it draws, lays out around them)
            var html = Render.HtmlReport.Diagnosis(report, topo);
            int drawn = html.Split("<g class=\"dev").Length - 1;
            return string.Create(CultureInfo.InvariantCulture, $"{html.Length / 1024} KiB page, {drawn} devices drawn");
        }));
        rows.Add(new StageResult("total", size, rows.Where(r => r.Stage is "load" or "load (seq)" or "link" or "diagnose").Sum(r => r.Seconds),
            rows.Where(r => r.Stage is "load" or "load (seq)" or "link" or "diagnose").Sum(r => r.CpuSeconds), GC.GetTotalAllocatedBytes(), Measure.ProcessPeak, "load+link+diagnose; peak = whole process"));
        Console.Error.WriteLine(FaultScore.Compare(manifest, report));
        Console.Error.WriteLine("diagnose stages: " + string.Join(", ", report.Timings.Where(t => t.Elapsed.TotalMilliseconds >= 10)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Stage} {t.Elapsed.TotalSeconds:F2} s"))));
        return rows;
    }

    /// <summary>What fix verification does before it traces: one node's device edited in a copy of the model (ModelCopy)
    /// and the copy linked again (Relinker), median of 5 after a warm-up; the detail says what a full link of the copy costs.</summary>
    private static StageResult Relink(Topology.Topology topo, string size, Snapshot snap)
    {
        var node = snap.Hosts.First(h => h.Name.StartsWith("node-", StringComparison.Ordinal));
        var dev = node.Root!.Links.First(l => !l.IsLoopback).Name;
        var script = WhatIf.CommandInterpreter.Read($"{node.Name}: ip link set dev {dev} mtu 1400\n", "bench", snap);
        Topology.Topology Once() => Relinker.Relink(topo, WhatIf.ModelCopy.Apply(snap, script).Result);
        GC.KeepAlive(Once());
        var runs = new List<StageResult>();
        for (int i = 0; i < 5; i++) runs.Add(Measure.Run("relink (one node edited)", size, () => { GC.KeepAlive(Once()); return ""; }));
        var median = runs.OrderBy(r => r.CpuSeconds).ElementAt(2);

        var copy = WhatIf.ModelCopy.Apply(snap, script).Result;
        var full = Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime;
        GC.KeepAlive(Linker.Link(copy));
        var fullCpu = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        return median with { Note = string.Create(CultureInfo.InvariantCulture,
            $"copy + relink, median of 5; a full link of the copy: {full.Elapsed.TotalSeconds:F2} s wall, {fullCpu:F2} s cpu") };
    }

    /// <summary>One ICMP trace from a worker's root namespace to a peer pod (or any pod) on another node: median of 21, after a warm-up.</summary>
    private static StageResult TraceOnce(Topology.Topology topo, string size, Snapshot snap)
    {
        // the mission's path: a worker's root namespace to its own peer pod (mp0 → br-int → veth → tc → vxlan → pod VM),
        // or to one of its pods when there are no peer pods
        var vm = snap.Hosts.LastOrDefault(h => h.Name.StartsWith("podvm-", StringComparison.Ordinal));
        var from = vm is not null ? "node-" + vm.Name[6..10] : snap.Hosts.Last(h => h.Name.StartsWith("node-", StringComparison.Ordinal)).Name;
        var target = vm?.FindNamespace("podns")?.Links.Where(l => !l.IsLoopback).SelectMany(l => l.Addresses).First().Address
            ?? snap.Hosts.First(h => h.Name == from).Namespaces.Last().Links.Last().Addresses[0].Address;
        var req = new TraceRequest(from, null, null, target);
        TraceResult res = Tracer.Trace(topo, req);
        var times = new List<double>();
        for (int i = 0; i < 21; i++)
        {
            var sw = Stopwatch.StartNew();
            res = Tracer.Trace(topo, req);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double med = times[times.Count / 2];
        return new StageResult("trace", size, med / 1000, 0, 0, 0,
            string.Create(CultureInfo.InvariantCulture, $"{from} → {target}: {res.Forward.Disposition}/{res.Reply?.Disposition.ToString() ?? "-"} in {res.Forward.Hops.Count} hops, median of 21 = {med:F2} ms"));
    }
}
