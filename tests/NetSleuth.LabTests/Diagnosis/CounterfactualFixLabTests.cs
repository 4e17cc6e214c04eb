using NetSleuth.Diagnosis;
using NetSleuth.Lab;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Diagnosis;

/// <summary>
/// Issue 14's proof in the kernel for the counterfactual search: for a lab fault of each kind of candidate the search
/// makes, the lab is built and collected live, the probe's failing path is diagnosed with the checks that explain it
/// switched off (as `bench counterfactual --lab` does: the path is then "unexplained"), the search's best candidate is
/// taken, its commands are run exactly as printed (each one inside this lab's namespaces), and every documented probe of
/// the scenario must then get replies from the kernel. The candidate must also be the kind of fix named for the row (a
/// word of its commands), so a detour that happens to work does not pass for the fix under test.
/// </summary>
public abstract class CounterfactualFixLabTests(ITestOutputHelper output)
{
    protected void Check(string scenario, string fault, string kind)
    {
        var prefix = LabPaths.UniquePrefix("ncf");
        var started = DateTime.UtcNow;
        try
        {
            using var lab = LabBuilder.Up(scenario, [fault], prefix);
            var snapshot = VerifiedFixLabTests.Collect(lab);
            var failing = lab.Probes.FirstOrDefault(p => !p.ExpectSuccess);
            Assert.True(failing is not null, $"{scenario} with {fault}: no documented probe fails");
            Assert.False(lab.Run(failing!).Succeeded, $"{scenario} with {fault}: the probe {failing!.Name} works in the kernel before any fix");

            // Given the probe's path diagnosed with the explaining checks off, and the search's best candidate
            var from = lab.Host(failing.Host);
            var request = new Reachability.Request(failing.Host, failing.Namespace == from.RootNamespace ? null : failing.Namespace,
                System.Net.IPAddress.Parse(failing.TargetIp));
            var log = new List<string>();
            var (skipped, unexplained, broken, restored, best, tried, generated, gaveUp) =
                CounterfactualMeasure.Measure(Linker.Link(snapshot), request, TimeSpan.FromSeconds(60), 200, log: log.Add);
            output.WriteLine($"checks off: {string.Join(", ", skipped)}; unexplained {unexplained}; tried {tried}/{generated}{(gaveUp is null ? "" : "; " + gaveUp)}");
            Assert.True(broken > 0, $"{scenario} with {fault}: no unexplained broken path with the checks off ({string.Join(", ", skipped)})");
            Assert.True(best is not null && restored == broken,
                $"{scenario} with {fault}: the search restores {restored} of {broken}: {best?.Summary()}\n" + string.Join("\n", log));
            output.WriteLine($"best: {best!.Summary()}");
            var commands = best.Fix.SelectMany(s => s.Commands).ToList();
            Assert.Contains(kind, string.Join(" && ", commands), StringComparison.Ordinal);

            // When its commands are run in the lab, exactly as printed
            foreach (var command in commands)
            {
                Assert.True(command.Contains($" {prefix}-", StringComparison.Ordinal), $"fix command outside the lab: {command}");
                var r = Proc.Run("env", [$"OVS_RUNDIR={LabPaths.OvsDir(prefix)}", "sh", "-c", command], timeout: TimeSpan.FromSeconds(20));
                output.WriteLine($"$ {command}{(r.Ok ? "" : "\n  " + r.Stderr.Trim())}");
                Assert.True(r.Ok, $"{scenario} with {fault}: the search's command fails in the kernel: {command}: {r.Stderr}");
            }

            // Then the kernel delivers every documented probe. The probe that failed before the fix left a neighbour FAILED
            // (the pod's ARP across the tunnel); the kernel resolves it again on the next packet, which on a loaded machine
            // can outlast ping's 1 s wait: a probe that fails is sent once more after 2 s, and the retry is logged
            foreach (var p in lab.Probes)
            {
                var ping = lab.Run(p);
                if (!ping.Succeeded)
                {
                    output.WriteLine($"after the fix: {p.Command}: {ping} (once more in 2 s)");
                    Thread.Sleep(TimeSpan.FromSeconds(2));
                    ping = lab.Run(p);
                }
                output.WriteLine($"after the fix: {p.Command}: {ping}");
                Assert.True(ping.Succeeded, $"{scenario} with {fault}: after the search's fix the probe {p.Name} still fails: {ping.Output}");
            }
            output.WriteLine($"{scenario} {fault}: {(DateTime.UtcNow - started).TotalSeconds:F1}s");
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }
}

/// <summary>The route and tunnel candidates (one class per group so xunit runs the two in parallel).</summary>
public sealed class CounterfactualRouteFixLabTests(ITestOutputHelper output) : CounterfactualFixLabTests(output)
{
    [Theory]
    [InlineData("peer-pods", LabFaults.UnderlayNoRoute, "route replace 198.51.100.0/24 dev ens3 proto kernel scope link src ")] // connected route put back
    [InlineData("bridge-pods", LabFaults.NoRoute, "via 203.0.113.17 dev eth1")] // a route via the veth peer's address
    [InlineData("flannel", LabFaults.WrongRemote, "fdb replace 02:00:5e:f1:00:02 dev flannel.1 dst ")] // a VXLAN FDB entry replaced
    [InlineData("peer-pods", LabFaults.VniMismatch, "type vxlan id ")] // the VXLAN device recreated
    [InlineData("peer-pods", LabFaults.WrongRemote, "type vxlan remote ")] // the remote set to the peer's underlay address
    public void Given_a_lab_fault_with_its_checks_off_When_the_searchs_best_fix_is_run_Then_the_kernel_delivers(string scenario, string fault, string kind) =>
        Check(scenario, fault, kind);
}

/// <summary>The device, tc, firewall and sysctl candidates.</summary>
public sealed class CounterfactualDeviceFixLabTests(ITestOutputHelper output) : CounterfactualFixLabTests(output)
{
    [Theory]
    [InlineData("peer-pods", LabFaults.MissingRedirect, "action mirred egress redirect dev eth0")] // the reverse mirred redirect
    [InlineData("peer-pods", LabFaults.DanglingVeth, "type veth peer name eth0 ")] // the veth pair recreated
    [InlineData("peer-pods-ovs", LabFaults.FirewallDrop, "nft delete rule ")]
    [InlineData("bridge-pods", LabFaults.IpForwardOff, "sysctl -w net.ipv4.ip_forward=1")]
    public void Given_a_lab_fault_with_its_checks_off_When_the_searchs_best_fix_is_run_Then_the_kernel_delivers(string scenario, string fault, string kind) =>
        Check(scenario, fault, kind);
}
