using NetSleuth.Collect;
using NetSleuth.Diagnosis;
using NetSleuth.Lab;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Topology;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Diagnosis;

/// <summary>
/// Closes the loop in real namespaces: build a lab with one fault, collect it live, diagnose — the top
/// finding is the injected fault; run the printed fix commands — the ping now succeeds and diagnose
/// reports no error. Healthy labs give no error. One class per scenario so xunit runs them in parallel.
/// </summary>
public abstract class DiagnoseLabTests(ITestOutputHelper output)
{
    /// <summary>The stem of the lab prefix (each engineer's tests use their own).</summary>
    protected virtual string PrefixStem => "ndg";

    protected void Check(string scenario, string fault, string[] expectedTop, bool fixable = true)
    {
        var prefix = LabPaths.UniquePrefix(PrefixStem);
        try
        {
            using var lab = LabBuilder.Up(scenario, fault.Length == 0 ? [] : fault.Split('+'), prefix);
            var before = Diagnose(lab);
            output.WriteLine(DiagnosisText.Render(before));
            if (expectedTop.Length == 0)
            {
                Assert.False(before.HasErrors, "expected no error finding");
                return;
            }
            var top = before.Findings[0];
            Assert.Contains(top.Id, expectedTop);
            if (!fixable) return;

            foreach (var step in top.Fix)
            foreach (var command in step.Commands)
            {
                // only ever inside this lab's namespaces
                Assert.True(command.Contains($" {prefix}-", StringComparison.Ordinal), $"fix command outside the lab: {command}");
                var r = Proc.Run("sh", ["-c", command], timeout: TimeSpan.FromSeconds(20));
                output.WriteLine($"$ {command}{(r.Ok ? "" : "\n  " + r.Stderr.Trim())}");
                Assert.True(r.Ok, $"fix command failed: {command}: {r.Stderr}");
            }

            var probe = lab.Probes[0];
            var ping = lab.Run(probe);
            output.WriteLine($"after the fix: {probe.Command}: {ping}");
            Assert.True(ping.Succeeded, $"after the fix the ping still fails: {ping.Output}");
            var after = Diagnose(lab);
            output.WriteLine(DiagnosisText.Render(after));
            Assert.False(after.HasErrors, "after the fix diagnose still reports an error");
            Assert.DoesNotContain(after.Findings, f => f.RootCause == top.RootCause);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    private static DiagnosisReport Diagnose(LabInstance lab)
    {
        var snapshot = new Snapshot();
        foreach (var h in lab.Hosts)
            snapshot.Hosts.Add(LiveCollector.CollectHost(new CollectOptions
            {
                HostName = h.Name,
                RootNamespace = h.RootNamespace,
                Namespaces = [.. h.Others],
                OvsDb = h.OvsDb is { } db && db.StartsWith("unix:", StringComparison.Ordinal) ? db["unix:".Length..] : h.OvsDb,
                Origin = "lab",
            }));
        return Diagnoser.Run(Linker.Link(snapshot));
    }
}

public sealed class PeerPodsDiagnoseLabTests(ITestOutputHelper output) : DiagnoseLabTests(output)
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("missing-permanent-neighbor+mac-mismatch", new string[0])] // faults.md #3: works, no finding
    [InlineData("mac-mismatch", new[] { "neighbor-mac-mismatch" })]
    [InlineData("missing-redirect", new[] { "tc-redirect-missing" })]
    [InlineData("vni-mismatch", new[] { "vxlan-vni-mismatch" })]
    [InlineData("port-mismatch", new[] { "vxlan-dstport-mismatch" })]
    [InlineData("wrong-remote", new[] { "vxlan-remote-wrong" })]
    [InlineData("firewall-drop", new[] { "firewall-drop" })]
    [InlineData("link-down", new[] { "link-down" })]
    [InlineData("no-route", new[] { "no-route" })]
    [InlineData("dangling-veth", new[] { "veth-peer-missing" })]
    [InlineData("wrong-master", new[] { "bridge-port-wrong-master" })]
    [InlineData("underlay-no-route", new[] { "tunnel-underlay-no-route" })]
    public void Given_the_peer_pods_lab_with_a_fault_when_diagnosed_and_fixed_then_the_ping_works(string fault, string[] top) =>
        Check("peer-pods", fault, top);

    [Fact]
    public void Given_the_peer_pods_lab_with_a_small_underlay_mtu_when_diagnosed_then_the_top_finding_is_the_mtu() =>
        Check("peer-pods", "mtu", ["mtu-overlay-too-large"], fixable: false);
}

public sealed class BridgePodsDiagnoseLabTests(ITestOutputHelper output) : DiagnoseLabTests(output)
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("firewall-drop", new[] { "firewall-drop" })]
    [InlineData("link-down", new[] { "link-down" })]
    [InlineData("no-route", new[] { "no-return-route" })]
    [InlineData("stale-neighbor", new[] { "neighbor-wrong-mac" })]
    [InlineData("ip-forward-off", new[] { "ip-forward-disabled" })]
    [InlineData("rp-filter", new[] { "rp-filter-drop" })]
    [InlineData("dangling-veth", new[] { "veth-peer-missing" })]
    [InlineData("wrong-master", new[] { "bridge-port-wrong-master" })]
    public void Given_the_bridge_pods_lab_with_a_fault_when_diagnosed_and_fixed_then_the_ping_works(string fault, string[] top) =>
        Check("bridge-pods", fault, top);
}
