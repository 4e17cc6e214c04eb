using System.Reflection;
using System.Text;
using System.Text.Json;
using NetSleuth.Model;
using NetSleuth.Model.FastJson;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Model;

public sealed class FastReaderTests
{
    private static string Stj(string json)
    {
        SnapshotJson.UseFastReader = false;
        try { return SnapshotJson.Serialize(SnapshotJson.Deserialize(Encoding.UTF8.GetBytes(json), "x.json"), indented: false); }
        finally { SnapshotJson.UseFastReader = true; }
    }

    [Fact]
    public void Given_the_model_When_compared_with_the_generated_reader_Then_every_property_is_handled()
    {
        var modelTypes = typeof(Snapshot).Assembly.GetTypes()
            .Where(t => t.Namespace == "NetSleuth.Model" && t.IsClass && t.IsSealed && t.IsPublic && !typeof(Exception).IsAssignableFrom(t) &&
                        t.GetProperties().Any(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null && p.CanRead))
            .Where(t => t.GetProperties().Any(p => p.SetMethod is not null || t.GetConstructors().Any(c => c.GetParameters().Length > 0)))
            .ToList();
        foreach (var t in modelTypes)
        {
            var expected = t.GetProperties()
                .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null && p.GetIndexParameters().Length == 0)
                .Where(p => p.SetMethod is not null || t.GetConstructors().Any(c => c.GetParameters().Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase))))
                .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order().ToList();
            Assert.True(SnapshotFastReader.Handled.TryGetValue(t.Name, out var handled),
                $"{t.Name} is not read by the fast reader: run scripts/gen-fast-reader.py");
            Assert.Equal(expected, handled.Order().ToList());
        }
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_generated_snapshots_When_read_fast_Then_the_model_equals_System_Text_Json(SynthStyle style)
    {
        var probe = new SynthOptions(6, 4, style, Seed: 21);
        var (snap, _) = new ClusterGenerator(probe with { Faults = 6 }).GenerateAll();
        snap.Warnings.Add(new Warning("w", new SourceRef("f", 3), "ns"));
        (snap.Hosts[0].Namespaces[0].RouteLookups ??= []).Add(new RouteLookup { Destination = System.Net.IPAddress.Parse("198.18.0.9"), Command = "ip route get 198.18.0.9" });
        var json = SnapshotJson.Serialize(snap, indented: false);
        var fast = SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json));
        Assert.True(fast is not null, SnapshotFastReader.LastBail);
        Assert.Equal(Stj(json), SnapshotJson.Serialize(fast, indented: false));
        // repeated strings are shared within a file
        var links = fast.Hosts[0].Namespaces.SelectMany(n => n.Links).ToList();
        Assert.Same(links[0].Flags[0], links.Skip(1).First(l => l.Flags.Contains("LOOPBACK")).Flags[0]);
    }

    [Fact]
    public void Given_files_read_one_after_another_on_a_thread_When_read_fast_Then_each_equals_System_Text_Json()
    {
        // the thread's string pool is reused (emptied) from file to file, and grows for a large one;
        // repeated addresses and prefixes of a file are parsed once (one object), never across files
        var small = SnapshotJson.Serialize(new ClusterGenerator(new SynthOptions(2, 2, SynthStyle.PeerPods, Seed: 5)).GenerateAll().Snapshot, indented: false);
        var large = SnapshotJson.Serialize(new ClusterGenerator(new SynthOptions(12, 40, SynthStyle.PeerPods, Seed: 7, Faults: 4)).GenerateAll().Snapshot, indented: false);
        var reads = new List<Snapshot>();
        foreach (var json in new[] { small, large, small, large })
        {
            var fast = SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json));
            Assert.True(fast is not null, SnapshotFastReader.LastBail);
            Assert.Equal(Stj(json), SnapshotJson.Serialize(fast, indented: false));
            reads.Add(fast);
        }
        var gateways = reads[1].Hosts.SelectMany(h => h.Namespaces).SelectMany(n => n.Routes).Where(r => r.Gateway is not null)
            .GroupBy(r => r.Gateway!.ToString()).First(g => g.Count() > 1).Select(r => r.Gateway).ToList();
        Assert.All(gateways, g => Assert.Same(gateways[0], g));
        var again = reads[3].Hosts.SelectMany(h => h.Namespaces).SelectMany(n => n.Routes).First(r => Equals(r.Gateway, gateways[0])).Gateway;
        Assert.NotSame(gateways[0], again);
    }

    [Fact]
    public void Given_an_unknown_property_When_read_Then_the_fast_reader_declines_and_System_Text_Json_reads_it()
    {
        const string json = """{"formatVersion":1,"hosts":[{"name":"h","futureField":{"a":[1,2]},"namespaces":[{"id":"root","isRoot":true}]}]}""";
        Assert.Null(SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json)));
        var snap = SnapshotJson.Deserialize(json, "f.json");
        Assert.Equal("root", Assert.Single(snap.Hosts[0].Namespaces).Id);
    }

    [Fact]
    public void Given_an_old_snapshot_with_root_and_displayName_When_read_fast_Then_they_are_skipped()
    {
        const string json = """{"formatVersion":1,"hosts":[{"name":"h","namespaces":[{"id":"root","isRoot":true,"displayName":"root"}],"root":{"id":"root","isRoot":true}}]}""";
        var snap = SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(snap);
        Assert.Single(snap.Hosts[0].Namespaces);
    }

    [Theory]
    [InlineData("{\"formatVersion\":1,\"hosts\":[{\"name\":\"h\",\"namespaces\":[{\"id\":\"x\",\"links\":[{\"index\":\"two\",\"name\":\"eth0\"}]}]}]}", 1)]
    [InlineData("{\n\"formatVersion\":1,\n\"hosts\":[\n{\"namespaces\":[]}\n]}", 0)]
    [InlineData("{\"formatVersion\":1,\n\"hosts\":[\n{\"name\":\"h\",\n\"namespaces\":[{\"id\":\"x\",\"routes\":[{\"destination\":\"not-an-ip\"}]}]}]}", 4)]
    public void Given_bad_input_When_read_Then_the_error_names_the_file_and_line(string json, int line)
    {
        Assert.Null(SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json)));
        var e = Assert.Throws<InputException>(() => SnapshotJson.Deserialize(json, "bad.json"));
        Assert.Equal("bad.json", e.File);
        if (line > 0) Assert.Equal(line, e.Line);
    }
}
