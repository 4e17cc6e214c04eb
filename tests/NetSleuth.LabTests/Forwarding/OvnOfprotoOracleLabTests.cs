using System.Net;
using NetSleuth.Collect;
using NetSleuth.Forwarding;
using NetSleuth.Import.Ovs;
using NetSleuth.Lab;
using NetSleuth.LabTests.Lab;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Forwarding;

/// <summary>
/// `ovs-appctl ofproto/trace` as the oracle for the OVS part, on real OVN (peer-pods-ovn, healthy and with each fault):
/// br-int's flows collected live, the evaluator's verdict for a few packets (output ports, or drop) is the one Open vSwitch
/// gives for the same packet; and the tracer's own walk from the worker to the pod leaves br-int where ofproto/trace does.
/// </summary>
public sealed class OvnOfprotoOracleLabTests(ITestOutputHelper output)
{
    private const string Mp0Mac = "0a:58:c6:12:02:02", RouterMac = "0a:58:c6:12:02:01";

    private static string Run(string file, params string[] args)
    {
        var r = Proc.Run(file, args, timeout: TimeSpan.FromSeconds(20));
        Assert.True(r.Ok, $"{file} {string.Join(' ', args)}: {r.Stderr}");
        return r.Stdout;
    }

    private static string WorkerOvsDir(LabInstance lab) => Path.GetDirectoryName(lab.Host("worker").OvsDb!["unix:".Length..])!;

    private static OfprotoTrace OfprotoTrace(LabInstance lab, string flow)
    {
        var text = Run("ovs-appctl", "-t", Path.Combine(WorkerOvsDir(lab), "ovs-vswitchd.ctl"), "ofproto/trace", "br-int", flow);
        return NetSleuth.Import.Ovs.OfprotoTrace.Read(text.Split('\n'))!;
    }

    private static List<string> Ports(OfResult r) =>
        r.Outputs.Where(o => o.Kind != OfOutput.Controller).Select(o => o.Kind == OfOutput.ToPort ? o.Port.ToString() : o.Kind).ToList();

