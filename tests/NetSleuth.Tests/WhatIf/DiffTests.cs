using System.Text.Json;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Tests.Cli;

namespace NetSleuth.Tests.WhatIf;

/// <summary>`netsleuth diff A B` on a synthetic cluster before and after two faults are placed.</summary>
public sealed class DiffTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netsleuth-diff-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, Snapshot s)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        foreach (var h in s.Hosts) File.WriteAllText(Path.Combine(dir, h.Name + ".json"), SnapshotJson.Serialize(new Snapshot { Hosts = [h] }));
        return dir;
    }

    [Fact]
    public void Given_a_cluster_before_and_after_two_faults_when_diffed_then_the_objects_and_the_path_that_broke_are_listed()
    {
        var (healthy, _) = new ClusterGenerator(new SynthOptions(6, 3, SynthStyle.Ovs, Seed: 5)).GenerateAll();
        var (faulty, manifest) = new ClusterGenerator(new SynthOptions(6, 3, SynthStyle.Ovs, Seed: 5) with { Faults = 2 }).GenerateAll();
        var a = Write("a", healthy);
        var b = Write("b", faulty);

        var (code, json, err) = CliTests.Run("diff", a, b, "--format", "json");

        Assert.True(code == 3, err);
        using var doc = JsonDocument.Parse(json);
        var objects = doc.RootElement.GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(manifest.Faults.Count, objects.Count);
        foreach (var fault in manifest.Faults)
            Assert.Contains(objects, o => o.GetProperty("host").GetString() == fault.Host);
        Assert.Contains(objects, o => o.GetProperty("change").GetString() == "changed" && o.GetProperty("after").GetString()!.Contains(" DOWN", StringComparison.Ordinal)
            && o.GetProperty("sourceAfter").GetString() is not null);
        var path = Assert.Single(doc.RootElement.GetProperty("pathChanges").EnumerateArray());
        Assert.Equal(("works", "broken"), (path.GetProperty("before").GetString(), path.GetProperty("after").GetString()));

        (code, var text, err) = CliTests.Run("diff", a, a);
        Assert.True(code == 0, err);
        Assert.StartsWith($"diff {a} → {a}: 0 objects differ; 0 of ", text);
    }
}
