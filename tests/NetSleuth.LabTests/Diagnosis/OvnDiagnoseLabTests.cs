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
/// The mission story on real OVN (peer-pods-ovn): live collect (with OVN's northbound view) + diagnose
/// name the MAC mismatch, the ARP step is OVN's responder answering with the LSP MAC, the fix works;
/// with port security, the tracer's br-int verdict is the one `ovs-appctl ofproto/trace` gives.
/// </summary>
public sealed class OvnDiagnoseLabTests(ITestOutputHelper output)
{
    private static DiagnosisReport Diagnose(LabInstance lab)
    {
        var snapshot = new Snapshot();
        foreach (var h in lab.Hosts)
            snapshot.Hosts.Add(LiveCollector.CollectHost(h.CollectOptions()));
        return Diagnoser.Run(Linker.Link(snapshot));
    }

    /// <summary>`ovs-appctl ofproto/trace br-int FLOW` on the worker's private OVS: its "Datapath actions:" line.</summary>
    private static string OfprotoTrace(LabInstance lab, string flow)
    {
        var dir = Path.GetDirectoryName(lab.Host("worker").OvsDb!["unix:".Length..])!;
        var r = Proc.Run("ovs-appctl", ["-t", Path.Combine(dir, "ovs-vswitchd.ctl"), "ofproto/trace", "br-int", flow], timeout: TimeSpan.FromSeconds(10));
        Assert.True(r.Ok, r.Stderr);
        return r.Stdout.Split('\n').Single(l => l.StartsWith("Datapath actions:", StringComparison.Ordinal));
    }

    [OvnFact]
    public void Given_the_mission_on_OVN_when_diagnosed_then_the_mac_mismatch_is_named_the_ARP_step_is_OVNs_and_the_fix_works()
    {
        var prefix = LabPaths.UniquePrefix("novn");
        try
        {
            using var lab = LabBuilder.Up("peer-pods-ovn", [LabFaults.MacMismatch], prefix);
            // Given the worker pinged the pod like the kernel does (fails; its neighbour entry comes from OVN)
            Assert.True(lab.Run(lab.Probes[0]).AllLost);

            var before = Diagnose(lab);
            var text = DiagnosisText.Render(before);
            output.WriteLine(text);
            var top = before.Findings[0];
            Assert.Equal("neighbor-mac-mismatch", top.Id);
            Assert.Contains($"learnt from OVN's ARP responder on br-int, which answers with {PeerPodsMac} (logical switch port default_peerpod)", text);
            // br-int's flows (collected live) are followed: OVN's L2 lookup flow for the pod's MAC, out of the pod's port
            Assert.Contains("metadata=0x2,dl_dst=0a:58:0a:84:02:2e → actions=", text);
            Assert.Contains("(logical switch port default_peerpod) → out 8b7266486ea2861", text);
            // the OVS part agrees with ofproto/trace: to the pod's port, not dropped
            var actions = OfprotoTrace(lab, "in_port=ovn-k8s-mp0,icmp,dl_src=0a:58:c6:12:02:02,dl_dst=0a:58:0a:84:02:2e,nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64");
            output.WriteLine(actions);
            Assert.DoesNotContain("drop", actions);

            foreach (var step in top.Fix)
            foreach (var command in step.Commands)
            {
                Assert.Contains($" {prefix}-", command);
                var r = Proc.Run("sh", ["-c", command], timeout: TimeSpan.FromSeconds(20));
                Assert.True(r.Ok, $"fix command failed: {command}: {r.Stderr}");
            }
            var ping = lab.Run(lab.Probes[0]);
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

    private const string PeerPodsMac = "0a:58:0a:84:02:2e";

    [OvnFact]
    public void Given_a_moved_MAC_when_traced_then_br_int_drops_it_by_port_security_as_ofproto_trace_does()
    {
        var prefix = LabPaths.UniquePrefix("novn");
        try
        {
            using var lab = LabBuilder.Up("peer-pods-ovn", [LabFaults.PortSecurity], prefix);
            Assert.True(lab.Run(lab.Probes[0]).AllLost);
            var text = DiagnosisText.Render(Diagnose(lab));
            output.WriteLine(text);
            Assert.Contains("OvsFlowDrop: OVN port security of default_peerpod on", text);
            Assert.Contains("drops frames to 7e:e5:f7:e6:f5:1a (it allows 0a:58:0a:84:02:2e)", text);
            var actions = OfprotoTrace(lab, "in_port=ovn-k8s-mp0,icmp,dl_src=0a:58:c6:12:02:02,dl_dst=7e:e5:f7:e6:f5:1a,nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64");
            output.WriteLine(actions);
            Assert.Equal("Datapath actions: drop", actions.Trim());
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
        LabLeftovers.AssertNone(prefix);
    }
}
