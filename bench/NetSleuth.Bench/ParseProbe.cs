using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Bench;

/// <summary>Single-thread parse cost of one snapshot file: raw JSON tokenising vs. full model deserialisation.</summary>
internal static class ParseProbe
{
    public static List<string> Run(string file, int rounds)
    {
        var bytes = File.ReadAllBytes(file);
        var lines = new List<string>();
        double mb = bytes.Length / 1048576.0 * rounds;
        lines.Add(Time("tokenise", mb, rounds, () =>
        {
            var r = new Utf8JsonReader(bytes);
            while (r.Read()) { }
        }));
        lines.Add("fast reader applies: " + (NetSleuth.Model.FastJson.SnapshotFastReader.TryRead(bytes) is not null) + " " + NetSleuth.Model.FastJson.SnapshotFastReader.LastBail);
        lines.Add(Time("deserialize", mb, rounds, () => SnapshotJson.Deserialize(bytes, file)));
        SnapshotJson.UseFastReader = false;
        lines.Add(Time("stj only", mb, rounds, () => SnapshotJson.Deserialize(bytes, file)));
        SnapshotJson.UseFastReader = true;
        lines.Add(Time("deserialize", mb, rounds, () => SnapshotJson.Deserialize(bytes, file)));
        if (Environment.GetEnvironmentVariable("PROBE_RETAINED") is not null)
        {
            var keep = new List<Snapshot>();
            long before = GC.GetTotalMemory(true);
            for (int i = 0; i < 20; i++) keep.Add(SnapshotJson.Deserialize(bytes, file));
            long after = GC.GetTotalMemory(true);
            lines.Add($"retained {(after - before) / 20.0 / 1048576:F3} MiB/file");
            GC.KeepAlive(keep);
        }
        if (Environment.GetEnvironmentVariable("PROBE_SECTIONS") is null) return lines;
        var full = SnapshotJson.Deserialize(bytes, file);
        string[] sections = ["links", "routes", "rules", "neighbors", "fdb", "sysctls", "known", "netnsids", "ovs", "tc", "iptables", "none"];
        foreach (var sec in sections)
        {
            var copy = SnapshotJson.Deserialize(bytes, file);
            foreach (var ns in copy.Hosts.SelectMany(h => h.Namespaces))
            {
                if (sec != "links") ns.Links = [];
                if (sec != "routes") ns.Routes = [];
                if (sec != "rules") ns.Rules = [];
                if (sec != "neighbors") ns.Neighbors = [];
                if (sec != "fdb") ns.Fdb = [];
                if (sec != "sysctls") ns.Sysctls = new();
                if (sec != "known") ns.Known = new();
                if (sec != "netnsids") ns.NetnsIds = [];
                if (sec != "ovs") ns.Ovs = null;
                if (sec != "tc") { ns.Filters = []; ns.Qdiscs = []; }
                if (sec != "iptables") { ns.Iptables = []; ns.Nftables = null; }
            }
            var part = System.Text.Encoding.UTF8.GetBytes(SnapshotJson.Serialize(copy, indented: false));
            double pmb = part.Length / 1048576.0 * rounds;
            lines.Add(Time(sec, pmb, rounds, () => SnapshotJson.Deserialize(part, file)) + $"  {part.Length / 1024} KiB");
        }
        GC.KeepAlive(full);
        foreach (var shape in new[] { "{\"id\":\"x\"}", "{\"id\":\"x\",\"known\":[\"a\",\"b\",\"c\"]}", "{\"id\":\"x\",\"netnsIds\":[{\"id\":0,\"namespace\":\"root\"}]}",
            "{\"id\":\"x\",\"links\":[{\"index\":1,\"name\":\"lo\"}]}" })
        {
            var text = "{\"formatVersion\":1,\"hosts\":[{\"name\":\"h\",\"namespaces\":[" + string.Join(",", Enumerable.Repeat(shape, 10000)) + "]}]}";
            var b = System.Text.Encoding.UTF8.GetBytes(text);
            var sw2 = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) SnapshotJson.Deserialize(b, "x");
            lines.Add($"{shape,-60} {sw2.Elapsed.TotalMilliseconds * 1000 / 50000,8:F2} us/namespace");
        }
        return lines;
    }

    /// <summary>
    /// The floor of a CLI run on DIR: read every snapshot file of DIR (not faults.json) and tokenise it once with
    /// <see cref="Utf8JsonReader"/>, on every core, as the loader reads them; nothing is built. Prints wall and CPU
    /// time, bytes and tokens. Run it in a fresh process (bench/scale.sh does) so the page cache is as for the CLI.
    /// </summary>
    public static List<string> RunDir(string dir)
    {
        var files = SynthWriter.SnapshotFiles(dir).ToArray();
        var cpu0 = Environment.CpuUsage.TotalTime;
        var sw = Stopwatch.StartNew();
        long bytes = 0, tokens = 0;
        Parallel.For(0, files.Length, () => (0L, 0L), (i, _, acc) =>
        {
            var data = File.ReadAllBytes(files[i]);
            var r = new Utf8JsonReader(data);
            long n = 0;
            while (r.Read()) n++;
            return (acc.Item1 + data.Length, acc.Item2 + n);
        }, acc => { Interlocked.Add(ref bytes, acc.Item1); Interlocked.Add(ref tokens, acc.Item2); });
        sw.Stop();
        var cpu = Environment.CpuUsage.TotalTime - cpu0;
        return [string.Create(CultureInfo.InvariantCulture,
            $"floor: {files.Length} files, {bytes / 1048576.0:F0} MiB, {tokens} tokens: {sw.Elapsed.TotalSeconds:F2} s wall, {cpu.TotalSeconds:F2} s cpu ({Environment.ProcessorCount} cores)")];
    }

    private static string Time(string what, double mb, int rounds, Action a)
    {
        a();
        long alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++) a();
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{what,-12} {mb / sw.Elapsed.TotalSeconds,8:F1} MiB/s  {alloc / (double)rounds / 1048576.0,8:F2} MiB alloc/file");
    }
}
