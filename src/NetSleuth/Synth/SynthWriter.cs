using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>What <see cref="SynthWriter.Write"/> produced.</summary>
public sealed record SynthSummary(int Files, int Hosts, int Namespaces, long Bytes, IReadOnlyList<PlacedFault> Faults);

/// <summary>Writes a synthetic cluster as DIR/HOST.json (one snapshot per host, as a live collect
/// would) plus DIR/faults.json. Nodes are generated and written in parallel; output is identical
/// for any degree of parallelism.</summary>
public static class SynthWriter
{
    public const string FaultsFile = "faults.json";

    /// <summary>The snapshot files of a written directory (every *.json but <see cref="FaultsFile"/>), in name order.</summary>
    public static List<string> SnapshotFiles(string dir) =>
        Directory.GetFiles(dir, "*.json").Where(f => Path.GetFileName(f) != FaultsFile).Order(StringComparer.Ordinal).ToList();

    public static SynthSummary Write(SynthOptions options, string dir, bool indented = false, Action<int>? nodeDone = null)
    {
        var gen = new ClusterGenerator(options);
        Directory.CreateDirectory(dir);
        if (Directory.EnumerateFileSystemEntries(dir).Any())
            throw new InputException(dir, 0, "output directory is not empty");
        var faults = new PlacedFault?[options.Nodes];
        long bytes = 0;
        int hosts = 0, namespaces = 0, done = 0;
        var po = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, options.Nodes, po, node =>
        {
            var (hs, fault) = gen.GenerateNode(node);
            faults[node] = fault;
            long b = 0;
            int ns = 0;
            foreach (var h in hs)
            {
                b += WriteHost(dir, h, indented);
                ns += h.Namespaces.Count;
            }
            Interlocked.Add(ref bytes, b);
            Interlocked.Add(ref hosts, hs.Count);
            Interlocked.Add(ref namespaces, ns);
            int d = Interlocked.Increment(ref done);
            nodeDone?.Invoke(d);
        });
        var router = gen.GenerateRouter();
        bytes += WriteHost(dir, router, indented);
        var placed = faults.OfType<PlacedFault>().ToList();
        var manifest = gen.Manifest(placed);
        File.WriteAllText(Path.Combine(dir, FaultsFile), JsonSerializer.Serialize(manifest, SynthJsonContext.Default.FaultManifest) + "\n");
        return new SynthSummary(hosts + 2, hosts + 1, namespaces + router.Namespaces.Count, bytes, placed);
    }

    private static long WriteHost(string dir, Host host, bool indented)
    {
        var path = Path.Combine(dir, host.Name + ".json");
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        SnapshotJson.Write(new Snapshot { Hosts = [host] }, fs, indented);
        return fs.Length;
    }

    public static FaultManifest ReadFaults(string dir)
    {
        var path = Path.Combine(dir, FaultsFile);
        return JsonSerializer.Deserialize(File.ReadAllText(path), SynthJsonContext.Default.FaultManifest)
            ?? throw new InputException(path, 1, "empty fault manifest");
    }
}
