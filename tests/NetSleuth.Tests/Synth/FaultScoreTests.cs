using NetSleuth.Diagnosis;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Synth;

/// <summary>FaultScore counts a placed fault as found only when a finding of that fault's kind names it.</summary>
public sealed class FaultScoreTests
{
    private static readonly PlacedFault Down = new(10, "link-down", "node-0003", "root", "eth1", null, "eth1 of node-0003 set down");

    private static Finding Finding(string id, params string[] alsoSeenAs) => new()
    {
        Id = id, Severity = Severity.Error, Title = $"node-0003: {id} on eth1", Explanation = "",
        RootCause = id + ":node-0003", AlsoSeenAs = [.. alsoSeenAs],
        Evidence = [new Evidence("node-0003", null, "device", "eth1 mtu 1500 DOWN", null)],
    };

    private static DiagnosisReport Report(params Finding[] findings) => new() { Findings = findings, Hosts = ["node-0003"] };

    private static FaultManifest Manifest => new(7, "bridge", 4, 2, [Down]);

    [Fact]
    public void Given_only_a_finding_of_another_kind_names_the_faulted_device_when_scored_then_the_fault_is_missed()
    {
        var (missed, _) = FaultScore.Score(Manifest, Report(Finding("missing-route")));

        Assert.Equal([Down], missed);
    }

    [Fact]
    public void Given_a_finding_of_the_faults_kind_names_it_when_scored_then_the_fault_is_found()
    {
        var (missed, falseAlarms) = FaultScore.Score(Manifest, Report(Finding("link-down"), Finding("missing-route")));

        Assert.Empty(missed);
        Assert.Empty(falseAlarms);
    }

    [Fact]
    public void Given_the_faults_kind_was_merged_into_another_finding_when_scored_then_the_fault_is_found()
    {
        var (missed, _) = FaultScore.Score(Manifest, Report(Finding("missing-route", "link-down")));

        Assert.Empty(missed);
    }

    [Fact]
    public void Given_the_fault_catalogue_when_listed_then_every_fault_has_the_finding_kinds_that_diagnose_it()
    {
        foreach (var kind in FaultCatalog.All)
            Assert.True(FaultScore.Kinds.ContainsKey(kind.Name), $"{kind.Name} has no finding kinds in FaultScore.Kinds");
    }
}
