using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.WhatIf;
using NetSleuth.Synth;

namespace NetSleuth.Bench;

/// <summary>
/// `relink --dir DIR --fixes OUT.json [--rounds N]`: loads and links DIR's snapshots once, then applies each fix that
/// `diagnose DIR --format json` printed (OUT.json) to a copy of the model and re-links it N times on one thread, as the
/// fix verification does; prints the CPU and allocation of the copies and of the re-links, per fix and in total.
/// </summary>
internal static class RelinkBench
{
    public static IEnumerable<string> Run(Dictionary<string, string> o)
    {
        string dir = o.GetValueOrDefault("dir") ?? throw new InputException("--dir", 0, "required");
        string fixes = o.GetValueOrDefault("fixes") ?? throw new InputException("--fixes", 0, "required");
        int rounds = o.TryGetValue("rounds", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var files = SynthWriter.SnapshotFiles(dir);
        var snap = SnapshotBulkLoader.LoadMany(files);
        var topology = Linker.Link(snap);
        var scripts = new List<(string Id, List<(string Host, string Command)> Commands)>();
        using (var doc = JsonDocument.Parse(File.ReadAllText(fixes)))
            foreach (var f in doc.RootElement.GetProperty("findings").EnumerateArray())
            {
                if (!f.TryGetProperty("fix", out var fix) || fix.GetArrayLength() == 0) continue;
                var commands = new List<(string, string)>();
                foreach (var step in fix.EnumerateArray())
                    foreach (var c in step.GetProperty("commands").EnumerateArray())
                        commands.Add((step.GetProperty("host").GetString()!, c.GetString()!));
                scripts.Add((f.GetProperty("id").GetString()!, commands));
            }
        yield return F($"hosts {snap.Hosts.Count}, devices {topology.Devices.Count()}, edges {topology.Edges.Count}, fixes {scripts.Count}, rounds {rounds}");
        // one warm-up re-link (the first one cuts the original's edges across hosts, made once per topology)
        double totalCpu = 0;
        long totalAlloc = 0;
        int relinks = 0;
        foreach (var (id, commands) in scripts)
        {
            var script = CommandInterpreter.ReadFix(commands, snap, "fix of " + id);
            ModelCopy? copy = null;
            string? refused = null;
            try { copy = ModelCopy.Apply(snap, script); }
            catch (InputException e) { refused = e.Reason; }
            if (copy is null) { yield return F($"{id}: refused ({refused})"); continue; }
            Relinker.Relink(topology, copy.Result);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            int relinked = 0;
            for (int i = 0; i < rounds; i++) relinked = Relinker.Relink(topology, copy.Result).HostsRelinked;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / rounds;
            long alloc = (GC.GetAllocatedBytesForCurrentThread() - alloc0) / rounds;
            totalCpu += cpu;
            totalAlloc += alloc;
            relinks++;
            yield return F($"{id,-28} hosts relinked {relinked,3}  {cpu * 1000,8:F1} ms cpu  {alloc / 1048576.0,8:F1} MiB");
        }
        yield return F($"total over {relinks} fixes: {totalCpu:F3} s cpu per round, {totalAlloc / 1048576.0:F0} MiB allocated per round");
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
