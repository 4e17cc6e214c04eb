using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Import.Ovs;
using NetSleuth.Model;
using NetSleuth.Topology;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// OpenFlow tables read from `ovs-ofctl dump-flows` and run by the evaluator, held against Open vSwitch's own
/// `ovs-appctl ofproto/trace` of the same packet on the same table (Fixtures/ovs-flows/NOTE.md: captured from the
/// peer-pods-ovs and peer-pods-ovn labs, Open vSwitch 3.1.0).
/// </summary>
public sealed class OpenFlowTests
{
    private const string Dir = "ovs-flows/";

    private static (OvsBridge Bridge, ImportLog Log) Flows(string file, string command)
    {
        var ns = NewNamespace();
        var log = Parse(ns, Dir + file, command);
        return (ns.Ovs!.Bridges.Single(), log);
    }

    private static OfprotoTrace Trace(string file) => OfprotoTrace.Read(Lines(Dir + file))!;

    private static OfResult Run(OvsBridge br, OfprotoTrace trace)
    {
        var packet = OpenFlow.PacketOf(trace.Flow, out var unknown);
        Assert.Empty(unknown);
        return OpenFlow.Run(br, packet);
    }

    private static string Key(OvsFlow f) => $"{f.Table}|{f.Priority}|{f.Cookie ?? "0x0"}";
    private static string Key(OfprotoTraceStep s) => $"{s.Table}|{s.Priority}|{s.Cookie ?? "0x0"}";

    [Fact]
    public void Dump_flows_OpenFlow10_gives_every_flow_with_table_priority_cookie_counters_matches_and_actions()
    {
        var (br, log) = Flows("ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");

        Assert.Empty(log.Warnings);
        Assert.True(br.FlowsKnown);
        Assert.Equal("br-int", br.Name);
        Assert.Equal(10, br.Flows.Count);
        var drop = br.Flows[0];
        Assert.Equal((0, 200, null, 2L), (drop.Table, drop.Priority, drop.Cookie, drop.Packets));
        Assert.Equal(["dl_dst=0a:58:0a:84:02:2e"], drop.Match);
        Assert.Empty(drop.Actions);
        Assert.Equal(2, drop.Source!.Line);
        var t10 = br.Flows.Single(f => f.Cookie == "0x16");
        Assert.Equal((10, 100), (t10.Table, t10.Priority));
        Assert.Equal(["ip", "reg0=0x1", "nw_dst=198.18.2.0/23"], t10.Match);
        Assert.Equal(["resubmit(,20)"], t10.Actions);
        Assert.Equal(["load:0x5->NXM_NX_REG1[]", "output:2"], br.Flows.Single(f => f.Cookie == "0x20").Actions);
        Assert.Equal(["CONTROLLER:65535"], br.Flows[^1].Actions);
    }

