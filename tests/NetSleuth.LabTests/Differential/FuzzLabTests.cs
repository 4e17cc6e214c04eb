using NetSleuth.Lab;
using NetSleuth.Lab.Fuzz;
using NetSleuth.Probe;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Differential;

/// <summary>
/// A fixed handful of `netsleuth lab fuzz` seeds, run in CI: each builds its random lab, probes it for real with
/// tracefs recording the kernel's path, and the tracer must give the kernel's answer (delivered or not, and the
/// drop reason and place wherever the kernel reports one). The seeds are those whose disagreements were fixed
/// (docs/fuzz.md), so a regression of any of those fixes fails here; the full run is `lab fuzz --seeds 1..500`.
/// </summary>
[Collection(nameof(NetSleuth.LabTests.Lab.SerialLabCollection))] // tracefs sees every packet on the machine: no other lab test may run beside it
public sealed class FuzzLabTests(ITestOutputHelper output)
{
    /// <summary>4: a remote-less VXLAN with no FDB entry (NO_TX_TARGET); 6: an FDB dst nobody has (the outer packet's ARP);
    /// 13: forwarding off with no route (IP_INADDRERRORS); 36: a large UDP answer through a smaller VXLAN MTU;
    /// 1, 8, 16: routed and bridged pods, x-netns VXLAN with tc mirred, three hosts on a switch;
    /// 5: ARP across a tunnel whose outer packet a prohibit route discards (NEIGH_FAILED); 10: an x-netns VXLAN
    /// remote nobody on the underlay has (decided, not undecided); 85: ARP carried to a far VXLAN with another VNI
    /// (VXLAN_VNI_NOT_FOUND at the far end); 310: a bridged reply dropped by a forward rule through br_netfilter;
    /// 374: ARP ignored where rp_filter refuses the sender; 431: a bridge that floods to no port (NO_TX_TARGET);
    /// 139: a TCP probe sent just after the lab comes up, while its bridges' IGMPv3 reports (40 bytes, like a bare
    /// ACK) are freed on every pod's eth0 (NOT_SPECIFIED in ip_rcv_finish_core, not the probe's); 177: a far host with
    /// no route back (the SYN consumed, nothing tied to the probe).</summary>
    public static TheoryData<int> Seeds => new([1, 4, 5, 6, 8, 10, 13, 16, 36, 85, 139, 177, 310, 374, 431]);

    [Theory, MemberData(nameof(Seeds))]
    public void Given_a_random_lab_of_a_fixed_seed_when_probed_for_real_then_the_tracer_gives_the_kernels_answer(int seed)
    {
        var prefix = LabPaths.UniquePrefix("fzci");
        var runner = new FuzzRunner(new FuzzOptions
        {
            FirstSeed = seed, LastSeed = seed, Prefix = prefix, Shrink = false, Log = output.WriteLine,
        });
        FuzzSummary s;
        try { s = runner.Run(); }
        finally { runner.TearDown(); }
        output.WriteLine(s.ToString());

        Assert.Equal(0, s.BuildFailures);
        Assert.True(s.Probes >= 4, $"{s.Probes} probes");
        Assert.True(s.VerdictDiffers + s.WhereDiffers == 0, string.Join("\n", s.Disagreements.Select(d => d.Line)));
        // and nothing of the lab is left
        var left = NetSleuth.Util.Proc.Run("ip", "netns", "list").Stdout.Split('\n').Where(l => l.StartsWith(prefix + "-", StringComparison.Ordinal)).ToList();
        Assert.Empty(left);
    }
}
