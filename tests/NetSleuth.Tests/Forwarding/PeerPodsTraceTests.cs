using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Forwarding;

public sealed class PeerPodsTraceTests
{
    private static TraceResult Trace(Snapshot s, string from = "worker", string? ns = null, string to = "198.18.2.46") =>
        Tracer.Trace(NetSleuth.Topology.Linker.Link(s), new TraceRequest(from, ns, null, IPAddress.Parse(to)));

    [Fact]
    public void Given_the_mission_fault_when_traced_then_dropped_other_host_at_vxlan0_naming_both_macs()
    {
        var r = Trace(PeerPodsModel.Build(macMismatch: true));

        Assert.Equal(Disposition.DroppedOtherHost, r.Forward.Disposition);
        Assert.Equal("podvm:podns:vxlan0", r.Forward.At);
        Assert.Contains(PeerPodsModel.OtherMac, r.Forward.Reason);
        Assert.Contains(PeerPodsModel.PodMac, r.Forward.Reason);
        Assert.Equal(["worker", "worker:wkpod", "worker", "podvm", "podvm:podns"], r.Forward.Hops.Select(h => h.Node));
        Assert.Single(r.Forward.Hops[1].Steps.OfType<TcRedirectStep>(), s => s.Target == "vxlan1");
        Assert.Null(r.Reply);
    }

    [Fact]
    public void Given_the_fixed_mac_when_traced_then_delivered_both_ways_through_the_tunnel()
    {
        var r = Trace(PeerPodsModel.Build(macMismatch: false));

        Assert.True(r.Delivered);
        Assert.Single(r.Forward.Hops.SelectMany(h => h.Steps).OfType<VxlanEncapStep>());
        Assert.Single(r.Reply!.Hops.SelectMany(h => h.Steps).OfType<VxlanDecapStep>(), s => s.Device == "vxlan1");
    }

    [Fact]
    public void Given_no_permanent_neighbour_when_traced_then_arp_crosses_the_tunnel_and_vxlan0_answers_despite_its_own_mac()
    {
        var s = PeerPodsModel.Build(macMismatch: true);
        s.Hosts[0].Root!.Neighbors.Clear();

        var r = Trace(s);

        Assert.True(r.Delivered);
        var arp = r.Forward.Hops[0].Steps.OfType<ArpStep>().Single();
        Assert.Equal("podvm:podns:vxlan0", arp.AnsweredBy);
        Assert.Equal(PeerPodsModel.OtherMac, arp.Mac.ToString());
    }

    [Fact]
    public void Given_the_redirect_back_missing_when_traced_then_the_reply_cannot_resolve_and_the_arp_dies_at_vxlan1()
    {
        var r = Trace(PeerPodsModel.Build(macMismatch: false, redirectBack: false));

        Assert.True(r.Forward.Delivered);
        Assert.Equal(Disposition.NeighborUnreachable, r.Reply!.Disposition);
        Assert.Contains("worker:wkpod:vxlan1", r.Reply.Reason);
    }

    [Fact]
    public void Given_a_vni_mismatch_when_traced_then_tunnel_mismatch_on_the_far_host()
    {
        var r = Trace(PeerPodsModel.Build(macMismatch: false, farVni: 555006));

        Assert.Equal(Disposition.TunnelMismatch, r.Forward.Disposition);
        Assert.Equal("podvm", r.Forward.At);
        Assert.Contains("VNI 555005", r.Forward.Reason);
        Assert.Contains("VNI 555006", r.Forward.Reason);
    }

    [Fact]
    public void Given_a_port_mismatch_when_traced_then_nothing_listens_on_the_far_host()
    {
        var r = Trace(PeerPodsModel.Build(macMismatch: false, farPort: 4790));

        Assert.Equal(Disposition.NoTunnelEnd, r.Forward.Disposition);
        Assert.Contains("udp port 4789", r.Forward.Reason);
        Assert.Contains("port 4790", r.Forward.Reason);
    }

    [Fact]
    public void Given_only_the_worker_when_traced_then_insufficient_info_where_the_underlay_leaves_it()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        s.Hosts.RemoveAt(1);
        s.Hosts[0].Root!.Neighbors.Add(new Neighbor { Address = IPAddress.Parse("198.51.100.201"), Device = "ens3", Mac = MacAddress.Parse("52:54:00:00:02:01"), State = ["REACHABLE"] });

