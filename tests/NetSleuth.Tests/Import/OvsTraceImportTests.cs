using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Import;

/// <summary>
/// Saved `ovs-appctl ofproto/trace` and `ovn-trace` outputs as inputs (Fixtures/ovn-flows, captured from the peer-pods-ovn
/// lab: Open vSwitch 3.1.0, OVN 23.03.1): recognised from their content, read into the model, shown in the trace beside the
/// tracer's own verdict; a cut or foreign file is named with its line.
/// </summary>
public sealed class OvsTraceImportTests
{
    private const string Dir = "ovn-flows/";

    private static Snapshot Load(params string[] files) => InputLoader.Load([.. files.Select(f => "worker=" + PathOf(Dir + f))]);

    [Fact]
    public void A_saved_ofproto_trace_is_read_with_its_packet_outputs_and_datapath_actions()
    {
        var s = Load("port-security/worker_ovs-appctl_ofproto-trace_icmp-pod.txt", "healthy/worker_ovs-appctl_ofproto-trace_icmp-remote.txt");

        var traces = s.Hosts.Single().Root!.Ovs!.Traces;
        Assert.Equal(2, traces.Count);
        var drop = traces.Single(t => t.Dropped);
        Assert.Equal(("ofproto/trace", "br-int", "Datapath actions: drop"), (drop.Tool, drop.Bridge, drop.Verdict));
        Assert.StartsWith("icmp,in_port=2,", drop.Flow);
        Assert.Equal(1, drop.Source!.Line);
        Assert.EndsWith("worker_ovs-appctl_ofproto-trace_icmp-pod.txt", drop.Source.File);
        var remote = traces.Single(t => !t.Dropped);
        Assert.Equal(["2"], remote.Outputs); // output:2, the Geneve port, even though the native tunnel's ARP was still unresolved
    }

    [Fact]
    public void A_saved_ovn_trace_is_read_with_the_logical_output_port_or_the_dropping_stage()
    {
        var ok = Load("healthy/ovn-trace_icmp-pod.txt").Hosts.Single().Root!.Ovn!.Traces.Single();
        Assert.Equal(("ovn-trace", "worker", false, "output to default_peerpod"), (ok.Tool, ok.Bridge, ok.Dropped, ok.Verdict));

        var ps = Load("port-security/ovn-trace_icmp-pod.txt").Hosts.Single().Root!.Ovn!.Traces.Single();
        Assert.Equal((true, "drop at ls_out_apply_port_sec (worker)"), (ps.Dropped, ps.Verdict));

        var missing = Load("missing-lsp-address/ovn-trace_icmp-pod.txt").Hosts.Single().Root!.Ovn!.Traces.Single();
        Assert.Equal((true, "drop at ls_in_l2_unknown (worker)"), (missing.Dropped, missing.Verdict));
    }

    [Fact]
    public void A_cut_ofproto_trace_and_an_ovn_trace_without_pipeline_are_named_with_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory("netsleuth-trace-").FullName;
        try
        {
            var lines = File.ReadAllLines(PathOf(Dir + "port-security/worker_ovs-appctl_ofproto-trace_icmp-pod.txt"));
            var cut = Path.Combine(dir, "ovs-appctl_ofproto-trace_cut.txt");
            File.WriteAllLines(cut, lines.Take(lines.Length / 2));
            var header = Path.Combine(dir, "ovn-trace_header-only.txt");
            File.WriteAllLines(header, File.ReadAllLines(PathOf(Dir + "healthy/ovn-trace_icmp-pod.txt")).Take(1));
            var s = InputLoader.Load(["worker=" + cut, "worker=" + header]);
            var warnings = s.Hosts.Single().Warnings;

            var w1 = Assert.Single(warnings, w => w.Source?.File == cut);
            Assert.Contains("no 'Datapath actions:' line", w1.Message);
            Assert.Equal(lines.Length / 2, w1.Source!.Line);
            var w2 = Assert.Single(warnings, w => w.Source?.File == header);
            Assert.Contains("no ingress(dp=…) pipeline", w2.Message);
            Assert.Equal(1, w2.Source!.Line);
            Assert.Null(s.Hosts.Single().Root?.Ovs?.Traces.FirstOrDefault());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Given_a_saved_ofproto_trace_and_ovn_trace_of_the_packet_When_traced_Then_both_verdicts_are_steps_with_their_file()
    {
        var lab = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ovn", "lab-port-security");
        var s = InputLoader.Load([
            "worker=" + Path.Combine(lab, "worker.json"), "node2=" + Path.Combine(lab, "node2.json"), "podvm=" + Path.Combine(lab, "podvm.json"),
            "worker=" + PathOf(Dir + "port-security/worker_ovs-appctl_ofproto-trace_icmp-pod.txt"),
            "worker=" + PathOf(Dir + "port-security/ovn-trace_icmp-pod.txt"),
        ]);

        var r = Tracer.Trace(Linker.Link(s), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")));

        Assert.Equal(Disposition.OvsFlowDrop, r.Forward.Disposition);
        var steps = r.Forward.Hops.SelectMany(h => h.Steps).OfType<BridgeStep>().ToList();
        var of = Assert.Single(steps, b => b.Decision.StartsWith("`ovs-appctl ofproto/trace` of this packet", StringComparison.Ordinal));
        Assert.EndsWith("Datapath actions: drop", of.Decision);
        Assert.EndsWith("worker_ovs-appctl_ofproto-trace_icmp-pod.txt", of.Evidence!.File);
        var ovn = Assert.Single(steps, b => b.Decision.StartsWith("`ovn-trace` of this packet", StringComparison.Ordinal));
        Assert.EndsWith("drop at ls_out_apply_port_sec (worker)", ovn.Decision);
    }
}
