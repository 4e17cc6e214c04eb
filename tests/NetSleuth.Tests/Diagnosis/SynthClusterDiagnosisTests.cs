using NetSleuth.Diagnosis;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// Diagnose on generated clusters: every fault kind the style can place is placed once (on its own node),
/// and diagnose must name each of them — including the ones only visible against the other nodes (a
/// blackhole over another node's pods, a missing cluster route, forwarding off) — and raise nothing else.
/// </summary>
public sealed class SynthClusterDiagnosisTests
{
    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_every_fault_kind_placed_When_diagnosed_Then_each_is_found_and_nothing_else_is_raised(SynthStyle style)
    {
        var probe = new SynthOptions(24, 6, style, Seed: 7);
        int kinds = ClusterGenerator.FaultNames(probe).Count;
        var (snap, manifest) = new ClusterGenerator(probe with { Faults = kinds }).GenerateAll();

        var report = Diagnoser.Run(Linker.Link(snap));
        var (missed, falseAlarms) = FaultScore.Score(manifest, report);

        Assert.True(missed.Count == 0, "missed: " + string.Join("; ", missed.Select(f => $"{f.Name} on {f.Host}")));
        Assert.True(falseAlarms.Count == 0, "not placed: " + string.Join("; ", falseAlarms.Select(f => f.ToString())));
    }

    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_a_healthy_cluster_When_diagnosed_Then_no_warning_or_error_is_raised(SynthStyle style)
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(12, 5, style, Seed: 11)).GenerateAll();

        var report = Diagnoser.Run(Linker.Link(snap));

        Assert.Empty(report.Findings.Where(f => f.Severity >= Severity.Warning).Select(f => f.ToString()));
        Assert.Equal(0, report.PathsBroken);
    }
}
