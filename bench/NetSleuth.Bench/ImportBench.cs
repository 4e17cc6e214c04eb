using System.Globalization;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Bench;

/// <summary>
/// `import-gen`: writes a large transcript or sosreport (<see cref="ImportGen"/>);
/// `import`: times what `netsleuth import PATH -o FILE` does, in two stages — reading the input into a
/// snapshot (<see cref="InputLoader.Load"/>) and writing the snapshot JSON — with the input's MB/s.
/// </summary>
internal static class ImportBench
{
    public static List<StageResult> Generate(Dictionary<string, string> o)
    {
        int links = int.Parse(o.GetValueOrDefault("links", "10000"), CultureInfo.InvariantCulture);
        var kind = o.GetValueOrDefault("kind", "transcript");
        var output = o.GetValueOrDefault("out") ?? throw new InputException("--out", 0, "required");
        var fixtures = o.GetValueOrDefault("fixtures") ?? FindFixtures();
        var host = new BigHost(links);
        ImportGen.Stats? s = null;
        var row = Measure.Run("import-gen", $"{kind} {links} links", () =>
        {
            s = kind switch
            {
                "transcript" => ImportGen.WriteTranscript(host, output),
                "sos" => ImportGen.WriteSosReport(host, output, o.ContainsKey("flat"), fixtures),
                _ => throw new InputException("--kind", 0, "transcript|sos"),
            };
            return Describe(s);
        });
        return [row];
    }

    public static string Describe(ImportGen.Stats s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Bytes / 1e6:F1} MB, {s.Lines:N0} lines, {s.Files:N0} files, {s.Namespaces:N0} netns, {s.Links:N0} links, {s.RootRoutes:N0} root routes");

    public static List<StageResult> Run(Dictionary<string, string> o)
    {
        var input = o.GetValueOrDefault("input") ?? throw new InputException("--input", 0, "required");
        if (o.ContainsKey("stages")) return Stages(input);
        int repeat = int.Parse(o.GetValueOrDefault("repeat", "1"), CultureInfo.InvariantCulture);
        var (bytes, lines) = Size(input);
        var size = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(input))} {bytes / 1e6:F0} MB");
        var rows = new List<StageResult>();
        Snapshot? snap = null;
        for (int r = 0; r < repeat; r++)
        {
            snap = null;
            GC.Collect();
            var load = Measure.Run("import-load", size, () =>
            {
                snap = InputLoader.Load([input]);
                return Summary(snap);
            });
            if (r == 0 && o.ContainsKey("warnings"))
                foreach (var w in snap!.Warnings.Concat(snap.Hosts.SelectMany(h => h.Warnings)).Take(50)) Console.Error.WriteLine("warning: " + w);
            rows.Add(load with { Note = Rate(bytes, lines, load) + "; " + load.Note });
        }
        var write = Measure.Run("import-write", size, () =>
        {
            var json = SnapshotJson.Serialize(snap!);
            if (o.GetValueOrDefault("json") is { } jsonFile) File.WriteAllText(jsonFile, json);
            return string.Create(CultureInfo.InvariantCulture, $"{json.Length / 1e6:F0} MB of JSON");
        });
        rows.Add(write);
        return rows;
    }

    /// <summary>`import --input TRANSCRIPT --stages`: the parts of a transcript import, one row each (same process,
    /// after a warm-up import): reading lines, splitting into commands, parsing the outputs into the host.</summary>
    public static List<StageResult> Stages(string input)
    {
        _ = InputLoader.Load([input]); // warm-up: JIT
        GC.Collect();
        List<string> lines = [];
        ImportUnit unit = new();
        var size = Path.GetFileName(input);
        var read = Measure.Run("read-lines", size, () =>
        {
            using var reader = new StreamReader(input);
            lines = TextCleaner.ReadLines(reader);
            return string.Create(CultureInfo.InvariantCulture, $"{lines.Count:N0} lines");
        });
        var split = Measure.Run("split-commands", size, () =>
        {
            unit = NetSleuth.Import.Transcript.TranscriptReader.Read(lines, input);
            return string.Create(CultureInfo.InvariantCulture, $"{unit.Commands.Count:N0} commands");
        });
        var parse = Measure.Run("parse-outputs", size, () =>
        {
            var b = new HostBuilder(unit.HostName ?? "host");
            foreach (var c in unit.Commands) b.Apply(c.Output, c.Netns, c.Pid);
            var host = b.Finish();
            return string.Create(CultureInfo.InvariantCulture, $"{host.Namespaces.Count:N0} netns");
        });
        return [read, split, parse];
    }

    private static string Rate(long bytes, long lines, StageResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{lines:N0} lines, {bytes / 1e6 / r.Seconds:F1} MB/s wall, {bytes / 1e6 / Math.Max(r.CpuSeconds, 1e-3):F1} MB/s per CPU-second");

    private static string Summary(Snapshot s)
    {
        var nss = s.Hosts.SelectMany(h => h.Namespaces).ToList();
        int warnings = s.Warnings.Count + s.Hosts.Sum(h => h.Warnings.Count);
        return string.Create(CultureInfo.InvariantCulture,
            $"{nss.Count:N0} netns, {nss.Sum(n => n.Links.Count):N0} links, {nss.Sum(n => n.Routes.Count):N0} routes, {nss.Sum(n => n.Neighbors.Count):N0} neigh, {nss.Sum(n => n.Iptables.Sum(t => t.Rules.Count)):N0} iptables rules, {warnings:N0} warnings");
    }

    /// <summary>Bytes and lines of a file, or of every file under a directory.</summary>
    private static (long Bytes, long Lines) Size(string path)
    {
        var files = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path];
        long bytes = 0, lines = 0;
        var buf = new byte[1 << 16];
        foreach (var f in files)
        {
            using var s = File.OpenRead(f);
            bytes += s.Length;
            for (int n; (n = s.Read(buf)) > 0;) lines += buf.AsSpan(0, n).Count((byte)'\n');
        }
        return (bytes, lines);
    }

    /// <summary>tests/NetSleuth.Tests/Fixtures, found upwards from the current directory or the program's.</summary>
    private static string FindFixtures()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var f = Path.Combine(d.FullName, "tests", "NetSleuth.Tests", "Fixtures");
                if (Directory.Exists(f)) return f;
            }
        }
        throw new InputException("--fixtures", 0, "tests/NetSleuth.Tests/Fixtures not found; give --fixtures DIR");
    }
}
