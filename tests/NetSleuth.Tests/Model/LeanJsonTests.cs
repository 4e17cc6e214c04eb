using System.Net;
using System.Text;
using NetSleuth.Model;
using NetSleuth.Model.FastJson;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Model;

/// <summary>The lean writer (empty lists, false flags and model defaults left out; whole-output sources as
/// strings) and the full form older versions wrote must read back to the same model, by both readers.</summary>
public sealed class LeanJsonTests
{
    private static Snapshot ReadStj(string json)
    {
        SnapshotJson.UseFastReader = false;
        try { return SnapshotJson.Deserialize(Encoding.UTF8.GetBytes(json), "x.json"); }
        finally { SnapshotJson.UseFastReader = true; }
    }

    private static Snapshot ReadFast(string json) =>
        SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json)) ?? throw new InvalidOperationException("fast reader declined: " + SnapshotFastReader.LastBail);

    [Theory]
    [InlineData(SynthStyle.PeerPods)]
    [InlineData(SynthStyle.Bridge)]
    public void Given_a_generated_cluster_When_written_lean_and_read_back_Then_the_model_is_unchanged(SynthStyle style)
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(4, 3, style, Faults: 4, Seed: 5)).GenerateAll();
        string full = SnapshotJson.SerializeFull(snap);
        string lean = SnapshotJson.Serialize(snap, indented: false);

        Assert.True(lean.Length < full.Length * 0.85, $"lean {lean.Length} bytes, full {full.Length}");
        Assert.Equal(full, SnapshotJson.SerializeFull(ReadFast(lean)));
        Assert.Equal(full, SnapshotJson.SerializeFull(ReadStj(lean)));
        Assert.Equal(full, SnapshotJson.SerializeFull(SnapshotJson.Deserialize(SnapshotJson.Serialize(snap, indented: true), "x.json")));
    }

    [Fact]
    public void Given_a_snapshot_in_the_old_full_form_When_read_Then_both_readers_give_the_model_it_was_written_from()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(3, 2, SynthStyle.Ovs, Faults: 3, Seed: 9)).GenerateAll();
        string full = SnapshotJson.SerializeFull(snap);
        Assert.Contains("\"flags\":[]", full);
        Assert.Contains("\"source\":{\"file\":", full);

        Assert.Equal(full, SnapshotJson.SerializeFull(ReadFast(full)));
        Assert.Equal(full, SnapshotJson.SerializeFull(ReadStj(full)));
    }

    [Fact]
    public void Given_fields_at_their_defaults_When_written_Then_they_are_left_out_and_other_values_are_kept()
    {
        var ns = new NetNamespace { Id = "root", IsRoot = true };
        ns.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.0.0/24"), Device = "eth0", Source = new SourceRef("ip -d -j route show table all") });
        ns.Routes.Add(new Route { Destination = IpPrefix.Parse("198.18.0.1/32"), Type = RouteTypes.Local, Table = RouteTables.Local, Flags = ["onlink"] });
        ns.Rules.Add(new Rule { Priority = 0, Table = RouteTables.Local });
        ns.Rules.Add(new Rule { Priority = 10, Family = "inet6", Not = true, Action = "goto", Source = new SourceRef("rules.txt", 3) });
        ns.Links.Add(new Link { Index = 1, Name = "lo", ExtraInfo = [], Promiscuity = 0 });
        var snap = new Snapshot { Hosts = [new Host { Name = "h", Namespaces = [ns] }] };

        string lean = SnapshotJson.Serialize(snap, indented: false);

        Assert.StartsWith("{\"formatVersion\":1,", lean);
        Assert.Contains("{\"destination\":\"198.18.0.0/24\",\"device\":\"eth0\",\"source\":\"ip -d -j route show table all\"}", lean);
        Assert.Contains("{\"type\":\"local\",\"destination\":\"198.18.0.1/32\",\"table\":255,\"flags\":[\"onlink\"]}", lean);
        Assert.Contains("{\"priority\":0,\"table\":255}", lean);
        Assert.Contains("{\"priority\":10,\"family\":\"inet6\",\"not\":true,\"action\":\"goto\",\"source\":{\"file\":\"rules.txt\",\"line\":3}}", lean);
        // a nullable map that is empty is not the same as an absent one; a reported 0 is not "not reported"
        Assert.Contains("{\"index\":1,\"name\":\"lo\",\"promiscuity\":0,\"extraInfo\":{}}", lean);
        Assert.DoesNotContain("\"warnings\"", lean);

        foreach (var back in new[] { ReadFast(lean), ReadStj(lean) })
        {
            var bns = back.Hosts[0].Namespaces[0];
            Assert.True(bns.IsRoot);
            Assert.Equal((RouteTypes.Unicast, RouteTables.Main), (bns.Routes[0].Type, bns.Routes[0].Table));
            Assert.Equal(new SourceRef("ip -d -j route show table all"), bns.Routes[0].Source);
            Assert.Equal(("inet", "to_tbl", false), (bns.Rules[0].Family, bns.Rules[0].Action, bns.Rules[0].Not));
            Assert.Equal(new SourceRef("rules.txt", 3), bns.Rules[1].Source);
            Assert.NotNull(bns.Links[0].ExtraInfo);
            Assert.Empty(bns.Links[0].Flags);
            Assert.Equal(0, bns.Links[0].Promiscuity);
        }
    }

    [Fact]
    public void Given_a_source_that_is_neither_a_string_nor_an_object_When_read_Then_the_error_names_the_file_and_line()
    {
        const string json = "{\"formatVersion\":1,\n\"hosts\":[{\"name\":\"h\",\n\"namespaces\":[{\"id\":\"x\",\"routes\":[{\"destination\":\"198.18.0.0/24\",\n\"source\":7}]}]}]}";
        Assert.Null(SnapshotFastReader.TryRead(Encoding.UTF8.GetBytes(json)));
        var e = Assert.Throws<InputException>(() => SnapshotJson.Deserialize(json, "bad.json"));
        Assert.Equal(("bad.json", 4), (e.File, e.Line));
    }
}
