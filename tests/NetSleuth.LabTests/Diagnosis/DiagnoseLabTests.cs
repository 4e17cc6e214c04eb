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

    internal static DiagnosisReport Diagnose(LabInstance lab)
    {
        var snapshot = new Snapshot();
        foreach (var h in lab.Hosts)
            snapshot.Hosts.Add(LiveCollector.CollectHost(h.CollectOptions()));
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

/// <summary>
/// The bridge-pods lab with changes made by hand after it is built (faults the catalogue has no name for):
/// the kernel's behaviour is the reference for what diagnose must say.
/// </summary>
public sealed class BridgePodsSweepLabTests(ITestOutputHelper output)
{
    private void Run(string prefix, params string[] commands)
    {
        foreach (var c in commands)
        {
            Assert.Contains($" {prefix}-", c, StringComparison.Ordinal);
            var r = Proc.Run("sh", ["-c", c], timeout: TimeSpan.FromSeconds(20));
            output.WriteLine($"$ {c}{(r.Ok ? "" : "\n  " + r.Stderr.Trim())}");
            Assert.True(r.Ok, $"{c}: {r.Stderr}");
        }
    }

    [Fact]
    public void Given_pod1s_veth_down_and_a_wrong_permanent_neighbour_in_pod2_when_diagnosed_then_pod2s_paths_are_the_neighbours()
    {
        var prefix = LabPaths.UniquePrefix("nks");
        try
        {
            using var lab = LabBuilder.Up("bridge-pods", [], prefix);
            Run(prefix,
                $"ip -n {prefix}-n1 link set dev veth-pod1 down",
                $"ip -n {prefix}-n1pod2 neigh replace 198.18.10.1 lladdr 02:00:5e:10:00:99 dev eth0 nud permanent");
            // the kernel: pod2 cannot reach its gateway (its frames carry a MAC nobody has; the bridge never sends them to the down port)
            var ping = Proc.Run("ip", ["netns", "exec", $"{prefix}-n1pod2", "ping", "-c", "1", "-W", "1", "198.18.10.1"], timeout: TimeSpan.FromSeconds(10));
            Assert.False(ping.Ok, "pod2 reached its gateway despite the wrong neighbour entry");

            var r = DiagnoseLabTests.Diagnose(lab);
            output.WriteLine(DiagnosisText.Render(r));

            var neighbour = Assert.Single(r.Findings, f => f.Id == "neighbor-wrong-mac" && f.Title.Contains("n1pod2", StringComparison.Ordinal));
            Assert.Contains(neighbour.BrokenPaths, p => p.Contains("198.18.10.12", StringComparison.Ordinal) || p.Contains("n1pod2", StringComparison.Ordinal));
            var down = Assert.Single(r.Findings, f => f.Id == "link-down");
            Assert.DoesNotContain(down.BrokenPaths, p => p.Contains("198.18.10.12", StringComparison.Ordinal) || p.Contains("n1pod2", StringComparison.Ordinal));
            Assert.DoesNotContain(r.Findings, f => f.Trace is { } t && t.Disposition.Contains("pod2", StringComparison.Ordinal) && t.Hops.Any(h => h.Contains("veth-pod1", StringComparison.Ordinal)));
            Assert.True(r.ProblemFound);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    [Fact]
    public void Given_a_pod_without_its_default_route_when_diagnosed_then_its_way_out_is_reported()
    {
        var prefix = LabPaths.UniquePrefix("nks");
        try
        {
            using var lab = LabBuilder.Up("bridge-pods", [], prefix);
            Run(prefix, $"ip -n {prefix}-n1pod1 route del default");
            var ping = Proc.Run("ip", ["netns", "exec", $"{prefix}-n1pod1", "ping", "-c", "1", "-W", "1", "203.0.113.1"], timeout: TimeSpan.FromSeconds(10));
            Assert.False(ping.Ok, "pod1 reached the node's address without a default route");

            var r = DiagnoseLabTests.Diagnose(lab);
            output.WriteLine(DiagnosisText.Render(r));

            Assert.True(r.ProblemFound);
            var f = Assert.Single(r.Findings, f => f.BrokenPaths.Any(p => p.Contains("n1pod1 → 203.0.113.1", StringComparison.Ordinal)));
            Assert.Equal(Severity.Error, f.Severity);
            Assert.DoesNotContain("No problems found", DiagnosisText.Render(r));
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }
}