    [Theory]
    [InlineData("ovs-ofctl_-O_OpenFlow13_dump-flows_br-int.txt", "ovs-ofctl -O OpenFlow13 dump-flows br-int")]
    [InlineData("ovs-ofctl_--no-stats_dump-flows_br-int.txt", "ovs-ofctl --no-stats dump-flows br-int")]
    [InlineData("ovs-ofctl_--names_dump-flows_br-int.txt", "ovs-ofctl --names dump-flows br-int")]
    [InlineData("ovs-ofctl_-O_OpenFlow13_--names_dump-flows_br-int.txt", "ovs-ofctl -O OpenFlow13 --names dump-flows br-int")]
    public void Other_forms_of_the_same_dump_read_the_same_flows(string file, string command)
    {
        var (reference, _) = Flows("ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        var (br, log) = Flows(file, command);

        Assert.Empty(log.Warnings);
        Assert.True(br.FlowsKnown);
        Assert.Equal(reference.Flows.Select(Key), br.Flows.Select(Key));
        // --names prints ports by name: in_port="ovn-k8s-mp0" for in_port=1, output:"8b7266486ea2861" for output:2
        static string Numbered(string s) => s.Replace("\"ovn-k8s-mp0\"", "1").Replace("\"8b7266486ea2861\"", "2");
        Assert.Equal(reference.Flows.Select(f => string.Join(',', f.Match) + " " + string.Join(',', f.Actions)),
            br.Flows.Select(f => Numbered(string.Join(',', f.Match) + " " + string.Join(',', f.Actions))));
    }

    [Fact]
    public void OVNs_table_is_read_whole_and_every_action_not_modelled_is_named_with_its_line()
    {
        var (br, log) = Flows("ovn_ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");

        var lines = Lines(Dir + "ovn_ovs-ofctl_dump-flows_br-int.txt");
        Assert.Equal(lines.Count(l => l.Contains(" actions=", StringComparison.Ordinal)), br.Flows.Count); // no flow lost
        Assert.True(br.FlowsKnown);
        var warnings = log.Warnings.Select(w => w.Message).ToList();
        Assert.NotEmpty(warnings);
        // conntrack and IPv6 fields are not modelled; push/pop, clone and the tunnel fields OVN uses are
        var notModelled = br.Flows.Select(OpenFlow.NotUnderstood).Where(n => n is not null).ToList();
        Assert.Contains(notModelled, n => n!.Contains("action ct(", StringComparison.Ordinal));
        Assert.Contains(notModelled, n => n!.Contains("match ipv6_src=::", StringComparison.Ordinal));
        Assert.DoesNotContain(notModelled, n => n!.Contains("action push:NXM_NX_REG", StringComparison.Ordinal) || n.Contains("TUN_ID", StringComparison.Ordinal) || n.Contains("action clone(", StringComparison.Ordinal));
        // the first eight named with their lines, the rest counted in one warning
        Assert.Equal(8, warnings.Count(w => w.Contains(" not modelled: a trace that reaches it is uncertain", StringComparison.Ordinal)));
        Assert.Contains($"{notModelled.Count - 8} more flows", Assert.Single(warnings, w => w.Contains("more flows", StringComparison.Ordinal)));
        // each warning stands on a flow line that holds what it names
        foreach (var w in log.Warnings.Where(w => !w.Message.Contains("more warnings", StringComparison.Ordinal) && !w.Message.Contains("more flows", StringComparison.Ordinal)))
        {
            var line = lines[w.Source!.Line - 1];
            var named = w.Message.Split(": ")[2].Split(", ")[0].Split(' ')[1].TrimEnd('…');
            Assert.Contains(named[..Math.Min(named.Length, 20)], line);
        }
    }

    [Fact]
    public void Public_pastes_are_read_from_a_session_and_a_saved_file()
    {
        var one = InputLoader.Load([PathOf(Dir + "public_opennebula-5642_dump-flows_onebr1.txt")]);
        var onebr1 = one.Hosts.Single().Namespaces.Single().Ovs!.Bridges.Single();
        Assert.Equal("onebr1", onebr1.Name);
        Assert.Equal(8, onebr1.Flows.Count);
        Assert.Equal(["arp", "in_port=\"one-0-0\"", "dl_src=02:00:c0:a8:96:02"], onebr1.Flows[4].Match);
        Assert.Equal(["note:00.00.00.00.00.00", "resubmit(,10)"], onebr1.Flows[0].Actions);
        Assert.Equal(653, onebr1.Flows[4].Packets);

        var ns = NewNamespace();
        var log = Parse(ns, Dir + "public_openshift-origin-14713_dump-flows_br0.txt", "ovs-ofctl -O OpenFlow13 dump-flows br0");
        var br0 = ns.Ovs!.Bridges.Single();
        Assert.Equal(11, br0.Flows.Count);
        Assert.Equal(["goto_table:5"], br0.Flows[0].Actions);
        // tun_src is not modelled: named on each of the four lines (one warning, told once for the run)
        Assert.Contains(log.Warnings, w => w.Message.Contains("match tun_src=172.29.246.10", StringComparison.Ordinal) && w.Source!.Line == 1);
    }

    [Fact]
    public void A_saved_dump_with_no_command_line_is_recognised_from_its_content()
    {
        Assert.Equal(["ovs-ofctl", "dump-flows"], NetSleuth.Import.Saved.ContentSniffer.Guess(Lines(Dir + "ovn_ovs-ofctl_dump-flows_br-int.txt")));
        Assert.Equal(["ovs-ofctl", "dump-flows"], NetSleuth.Import.Saved.ContentSniffer.Guess(Lines(Dir + "ovs-ofctl_--no-stats_dump-flows_br-int.txt")));
        Assert.Equal(["ovs-ofctl", "dump-flows"], NetSleuth.Import.Saved.ContentSniffer.Guess(Lines(Dir + "ovs-ofctl_-O_OpenFlow13_dump-flows_br-int.txt")));
    }

    [Fact]
    public void The_drop_flow_drops_as_ofproto_trace_says()
    {
        var (br, _) = Flows("ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        var trace = Trace("ovs-appctl_ofproto-trace_dropped.txt");
        var r = Run(br, trace);

        Assert.True(trace.Dropped);
        Assert.Null(r.Uncertain);
        Assert.Empty(r.Outputs);
        Assert.Equal(trace.Steps.Select(Key), r.Hits.Select(h => Key(h.Flow)));
    }

    [Fact]
    public void The_pipeline_goes_through_the_tables_ofproto_trace_names_and_out_of_its_port()
    {
        // the trace was taken before the drop flow (table 0, priority 200) was added: the same table without it
        var (br, _) = Flows("ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        br.Flows.RemoveAt(0);
        var trace = Trace("ovs-appctl_ofproto-trace_pipeline_delivered.txt");
        var r = Run(br, trace);

        Assert.Null(r.Uncertain);
        Assert.Equal(["0|100|0x0", "10|100|0x16", "20|100|0x20"], trace.Steps.Select(Key));
        Assert.Equal(trace.Steps.Select(Key), r.Hits.Select(h => Key(h.Flow)));
        Assert.Equal([(OfOutput.ToPort, 2)], r.Outputs.Select(o => (o.Kind, o.Port)));
        Assert.Equal(5u, r.Outputs[0].Packet.Reg[1]); // load:0x5->NXM_NX_REG1[] (the trace's final flow: reg1=0x5)
        Assert.Equal(1u, r.Outputs[0].Packet.Reg[0]);
    }

    [Fact]
    public void The_lab_table_is_NORMAL()
    {
        var (br, _) = Flows("normal/ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        var trace = Trace("ovs-appctl_ofproto-trace_normal_delivered.txt");
        var r = Run(br, trace);

        Assert.Equal(trace.Steps.Select(Key), r.Hits.Select(h => Key(h.Flow)));
        Assert.Equal([OfOutput.Normal], r.Outputs.Select(o => o.Kind));
    }

    [Fact]
    public void OVNs_br_int_is_followed_table_by_table_as_ofproto_trace_does()
    {
        var (br, _) = Flows("ovn_ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        var trace = Trace("ovn_ovs-appctl_ofproto-trace_icmp.txt");
        var r = Run(br, trace);

        Assert.Null(r.Uncertain);
        Assert.Equal(trace.Steps.Where(s => s.Matched).Select(Key), r.Hits.Select(h => Key(h.Flow)));
        // `65. reg15=0x3,metadata=0x2, priority 100 … output:3`: port 3 is 8b7266486ea2861 (ovs-ofctl show)
        Assert.Equal([(OfOutput.ToPort, 3)], r.Outputs.Select(o => (o.Kind, o.Port)));
        Assert.Contains(Lines(Dir + "ovn_ovs-ofctl_show_br-int.txt"), l => l.Trim().StartsWith("3(8b7266486ea2861)", StringComparison.Ordinal));
    }

    private static Snapshot Lab(string flows) =>
        InputLoader.Load([PathOf(Dir + "lab-peer-pods-ovs/worker.json"), "worker=" + PathOf(Dir + flows), PathOf(Dir + "lab-peer-pods-ovs/podvm.json")]);

    private static TraceResult TracePod(Snapshot s) =>
        Tracer.Trace(Linker.Link(s), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")));

    [Fact]
    public void Given_the_drop_flow_in_the_input_When_traced_Then_br_int_drops_it_and_names_the_flow_and_its_line()
    {
        var s = Lab("ovs-ofctl_dump-flows_br-int.txt");
        Assert.DoesNotContain(s.Hosts.SelectMany(h => h.Warnings), w => w.Message.Contains("given twice", StringComparison.Ordinal));
        var r = TracePod(s);

        Assert.Equal(Disposition.OvsFlowDrop, r.Forward.Disposition);
        Assert.Equal("worker:br-int", r.Forward.At);
        var step = r.Forward.Hops.SelectMany(h => h.Steps).OfType<OpenFlowStep>().Single();
        Assert.Equal((0, 200, "dl_dst=0a:58:0a:84:02:2e", ""), (step.Table, step.Priority, step.Match, step.Actions));
        Assert.Equal(2, step.Evidence!.Line);
        Assert.DoesNotContain(r.Forward.Assumptions, a => a.Contains("NORMAL", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_the_NORMAL_table_When_traced_Then_it_is_delivered_and_no_longer_assumed()
    {
        var r = TracePod(Lab("normal/ovs-ofctl_dump-flows_br-int.txt"));
        Assert.Equal(Disposition.Delivered, r.Forward.Disposition);
        Assert.Contains(r.Forward.Hops.SelectMany(h => h.Steps), s => s is OpenFlowStep { Table: 0, Priority: 0, Actions: "NORMAL" });
        Assert.DoesNotContain(r.Forward.Assumptions, a => a.Contains("are not in the input", StringComparison.Ordinal));

        var without = TracePod(InputLoader.Load([PathOf(Dir + "lab-peer-pods-ovs/worker.json"), PathOf(Dir + "lab-peer-pods-ovs/podvm.json")]));
        Assert.Contains(without.Forward.Assumptions, a => a.Contains("`ovs-ofctl dump-flows br-int`", StringComparison.Ordinal));
    }
}
