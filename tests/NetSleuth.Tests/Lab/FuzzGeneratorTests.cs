using NetSleuth.Lab.Fuzz;

namespace NetSleuth.Tests.Lab;

/// <summary>The random lab generator of `netsleuth lab fuzz`: deterministic per seed, broad over 500 seeds, 10.x only.</summary>
public sealed class FuzzGeneratorTests
{
    [Fact]
    public void Given_a_seed_when_generated_twice_then_the_case_is_the_same_whatever_the_prefix()
    {
        var a = FuzzGenerator.Generate(77, "fza");
        var b = FuzzGenerator.Generate(77, "fzb");

        Assert.Equal(a.Commands.Select(c => c.ToString().Replace("fza-", "P-")), b.Commands.Select(c => c.ToString().Replace("fzb-", "P-")));
        Assert.Equal(a.Faults, b.Faults);
        Assert.Equal(a.Probes.Select(p => p.Target), b.Probes.Select(p => p.Target));
        Assert.All(a.Commands, c => Assert.DoesNotContain("192.0.2.", c.ToString()));
    }

    [Fact]
    public void Given_500_seeds_when_generated_then_every_fault_and_topology_feature_appears()
    {
        var faults = new HashSet<string>();
        var features = new HashSet<string>();
        for (int seed = 1; seed <= 500; seed++)
        {
            var c = FuzzGenerator.Generate(seed, "fzg");
            faults.UnionWith(c.Faults);
            foreach (var f in c.Features) features.Add(f.Contains(':') && f.StartsWith('h') ? f[(f.IndexOf(':') + 1)..] : f);
        }

        Assert.Equal(FuzzGenerator.AllFaults.Order(), faults.Order());
        foreach (var f in new[] { "routed", "bridge", "interhost:direct", "interhost:vxlan-remote", "interhost:vxlan-fdb", "interhost:vxlan-fdb-arp",
                     "policy-rules", "permanent-neighbour", "proxy-arp", "peer-pods", "tc-mirred", "x-netns-vxlan" })
            Assert.Contains(f, features);
    }
}
