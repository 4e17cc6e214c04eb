using System.Diagnostics;
using NetSleuth.Collect;
using NetSleuth.Diagnosis;
using NetSleuth.Lab;
using NetSleuth.LabTests.Lab;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Topology;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Diagnosis;

/// <summary>
/// The OVN faults of peer-pods-ovn (faults.md #24–26) on real OVN: live collect (NB and SB) + diagnose make each the top
/// finding, and its fix commands, run as printed, make the kernel's ping work again.
/// </summary>
public sealed class OvnFaultsLabTests(ITestOutputHelper output)
{
    private static DiagnosisReport Diagnose(LabInstance lab)
    {
        var snapshot = new Snapshot();
        foreach (var h in lab.Hosts)
            snapshot.Hosts.Add(LiveCollector.CollectHost(h.CollectOptions()));
        return Diagnoser.Run(Linker.Link(snapshot));
    }

    [OvnTheory]
    [InlineData(LabFaults.PortSecurity, "pod", "ovn-port-security-drop")]
    [InlineData(LabFaults.MissingLspAddress, "pod", "ovn-lsp-no-address")]
    [InlineData(LabFaults.TunnelDown, "node2-pod", "ovn-tunnel-down")]
    public void Given_an_OVN_fault_when_diagnosed_live_then_it_is_the_top_finding_and_its_fix_makes_ping_work(string fault, string probe, string id)
    {
        var prefix = LabPaths.UniquePrefix("novf");
        try
        {
            using var lab = LabBuilder.Up("peer-pods-ovn", [fault], prefix);
            Assert.True(lab.Run(lab.Probe(probe)).AllLost);

            var before = Diagnose(lab);
            output.WriteLine(DiagnosisText.Render(before));
            var top = before.Findings[0];
            Assert.Equal(id, top.Id);
            Assert.NotEmpty(top.Fix);
            Assert.True(top.Verification is { Verified: true }, $"fix not verified in the model: {top.Verification}");

            foreach (var step in top.Fix)
            foreach (var command in step.Commands)
            {
                Assert.Contains(prefix, command); // the lab's namespace or its northbound database, never the machine's own
                var r = Proc.Run("sh", ["-c", command], timeout: TimeSpan.FromSeconds(20));
                Assert.True(r.Ok, $"fix command failed: {command}: {r.Stderr}");
            }
            // OVN applies the northbound change through northd and ovn-controller; a Geneve tunnel resolves its next hop on the first packet
            PingResult ping = lab.Run(lab.Probe(probe));
            for (int i = 0; i < 10 && !ping.Succeeded; i++) { Thread.Sleep(500); ping = lab.Run(lab.Probe(probe)); }
            output.WriteLine($"after the fix: {ping}");
            Assert.True(ping.Succeeded, ping.Output);
            Assert.DoesNotContain(Diagnose(lab).Findings, f => f.RootCause == top.RootCause);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
        LabLeftovers.AssertNone(prefix);
    }
}

/// <summary>`lab up peer-pods-ovn` killed (SIGKILL) while OVN starts: `lab down` leaves nothing (no namespace, no ovsdb/ovn
/// process, no run directory).</summary>
[Collection(nameof(SerialLabCollection))]
public sealed class OvnLabKillTests(ITestOutputHelper output)
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "NetSleuth.Cli.dll");

    [OvnFact]
    public void Given_lab_up_peer_pods_ovn_killed_while_OVN_starts_When_lab_down_runs_Then_nothing_is_left()
    {
        var prefix = LabPaths.UniquePrefix("novk");
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Cli, "lab", "up", "peer-pods-ovn", "--fault", "tunnel-down", "--prefix", prefix }) psi.ArgumentList.Add(a);
            using (var up = Process.Start(psi)!)
            {
                // killed once the worker's ovn-controller is started: the control plane and two OVS instances are running
                var pidFile = Path.Combine(LabPaths.WorkDir(prefix), "ovs-worker", "ovn-controller.pid");
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (!File.Exists(pidFile) && !up.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(1);
                Assert.False(up.HasExited, "lab up ended before it could be killed");
                up.Kill();
                up.WaitForExit();
            }
            var deadlineProcs = DateTime.UtcNow.AddSeconds(5);
            while (LabLeftovers.Processes(prefix).Count < 4 && DateTime.UtcNow < deadlineProcs) Thread.Sleep(10);
            var left = LabLeftovers.Processes(prefix);
            output.WriteLine($"left by the killed up: {LabLeftovers.Namespaces(prefix).Count} namespaces, {left.Count} processes");
            foreach (var p in left) output.WriteLine("  " + p);
            Assert.NotEmpty(LabLeftovers.Namespaces(prefix));
            Assert.Contains(left, p => p.Contains("ovn-northd", StringComparison.Ordinal));
            Assert.Contains(left, p => p.Contains("ovsdb-server", StringComparison.Ordinal));

            var down = Proc.Run("dotnet", Cli, "lab", "down", "--prefix", prefix);
            output.WriteLine(down.Stdout);
            Assert.True(down.Ok, down.Stderr);

            LabLeftovers.AssertNone(prefix);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }
}