        var r = Trace(s);

        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("worker:ens3", r.Forward.At);
    }

    [Fact]
    public void Given_the_neighbour_table_not_in_the_input_when_traced_then_the_command_and_host_are_named()
    {
        var s = PeerPodsModel.Build();
        s.Hosts[0].Root!.Known.Remove(Sections.Neighbors);

        var r = Trace(s);

        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("run `ip neigh show` on host worker", r.Forward.Missing!.ToString());
    }

    [Fact]
    public void Given_tc_not_in_the_input_of_the_pod_namespace_when_traced_then_the_tc_command_is_named()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var pod = s.Hosts[0].FindNamespace("wkpod")!;
        pod.Known.Remove(Sections.Tc);
        pod.Filters.Clear();

        var r = Trace(s);

        // without the filters the packet would stop at eth0; delivery cannot be claimed, the command that decides is named
        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.StartsWith("it would be delivered, but", r.Forward.Reason);
        Assert.Equal("run `tc filter show dev eth0 ingress` on host worker (namespace wkpod)", r.Forward.Missing!.ToString());
    }

    [Fact]
    public void Given_tc_shown_only_for_some_devices_when_traced_then_the_shown_filters_apply_and_the_drop_is_found()
    {
        var s = PeerPodsModel.Build(macMismatch: true);
        s.Hosts[0].FindNamespace("wkpod")!.Known.Remove(Sections.Tc);
        s.Hosts[1].FindNamespace("podns")!.Known.Remove(Sections.Tc);

        var r = Trace(s);

        Assert.Equal(Disposition.DroppedOtherHost, r.Forward.Disposition);
        Assert.Contains(r.Forward.Assumptions, a => a.Contains("assumed to pass where the input did not say"));
    }

    [Fact]
    public void Given_the_pod_eth0_down_when_traced_then_link_down_names_it()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var eth0 = s.Hosts[0].FindNamespace("wkpod")!.FindLink("eth0")!;
        eth0.Flags = ["BROADCAST", "MULTICAST"];
        var hostEnd = s.Hosts[0].Root!.FindLink("8b7266486ea2861")!;
        hostEnd.Flags = ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"];

        var r = Trace(s);

        Assert.Equal(Disposition.LinkDown, r.Forward.Disposition);
        Assert.Equal("worker:wkpod:eth0", r.Forward.At);
    }

    [Fact]
    public void Given_a_gact_drop_filter_on_eth0_when_traced_then_tc_drop()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var wkpod = s.Hosts[0].FindNamespace("wkpod")!;
        wkpod.Filters.Insert(0, new TcFilter { Device = "eth0", Direction = "ingress", Kind = "matchall", Pref = 1, MatchesAll = true, Actions = [new TcAction { Kind = "gact", Control = "drop" }] });

        var r = Trace(s);

        Assert.Equal(Disposition.TcDrop, r.Forward.Disposition);
        Assert.Equal("worker:wkpod:eth0", r.Forward.At);
    }

    [Fact]
    public void Given_a_tc_filter_with_a_match_not_understood_when_traced_then_uncertain()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        var f = s.Hosts[0].FindNamespace("wkpod")!.Filters.First(x => x.Device == "eth0");
        f.MatchesAll = false;
        f.Match = "match 0a000000/ff000000 at 16";

        var r = Trace(s);

        Assert.Equal(Disposition.Uncertain, r.Forward.Disposition);
        Assert.Contains("match 0a000000/ff000000 at 16", r.Forward.Reason);
    }

    [Fact]
    public void Given_df_inherit_and_an_underlay_mtu_too_small_for_the_overhead_when_traced_then_mtu_exceeded_on_the_underlay()
    {
        var s = PeerPodsModel.Build(macMismatch: false);
        s.Hosts[0].Root!.FindLink("ens3")!.Mtu = 1400;
        s.Hosts[0].FindNamespace("wkpod")!.FindLink("vxlan1")!.Vxlan!.Df = "inherit";

        var big = Tracer.Trace(NetSleuth.Topology.Linker.Link(s), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")) { Size = 1400 });
        var small = Tracer.Trace(NetSleuth.Topology.Linker.Link(s), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")) { Size = 1350 });

        Assert.Equal(Disposition.MtuExceeded, big.Forward.Disposition);
        Assert.Equal("worker:ens3", big.Forward.At);
        Assert.True(small.Delivered);
    }
}
