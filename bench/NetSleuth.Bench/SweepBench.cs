using Stopwatch = System.Diagnostics.Stopwatch;
using System.Globalization;
using System.Text;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Synth;

namespace NetSleuth.Bench;

/// <summary>
/// `sweep --dir DIR [--rounds N] [--limit K] [--out FILE]`: loads and links DIR once, lists the diagnosis sweep's
/// paths, then walks them all N times on one thread with <see cref="Tracer.Verdict"/> (the sweep's walk): CPU and
/// bytes allocated per walk. --out writes each path's verdicts (forward and reply: disposition, place, reason), to
/// compare two builds.
/// </summary>
internal static class SweepBench
{
    public static IEnumerable<string> Run(Dictionary<string, string> o)
    {
        string dir = o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required");
        int rounds = o.TryGetValue("rounds", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var files = SynthWriter.SnapshotFiles(dir);
        var snap = SnapshotBulkLoader.LoadMany(files);
        var topology = Linker.Link(snap);
        var ctx = new DiagnosisContext(topology);
        var requests = Reachability.SweepRequests(ctx);
        if (o.TryGetValue("limit", out var l)) requests = requests.Take(int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        yield return F($"{requests.Count} paths");
        if (o.TryGetValue("out", out var outFile))
        {
            var sb = new StringBuilder();
            foreach (var (req, label) in requests)
            {
                var v = Tracer.Verdict(topology, req);
                sb.Append(label).Append(" | ").Append(Show(v.Forward)).Append(" | ").Append(v.Reply is null ? "-" : Show(v.Reply)).Append('\n');
            }
            File.WriteAllText(outFile, sb.ToString());
        }
        for (int round = 0; round < rounds; round++)
        {
            if (round == 0) GC.Collect();
            var cpu = Environment.CpuUsage.TotalTime;
            long alloc = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            int delivered = 0;
            foreach (var (req, _) in requests)
                if (Tracer.Verdict(topology, req) is { Forward.Delivered: true, Reply: null or { Delivered: true } }) delivered++;
            var wall = sw.Elapsed;
            var used = Environment.CpuUsage.TotalTime - cpu;
            alloc = GC.GetAllocatedBytesForCurrentThread() - alloc;
            yield return F($"round {round}: {wall.TotalSeconds:F2} s wall, {used.TotalSeconds:F2} s cpu (process), {wall.TotalMilliseconds * 1000 / requests.Count:F1} µs/path wall, {alloc / (double)requests.Count / 1024:F1} KiB/path, {delivered} delivered both ways");
        }
    }

    private static string Show(Trace t) => $"{t.Disposition} at {t.At} [{t.Reason}]";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
