using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>
/// <see cref="TunnelLinker.PairSet"/>: the tunnel linker's pairs (from, to) of VXLAN devices by place, a bit per possible
/// pair for a list of up to 8,192 devices, a hashed number per pair above. Both forms must answer as a set of pairs does,
/// order of the two places included; the tests of the linker only reach the bit form (their clusters are small).
/// </summary>
public sealed class PairSetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(8192)] // the last size with bits
    [InlineData(9000)] // hashed
    public void Given_a_list_of_devices_When_pairs_are_added_and_asked_Then_the_set_answers_as_a_set_of_ordered_pairs(int devices)
    {
        var set = new TunnelLinker.PairSet(0, devices);
        var expected = new HashSet<(int, int)>();
        var random = new Random(devices);
        for (int i = 0; i < 20_000; i++)
        {
            int a = random.Next(devices), b = random.Next(devices);
            // the mesh's pattern: both ways round, and the extremes of the key
            foreach (var (x, y) in new[] { (a, b), (b, a), (devices - 1, a), (0, devices - 1) })
                if (random.Next(3) == 0)
                    Assert.Equal(expected.Add((x, y)), set.Add(x, y));
                else
                    Assert.Equal(expected.Contains((x, y)), set.Contains(x, y));
        }
        Assert.Equal(expected.Count, set.Count);
        Assert.True(expected.Count > 10 || devices == 1);
    }
}
