using System.Text;
using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.Model;

/// <summary>
/// A load that shares (<see cref="RuleSharing"/>, the bulk loader's) reads a record repeated within a file once
/// (FastJson/RecordPool): the model it gives must be the one System.Text.Json gives, and since its records are shared
/// by many namespaces, nothing may change them: a what-if edit works on a copy of its own, and the whole pipeline
/// (link, diagnose with fix verification) leaves the loaded model as it was.
/// </summary>
public sealed class RecordSharingTests
{
    private static string Stj(byte[] json)
    {
        SnapshotJson.UseFastReader = false;
        try { return SnapshotJson.SerializeFull(SnapshotJson.Deserialize(json, "x.json")); }
        finally { SnapshotJson.UseFastReader = true; }
    }

    private static IEnumerable<byte[]> Inputs()
    {
        foreach (var style in new[] { SynthStyle.Ovs, SynthStyle.Bridge, SynthStyle.PeerPods })
        {
            var (snap, _) = new ClusterGenerator(new SynthOptions(4, 6, style, Seed: 11, Faults: 4)).GenerateAll();
            foreach (var h in snap.Hosts) yield return Encoding.UTF8.GetBytes(SnapshotJson.Serialize(new Snapshot { Hosts = [h] }, indented: false));
        }
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab"), "*.json").Order(StringComparer.Ordinal))
            yield return File.ReadAllBytes(f);
    }

    [Fact]
    public void Given_generated_and_lab_snapshots_When_read_with_sharing_Then_the_model_equals_System_Text_Json_and_records_are_shared()
    {
        var sharing = new RuleSharing();
        int files = 0;
        foreach (var json in Inputs())
        {
            var shared = SnapshotJson.Deserialize(json, "x.json", sharing);
            Assert.Equal(Stj(json), SnapshotJson.SerializeFull(shared));
            files++;
        }
        Assert.True(files > 10);
        Assert.True(sharing.RecordsShared > sharing.RecordLookups / 4, $"{sharing.RecordsShared} of {sharing.RecordLookups} records shared");
    }

