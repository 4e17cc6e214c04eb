using NetSleuth.Forwarding;
using NetSleuth.Import.Ovs;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// The evaluator on OVN's real br-int (Fixtures/ovn-flows: `ovs-ofctl dump-flows br-int` of the peer-pods-ovn lab's worker,
/// healthy and with each OVN fault, Open vSwitch 3.1.0 / OVN 23.03.1, captured by capture.sh) against
/// `ovs-appctl ofproto/trace` of the same packet on the same table: the same flows, the same output ports, the same drops.
/// </summary>
public sealed class OvnPipelineTests
{
    private const string Dir = "ovn-flows/";

    private static OvsBridge Flows(string state)
    {
        var ns = NewNamespace();
        var log = Parse(ns, $"{Dir}{state}/worker_ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        return ns.Ovs!.Bridges.Single();
    }

    private static OfprotoTrace Trace(string state, string packet) =>
        OfprotoTrace.Read(Lines($"{Dir}{state}/worker_ovs-appctl_ofproto-trace_{packet}.txt"))!;

    private static (OfResult Result, OfprotoTrace Trace) Run(string state, string packet)
    {
        var trace = Trace(state, packet);
        var p = OpenFlow.PacketOf(trace.Flow, out var unknown);
        Assert.Empty(unknown);
        return (OpenFlow.Run(Flows(state), p), trace);
    }

    private static string Key(OvsFlow f) => $"{f.Table}|{f.Priority}|{f.Cookie ?? "0x0"}";
    private static string Key(OfprotoTraceStep s) => $"{s.Table}|{s.Priority}|{s.Cookie ?? "0x0"}";
    private static List<string> Ports(OfResult r) =>
        r.Outputs.Where(o => o.Kind != OfOutput.Controller).Select(o => o.Kind == OfOutput.ToPort ? o.Port.ToString() : o.Kind).ToList();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var state in new[] { "healthy", "port-security", "missing-lsp-address", "tunnel-down" })
            foreach (var packet in new[] { "icmp-pod", "arp-pod", "icmp-remote", "icmp-from-pod" })
                data.Add(state, packet);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_evaluator_goes_through_the_flows_ofproto_trace_names_and_outputs_where_it_does(string state, string packet)
    {
        var (r, trace) = Run(state, packet);

        Assert.Null(r.Uncertain);
        Assert.Equal(trace.Steps.Where(s => s.Matched).Select(Key), r.Hits.Select(h => Key(h.Flow)));
        Assert.Equal(trace.Outputs, Ports(r));
        Assert.Equal(trace.Dropped, r.Outputs.Count == 0);
    }

    [Fact]
    public void Healthy_the_ARP_responder_answers_back_out_of_ovn_k8s_mp0_with_the_pods_LSP_MAC()
    {
        var (r, trace) = Run("healthy", "arp-pod");

        var reply = Assert.Single(r.Outputs);
        Assert.Equal((OfOutput.ToPort, 1), (reply.Kind, reply.Port)); // 1(ovn-k8s-mp0), the port it came in by
        Assert.Equal(2, reply.Packet.ArpOp);
        Assert.Equal(MacAddress.Parse("0a:58:0a:84:02:2e"), new MacAddress(reply.Packet.ArpSha));
        Assert.Equal(MacAddress.Parse("0a:58:0a:84:02:2e"), new MacAddress(reply.Packet.DlSrc));
        Assert.Contains("sha=0a:58:0a:84:02:2e", trace.DatapathActions);
    }

    [Fact]
    public void Port_security_the_ARP_responder_answers_with_the_moved_MAC_and_the_frames_to_it_are_dropped_at_the_pods_egress()
    {
        var (arp, _) = Run("port-security", "arp-pod");
        Assert.Equal(MacAddress.Parse("7e:e5:f7:e6:f5:1a"), new MacAddress(Assert.Single(arp.Outputs).Packet.ArpSha));

        var (icmp, trace) = Run("port-security", "icmp-pod");
        Assert.Empty(icmp.Outputs);
        Assert.Equal("drop", trace.DatapathActions);
        // the last flow: ls_out_apply_port_sec (egress table 51) drops what table 75 flagged (reg10[12] → reg0[15])
        var last = icmp.Hits[^1].Flow;
        Assert.Equal((51, 50), (last.Table, last.Priority));
        Assert.Contains(icmp.Hits, h => h.Flow.Table == 75);
    }

    [Fact]
    public void Missing_LSP_address_the_ARP_is_flooded_and_the_unicast_dropped_by_the_L2_lookup()
    {
        var (arp, _) = Run("missing-lsp-address", "arp-pod");
        Assert.DoesNotContain(arp.Outputs, o => o.Packet.ArpOp == 2);

        var (icmp, _) = Run("missing-lsp-address", "icmp-pod");
        Assert.Empty(icmp.Outputs);
        Assert.Equal(["reg15=0", "metadata=0x2"], icmp.Hits[^1].Flow.Match); // ls_in_l2_unknown: no outport
    }

    [Fact]
    public void A_pod_on_the_other_chassis_goes_through_the_router_and_out_of_the_Geneve_port_with_OVNs_keys()
    {
        var (r, trace) = Run("healthy", "icmp-remote");

        var o = Assert.Single(r.Outputs);
        Assert.Equal((OfOutput.ToPort, 2), (o.Kind, o.Port)); // 2(ovn-node2-0), the Geneve port to node2
        Assert.Equal(MacAddress.Parse("0a:58:c6:12:04:0a"), new MacAddress(o.Packet.DlDst)); // the router resolved default_web
        Assert.Equal(63, o.Packet.NwTtl);
        Assert.Equal(3UL, o.Packet.TunId);              // node2's logical switch (datapath key 3)
        Assert.Equal(0x3UL, o.Packet.TunMeta[0] & 0xffff); // logical outport 3 (default_web)
        Assert.Contains("tunneling to 203.0.113.2 via breth1", trace.TunnelNotes);
    }

    [Fact]
    public void Once_the_tunnels_next_hop_is_resolved_ofproto_trace_goes_on_into_the_underlay_bridge_and_the_verdict_is_still_the_Geneve_port()
    {
        var ns = NewNamespace();
        Parse(ns, Dir + "healthy/worker-resolved_ovs-ofctl_dump-flows_br-int.txt", "ovs-ofctl dump-flows br-int");
        var trace = OfprotoTrace.Read(Lines(Dir + "healthy/worker_ovs-appctl_ofproto-trace_icmp-remote-resolved.txt"))!;
        var r = OpenFlow.Run(ns.Ovs!.Bridges.Single(), OpenFlow.PacketOf(trace.Flow, out _));

        Assert.Contains("tnl_push(", trace.DatapathActions);
        Assert.DoesNotContain("NORMAL", trace.Outputs); // breth1's NORMAL belongs to the underlay bridge's section
        Assert.DoesNotContain(trace.Steps, s => s.Table == 0 && s.Priority == 0); // nor breth1's flow
        Assert.Null(r.Uncertain);
        Assert.Equal(trace.Steps.Where(s => s.Matched).Select(Key), r.Hits.Select(h => Key(h.Flow)));
        Assert.Equal(trace.Outputs, Ports(r));
    }
}