    [OvnTheory]
    [InlineData("")]
    [InlineData(LabFaults.MacMismatch)]
    [InlineData(LabFaults.PortSecurity)]
    [InlineData(LabFaults.MissingLspAddress)]
    [InlineData(LabFaults.TunnelDown)]
    public void Given_OVNs_br_int_collected_live_the_OVS_verdict_is_the_one_ofproto_trace_gives(string fault)
    {
        var prefix = LabPaths.UniquePrefix("novo");
        try
        {
            using var lab = LabBuilder.Up("peer-pods-ovn", fault.Length == 0 ? [] : [fault], prefix);
            var snapshot = new Snapshot();
            foreach (var h in lab.Hosts) snapshot.Hosts.Add(LiveCollector.CollectHost(h.CollectOptions()));
            var worker = snapshot.Hosts.Single(h => h.Name == "worker").Root!;
            var brInt = worker.Ovs!.Bridges.Single(b => b.Name == "br-int");
            Assert.True(brInt.FlowsKnown);
            Assert.True(brInt.Flows.Count > 100, $"{brInt.Flows.Count} flows");

            var nb = "--db=" + lab.Host("worker").OvnNb;
            var pod = Run("ovn-nbctl", nb, "lsp-get-addresses", "default_peerpod").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "0a:58:0a:84:02:2e";
            string[] packets =
            [
                $"in_port=ovn-k8s-mp0,icmp,dl_src={Mp0Mac},dl_dst={pod},nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64,icmp_type=8",
                $"in_port=ovn-k8s-mp0,arp,arp_op=1,dl_src={Mp0Mac},dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=198.18.2.2,arp_tpa=198.18.2.46,arp_sha={Mp0Mac}",
                $"in_port=ovn-k8s-mp0,icmp,dl_src={Mp0Mac},dl_dst={RouterMac},nw_src=198.18.2.2,nw_dst=198.18.4.10,nw_ttl=64,icmp_type=8",
                $"in_port=8b7266486ea2861,icmp,dl_src={pod},dl_dst={Mp0Mac},nw_src=198.18.2.46,nw_dst=198.18.2.2,nw_ttl=64,icmp_type=0",
            ];
            foreach (var flow in packets)
            {
                var oracle = OfprotoTrace(lab, flow);
                var r = OpenFlow.Run(brInt, OpenFlow.PacketOf(oracle.Flow, out var unknown));
                output.WriteLine($"{flow}\n  ofproto/trace: outputs [{string.Join(' ', oracle.Outputs)}], Datapath actions: {oracle.DatapathActions}\n  evaluator:     outputs [{string.Join(' ', Ports(r))}]{(r.Uncertain is { } u ? " uncertain: " + u : "")}");
                Assert.Empty(unknown);
                Assert.Null(r.Uncertain);
                Assert.Equal(oracle.Outputs, Ports(r));
                Assert.Equal(oracle.Dropped, r.Outputs.Count == 0);
            }

            // the tracer's walk worker → pod: where it leaves br-int (a port, or a drop) is where ofproto/trace sends the same frame
            var t = Tracer.Trace(Linker.Link(snapshot), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")));
            var steps = t.Forward.Hops.SelectMany(h => h.Steps).ToList();
            foreach (var s in steps) output.WriteLine("  " + s.Text);
            var resolved = steps.OfType<NeighborStep>().Select(n => n.Mac).Concat(steps.OfType<ArpStep>().Select(a => a.Mac)).First(m => m is not null)!.Value;
            var oracleWalk = OfprotoTrace(lab, $"in_port=ovn-k8s-mp0,icmp,dl_src={Mp0Mac},dl_dst={resolved},nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64,icmp_type=8");
            var leave = steps.OfType<BridgeStep>().Where(b => b.Bridge == "br-int").Last();
            output.WriteLine($"tracer: {t.Forward.Disposition} {leave.OutPort}; ofproto/trace: [{string.Join(' ', oracleWalk.Outputs)}] {oracleWalk.DatapathActions}");
            if (oracleWalk.Dropped)
                Assert.Equal(Disposition.OvsFlowDrop, t.Forward.Disposition);
            else
            {
                var port = int.Parse(Assert.Single(oracleWalk.Outputs));
                var name = brInt.Ports.SelectMany(p => p.Interfaces).Single(i => i.OfPort == port).Name;
                Assert.Equal(name, leave.OutPort);
            }

            // to the pod on node2: the tracer leaves br-int by the Geneve port ofproto/trace outputs to, crosses to node2's br-int
            // and is delivered both ways, or dies in the underlay when the tunnel is down — as the kernel's ping says
            var remote = Tracer.Trace(Linker.Link(snapshot), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.4.10")));
            var oracleRemote = OfprotoTrace(lab, $"in_port=ovn-k8s-mp0,icmp,dl_src={Mp0Mac},dl_dst={RouterMac},nw_src=198.18.2.2,nw_dst=198.18.4.10,nw_ttl=64,icmp_type=8");
            var tunnelPort = brInt.Ports.SelectMany(p => p.Interfaces).Single(i => i.OfPort == int.Parse(Assert.Single(oracleRemote.Outputs))).Name;
            Assert.Equal("ovn-node2-0", tunnelPort);
            var remoteSteps = remote.Forward.Hops.SelectMany(h => h.Steps).OfType<BridgeStep>().ToList();
            Assert.Contains(remoteSteps, b => b.Bridge == "br-int" && b.OutPort == tunnelPort);
            var ping = lab.Run(lab.Probe("node2-pod"));
            output.WriteLine($"worker → 198.18.4.10: tracer {remote.Forward.Disposition} / {remote.Reply?.Disposition}: {remote.Forward.Reason}; ping: {ping}");
            if (fault == LabFaults.TunnelDown)
            {
                Assert.True(ping.AllLost);
                Assert.Equal(Disposition.NeighborUnreachable, remote.Forward.Disposition);
                Assert.Contains("geneve port ovn-node2-0 to 203.0.113.2", remote.Forward.Reason);
            }
            else
            {
                Assert.True(ping.Succeeded, ping.Output);
                Assert.Equal(Disposition.Delivered, remote.Forward.Disposition);
                Assert.Equal(Disposition.Delivered, remote.Reply?.Disposition);
                Assert.Contains(remote.Forward.Hops, h => h.Node.StartsWith("node2", StringComparison.Ordinal) && h.Steps.OfType<BridgeStep>().Any(b => b.InPort == "ovn-worker-0"));
            }
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
        LabLeftovers.AssertNone(prefix);
    }
}
