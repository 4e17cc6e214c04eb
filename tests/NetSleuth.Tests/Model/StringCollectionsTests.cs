using NetSleuth.Model;
using NetSleuth.Model.Collections;

namespace NetSleuth.Tests.Model;

/// <summary>The model's compact sorted string tables behave as the SortedDictionary/SortedSet (ordinal) they replace.</summary>
public sealed class StringCollectionsTests
{
    private static readonly string[] Words = ["net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.rp_filter", "a", "B", "b", "", "ä", "net.ipv4.ip_forward", "Z", "links", "routes4"];

    [Fact]
    public void Given_random_changes_When_applied_to_a_StringMap_and_a_SortedDictionary_Then_they_agree()
    {
        var rng = new Random(3);
        var map = new StringMap();
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int step = 0; step < 2000; step++)
        {
            var k = Words[rng.Next(Words.Length)] + (rng.Next(3) == 0 ? rng.Next(50).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
            switch (rng.Next(4))
            {
                case 0: map[k] = tree[k] = step.ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                case 1: Assert.Equal(tree.Remove(k), map.Remove(k)); break;
                case 2:
                    if (tree.ContainsKey(k)) Assert.Throws<ArgumentException>(() => map.Add(k, "x"));
                    else { map.Add(k, "y"); tree.Add(k, "y"); }
                    break;
                default:
                    Assert.Equal(tree.TryGetValue(k, out var a), map.TryGetValue(k, out var b));
                    Assert.Equal(a, b);
                    break;
            }
            Assert.Equal(tree.Count, map.Count);
        }
        Assert.Equal(tree.ToList(), map.ToList());
        Assert.Equal(tree.Keys.ToList(), map.Keys);
        Assert.Throws<InvalidOperationException>(() => { foreach (var kv in map) map[kv.Key + "!"] = "v"; });
    }

    [Fact]
    public void Given_random_changes_When_applied_to_a_StringSet_and_a_SortedSet_Then_they_agree()
    {
        var rng = new Random(4);
        var set = new StringSet();
        var tree = new SortedSet<string>(StringComparer.Ordinal);
        for (int step = 0; step < 2000; step++)
        {
            var k = Words[rng.Next(Words.Length)] + rng.Next(20).ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (rng.Next(3))
            {
                case 0: Assert.Equal(tree.Add(k), set.Add(k)); break;
                case 1: Assert.Equal(tree.Remove(k), set.Remove(k)); break;
                default: Assert.Equal(tree.Contains(k), set.Contains(k)); break;
            }
        }
        Assert.Equal(tree.ToList(), set.ToList());
    }

    [Fact]
    public void Given_a_namespace_with_sysctls_and_sections_When_written_and_read_both_ways_Then_it_is_the_same_in_order()
    {
        var ns = new NetNamespace { Id = "root", IsRoot = true };
        foreach (var k in new[] { "net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.rp_filter" }) ns.Sysctls[k] = "1";
        ns.Known.UnionWith([Sections.Sysctls, Sections.Links, Sections.Addresses]);
        var snap = new Snapshot { Hosts = [new Host { Name = "h", Namespaces = [ns] }] };
        var json = SnapshotJson.Serialize(snap, indented: false);
        Assert.Contains("\"known\":[\"addresses\",\"links\",\"sysctls\"]", json);
        Assert.Contains("{\"net.ipv4.conf.all.rp_filter\":\"1\",\"net.ipv4.conf.eth0.rp_filter\":\"1\",\"net.ipv4.ip_forward\":\"1\"}", json);
        foreach (bool fast in new[] { true, false })
        {
            SnapshotJson.UseFastReader = fast;
            try { Assert.Equal(json, SnapshotJson.Serialize(SnapshotJson.Deserialize(json, "x.json"), indented: false)); }
            finally { SnapshotJson.UseFastReader = true; }
        }
        // written out of order (by hand): read in order all the same
        var shuffled = json.Replace("\"known\":[\"addresses\",\"links\",\"sysctls\"]", "\"known\":[\"sysctls\",\"addresses\",\"links\"]", StringComparison.Ordinal);
        Assert.Equal(json, SnapshotJson.Serialize(SnapshotJson.Deserialize(shuffled, "x.json"), indented: false));
    }
}
