using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Synth;

public sealed class SynthGeneratorTests
{
    private static string Json(Snapshot s) => SnapshotJson.Serialize(s, indented: false);

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_the_same_seed_When_generated_twice_Then_every_byte_is_the_same(SynthStyle style)
    {
        var o = new SynthOptions(5, 7, style, Faults: 3, Seed: 42);
        var (a, fa) = new ClusterGenerator(o).GenerateAll();
        var (b, fb) = new ClusterGenerator(o).GenerateAll();
        Assert.Equal(Json(a), Json(b));
        Assert.Equal(fa.Faults, fb.Faults);
        var (c, _) = new ClusterGenerator(o with { Seed = 43 }).GenerateAll();
        Assert.NotEqual(Json(a), Json(c));
    }

    [Fact]
    public void Given_a_seed_When_written_in_parallel_Then_the_files_equal_the_in_memory_generation()
    {
        var o = new SynthOptions(6, 5, SynthStyle.PeerPods, Faults: 4, Seed: 9);
        using var dir = new TempDir();
        var summary = SynthWriter.Write(o, dir.Path);
        var (mem, manifest) = new ClusterGenerator(o).GenerateAll();
        Assert.Equal(mem.Hosts.Count + 1, summary.Files);
        foreach (var h in mem.Hosts)
        {
            var onDisk = SnapshotJson.Load(Path.Combine(dir.Path, h.Name + ".json"));
            Assert.Equal(Json(new Snapshot { Hosts = [h] }), Json(onDisk));
        }
        Assert.Equal(manifest.Faults, SynthWriter.ReadFaults(dir.Path).Faults);
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_no_faults_When_checked_Then_the_cluster_is_consistent(SynthStyle style)
    {
        var (snap, manifest) = new ClusterGenerator(new SynthOptions(4, 6, style, Seed: 3)).GenerateAll();
        Assert.Empty(manifest.Faults);
        Assert.Empty(ClusterChecker.Check(snap));
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_every_fault_kind_When_checked_Then_each_problem_is_at_a_placed_fault_and_each_fault_is_seen(SynthStyle style)
    {
        var probe = new SynthOptions(30, 6, style, Seed: 5);
        int kinds = ClusterGenerator.FaultNames(probe).Count;
        var (snap, manifest) = new ClusterGenerator(probe with { Faults = kinds }).GenerateAll();
        Assert.Equal(kinds, manifest.Faults.Select(f => f.Name).Distinct().Count());
        var problems = ClusterChecker.Check(snap);
        foreach (var p in problems)
            Assert.True(manifest.Faults.Any(f => Explains(f, p)), $"unexplained: {p}");
        foreach (var f in manifest.Faults)
            Assert.True(problems.Any(p => Explains(f, p)), $"fault not visible: {f}");
    }

    /// <summary>A fault explains a problem seen on its host, or — for tunnels — on the far end of the same tunnel.</summary>
    private static bool Explains(PlacedFault f, ClusterChecker.Problem p) =>
        p.Host == f.Host ||
        (f.Host.StartsWith("podvm-", StringComparison.Ordinal) && p.Host == "node-" + f.Host[6..10]) ||
        (f.Host.StartsWith("node-", StringComparison.Ordinal) && p.Host.StartsWith("podvm-" + f.Host[5..] + "-", StringComparison.Ordinal)) ||
        (f.Id is 5 or 6 && p.What.Contains(f.Host, StringComparison.Ordinal));

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_placed_faults_When_looked_up_Then_host_namespace_and_device_exist(SynthStyle style)
    {
        var probe = new SynthOptions(30, 6, style, Seed: 11);
        var (snap, manifest) = new ClusterGenerator(probe with { Faults = ClusterGenerator.FaultNames(probe).Count }).GenerateAll();
        foreach (var f in manifest.Faults)
        {
            var host = Assert.Single(snap.Hosts, h => h.Name == f.Host);
            var ns = host.FindNamespace(f.Namespace);
            Assert.NotNull(ns);
            if (f.Device is not null && f.Name != "missing-route" && f.Name != "missing-permanent-neighbour")
                Assert.NotNull(ns.FindLink(f.Device));
            switch (f.Name)
            {
                case "blackhole-route": Assert.Contains(ns.Routes, r => r.ToString() == f.Entry); break;
                case "missing-route": Assert.DoesNotContain(ns.Routes, r => r.ToString() == f.Entry); break;
                case "failed-neighbour": Assert.Contains(ns.Neighbors, n => n.ToString() == f.Entry); break;
                case "missing-permanent-neighbour": Assert.DoesNotContain(ns.Neighbors, n => n.ToString() == f.Entry); break;
                case "firewall-drops-tunnel-port": Assert.Contains(ns.Iptables.SelectMany(t => t.Rules), r => r.ToString() == f.Entry); break;
                case "missing-mirred-redirect": Assert.DoesNotContain(ns.Filters, x => x.Device == f.Device); break;
                case "ip-forward-off": Assert.Equal("0", ns.Sysctl("net.ipv4.ip_forward")); break;
            }
        }
    }

    [Fact]
    public void Given_a_generated_cluster_When_round_tripped_through_SnapshotJson_Then_nothing_changes()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(3, 4, SynthStyle.PeerPods, Faults: 2, Seed: 8)).GenerateAll();
        string compact = Json(snap);
        string indented = SnapshotJson.Serialize(snap, indented: true);
        Assert.True(compact.Length < indented.Length);
        Assert.Equal(compact, Json(SnapshotJson.Deserialize(compact, "c.json")));
        Assert.Equal(compact, Json(SnapshotJson.Deserialize(indented, "i.json")));
        Assert.Equal(compact, Json(SnapshotJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(compact), "u.json")));
    }

    [Fact]
    public void Given_a_directory_of_snapshots_When_bulk_loaded_Then_it_equals_the_general_loader()
    {
        using var dir = new TempDir();
        SynthWriter.Write(new SynthOptions(4, 3, SynthStyle.Bridge, Faults: 2, Seed: 2), dir.Path);
        var files = Directory.GetFiles(dir.Path, "*.json").Where(f => !f.EndsWith(SynthWriter.FaultsFile, StringComparison.Ordinal)).Order().ToList();
        var slow = InputLoader.Load(files.Select(f => f)); // not a list: one file after the other
        var fast = SnapshotBulkLoader.LoadMany(files);
        Assert.Equal(Json(slow), Json(fast));
        Assert.Equal(Json(slow), Json(InputLoader.Load(files)));
        // the same host twice merges its namespaces, as the general loader does
        var twice = files.Take(1).Concat(files.Take(1)).ToList();
        Assert.Equal(Json(InputLoader.Load(twice.Select(f => f))), Json(SnapshotBulkLoader.LoadMany(twice)));
        // anything that is not a snapshot file goes to the general loader, errors included
        var missing = files.Append(Path.Combine(dir.Path, "nope.json")).ToList();
        Assert.Equal(Assert.Throws<InputException>(() => InputLoader.Load(missing.Select(f => f))).Message,
                     Assert.Throws<InputException>(() => SnapshotBulkLoader.LoadMany(missing)).Message);
        Assert.Equal(5, fast.Hosts.Count); // 4 nodes and the router: no VMs in the bridge style
    }

    [Fact]
    public void Given_a_directory_of_snapshots_and_a_transcript_When_loaded_as_one_input_Then_it_equals_its_files_one_after_the_other()
    {
        using var dir = new TempDir();
        SynthWriter.Write(new SynthOptions(5, 3, SynthStyle.PeerPods, Faults: 2, Seed: 4), dir.Path);
        File.Delete(System.IO.Path.Combine(dir.Path, SynthWriter.FaultsFile));
        // a pasted session among the snapshots, and one node's snapshot a second time (its namespaces are given twice)
        var root = dir.Path;
        File.Copy(System.IO.Path.Combine(FindRoot(), "examples", "peer-pods", "worker.txt"), System.IO.Path.Combine(root, "node-0003-worker.txt"));
        File.Copy(System.IO.Path.Combine(root, "node-0002.json"), System.IO.Path.Combine(root, "node-0004-again.json"));
        var files = Directory.GetFiles(root).Order(StringComparer.Ordinal).ToList();
        var oneByOne = InputLoader.Load(files.Select(f => f)); // not a list: the general loader, one file after the other
        var asDir = InputLoader.LoadInputs([root]);
        Assert.Equal(Json(oneByOne), Json(asDir.Snapshot));
        Assert.Contains("worker", asDir.Snapshot.Hosts.Select(h => h.Name));
        Assert.Contains(asDir.Snapshot.Hosts.SelectMany(h => h.Warnings), w => w.Message.Contains("given twice"));
        Assert.Matches(@"^1[0-9] hosts, [0-9]+ namespaces, [0-9]+ command outputs$", asDir.Reads.Single().What);
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(System.IO.Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("netsleuth-synth-").FullName;
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
