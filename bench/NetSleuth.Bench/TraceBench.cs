using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Synth;

namespace NetSleuth.Bench;

/// <summary>
/// `trace --dir DIR --from HOST[:NETNS] --to IP [--rounds N] [--verdict]`: loads and links DIR's snapshots once,
/// then times one trace (forward + reply) N times; prints load, link, first trace, and the median and
/// max of the rest, plus the trace's verdict.
/// </summary>
internal static class TraceBench
{
    public static IEnumerable<string> Run(Dictionary<string, string> o)
    {
        string dir = o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required");
        var from = (o.GetValueOrDefault("from") ?? throw new InputException("--from", 0, "required")).Split(':');
        var to = IPAddress.Parse(o.GetValueOrDefault("to") ?? throw new InputException("--to", 0, "required"));
        int rounds = o.TryGetValue("rounds", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 200;
        // --verdict: the diagnosis sweep's walk (verdicts only, no steps)
        Func<Topology.Topology, TraceRequest, TraceResult> trace = o.ContainsKey("verdict") ? Tracer.Verdict : Tracer.Trace;
        var files = SynthWriter.SnapshotFiles(dir);

        var sw = Stopwatch.StartNew();
        var snap = SnapshotBulkLoader.LoadMany(files);
        var load = sw.Elapsed;
        sw.Restart();
        var topology = Linker.Link(snap);
        var link = sw.Elapsed;
        var request = new TraceRequest(from[0], from.Length > 1 ? from[1] : null, null, to);
        sw.Restart();
        var result = Tracer.Trace(topology, request);
        var first = sw.Elapsed;
        var times = new List<double>();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rounds; i++)
        {
            sw.Restart();
            trace(topology, request);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / rounds;
        times.Sort();
        yield return F($"hosts {snap.Hosts.Count}, namespaces {snap.Hosts.Sum(h => h.Namespaces.Count)}");
        yield return F($"load {load.TotalSeconds:F2} s, link {link.TotalSeconds:F2} s");
        yield return F($"trace first {first.TotalMilliseconds:F2} ms; next {rounds}: median {times[times.Count / 2]:F3} ms, max {times[^1]:F3} ms, {allocated / 1024.0:F1} KiB allocated per trace");
        yield return F($"verdict: forward {result.Forward.Disposition} at {result.Forward.At} ({result.Forward.Hops.Sum(h => h.Steps.Count)} steps), reply {result.Reply?.Disposition.ToString() ?? "-"}");
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