    [Fact]
    public void Given_pods_of_one_node_When_read_with_sharing_Then_their_identical_records_are_one_object_and_without_sharing_they_are_not()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(1, 4, SynthStyle.Bridge, Seed: 3)).GenerateAll();
        var json = Encoding.UTF8.GetBytes(SnapshotJson.Serialize(new Snapshot { Hosts = [snap.Hosts[0]] }, indented: false));
        var pods = SnapshotJson.Deserialize(json, "x.json", new RuleSharing()).Hosts[0].Namespaces.Where(n => !n.IsRoot).ToList();
        Assert.True(pods.Count >= 2);
        Assert.Same(pods[0].Rules, pods[1].Rules);
        Assert.Same(pods[0].Sysctls, pods[1].Sysctls);
        Assert.Same(pods[0].FindLink("lo")!.Addresses, pods[1].FindLink("lo")!.Addresses);
        Assert.NotSame(pods[0].FindLink("lo"), pods[1].FindLink("lo")); // devices are told apart by object
        var lone = SnapshotJson.Deserialize(json, "x.json").Hosts[0].Namespaces.Where(n => !n.IsRoot).ToList();
        Assert.NotSame(lone[0].Rules, lone[1].Rules);
        Assert.NotSame(lone[0].Rules[0], lone[1].Rules[0]);
    }

    /// <summary>A cluster written as one file per node and loaded as the CLI loads a directory (shared).</summary>
    private static (Snapshot Snapshot, string Dir) LoadShared(SynthStyle style)
    {
        var dir = Path.Combine(Path.GetTempPath(), "netsleuth-sharing-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var (snap, _) = new ClusterGenerator(new SynthOptions(3, 4, style, Seed: 2, Faults: 3)).GenerateAll();
        var files = new List<string>();
        foreach (var h in snap.Hosts)
        {
            var f = Path.Combine(dir, h.Name + ".json");
            File.WriteAllText(f, SnapshotJson.Serialize(new Snapshot { Hosts = [h] }, indented: false));
            files.Add(f);
        }
        var loaded = SnapshotBulkLoader.TryLoadAll(files) ?? throw new InvalidOperationException("not loaded in bulk");
        return (loaded, dir);
    }

    [Fact]
    public void Given_a_shared_load_When_a_what_if_edit_changes_one_pods_rules_routes_and_flags_Then_no_other_namespace_and_not_the_original_changes()
    {
        var (snap, dir) = LoadShared(SynthStyle.Bridge);
        try
        {
            var before = SnapshotJson.SerializeFull(snap);
            var host = snap.Hosts.First(h => h.Namespaces.Count(n => !n.IsRoot && n.Rules.Count > 0) >= 2);
            var pods = host.Namespaces.Where(n => !n.IsRoot && n.Name is not null && n.Rules.Count > 0).ToList();
            Assert.Same(pods[0].Rules, pods[1].Rules); // shared in the load
            var pod = pods[0];
            var text = $"{host.Name}: ip -n {pod.Name} link set dev lo down\n" +
                       $"{host.Name}: ip -n {pod.Name} rule add from 10.9.9.9 lookup 100 pref 100\n" +
                       $"{host.Name}: ip -n {pod.Name} route add 10.99.0.0/16 dev lo\n" +
                       $"{host.Name}: ip -n {pod.Name} addr add 10.98.0.1/32 dev lo\n";
            var copy = ModelCopy.Apply(snap, CommandInterpreter.Read(text, "t.sh", snap)).Result;
            var edited = copy.Hosts.First(h => h.Name == host.Name).Namespaces.First(n => n.Name == pod.Name);
            Assert.DoesNotContain("UP", edited.FindLink("lo")!.Flags);
            Assert.Contains(edited.Rules, r => r.Priority == 100);
            var other = copy.Hosts.First(h => h.Name == host.Name).Namespaces.First(n => n.Name == pods[1].Name);
            Assert.Contains("UP", other.FindLink("lo")!.Flags);
            Assert.DoesNotContain(other.Rules, r => r.Priority == 100);
            Assert.DoesNotContain(other.Routes, r => r.Destination.ToString() == "10.99.0.0/16");
            Assert.Equal(before, SnapshotJson.SerializeFull(snap));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_a_shared_load_When_linked_and_diagnosed_with_fix_verification_Then_the_loaded_model_is_unchanged(SynthStyle style)
    {
        var (snap, dir) = LoadShared(style);
        try
        {
            var before = SnapshotJson.SerializeFull(snap);
            var report = Diagnoser.Run(Linker.Link(snap));
            Assert.NotEmpty(report.Findings);
            Assert.Equal(before, SnapshotJson.SerializeFull(snap));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("""{"formatVersion":1,"hosts":[{"name":"h","namespaces":[{"id":"root","isRoot":true,"routes":null,"rules":[],"known":null,"links":[{"index":1,"name":"lo","flags":null,"addresses":[]}]}]}]}""")]
    [InlineData("""{"formatVersion":1,"hosts":[{"name":"h","namespaces":[{"id":"a","sysctls":{"x":"1"}},{"id":"b","sysctls":{"x":"1"},"links":[{"index":1,"name":"lo"},{"index":2,"name":"lo2"}]}]}]}""")]
    public void Given_null_empty_and_absent_collections_When_read_fast_with_and_without_sharing_Then_they_are_empty_and_usable_as_System_Text_Json_gives(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        foreach (var sharing in new[] { null, new RuleSharing() })
        {
            var snap = NetSleuth.Model.FastJson.SnapshotFastReader.TryRead(utf8, sharing);
            Assert.NotNull(snap);
            Assert.Equal(Stj(utf8), SnapshotJson.SerializeFull(snap));
            foreach (var ns in snap.Hosts[0].Namespaces)
            {
                Assert.NotNull(ns.Routes);
                Assert.NotNull(ns.Known);
                Assert.All(ns.Links, l => Assert.NotNull(l.Flags));
            }
        }
        // a lone read (what a what-if copy is made with) gives collections of its own, free to change
        var lone = SnapshotJson.Deserialize(utf8, "x.json");
        var links = lone.Hosts[0].Namespaces.SelectMany(n => n.Links).ToList();
        links[0].Flags.Add("UP");
        Assert.All(links.Skip(1), l => Assert.Empty(l.Flags));
    }

    [Fact]
    public void Given_a_collection_given_twice_When_read_Then_the_fast_reader_declines_and_System_Text_Json_reads_it()
    {
        var utf8 = Encoding.UTF8.GetBytes("""{"formatVersion":1,"hosts":[{"name":"h","namespaces":[{"id":"root","rules":[{"priority":1}],"rules":[{"priority":2}]}]}]}""");
        Assert.Null(NetSleuth.Model.FastJson.SnapshotFastReader.TryRead(utf8, new RuleSharing()));
        var snap = SnapshotJson.Deserialize(utf8, "x.json", new RuleSharing());
        Assert.Equal(Stj(utf8), SnapshotJson.SerializeFull(snap));
    }
}
