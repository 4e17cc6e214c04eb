using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Probe;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// Disagreements `netsleuth lab fuzz` found between the tracer and the kernel, each from the live collect of its
/// shrunk lab (Fixtures/fuzz, NOTE.md): the trace must end as the kernel's kfree_skb said.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static TraceResult Trace(string dir, string host, string? ns, string to, int size = 84) =>
        Tracer.Trace(NetSleuth.Topology.Linker.Link(InputLoader.Load([Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", dir)])),
            new TraceRequest(host, ns, null, IPAddress.Parse(to)) { Size = size, DontFragment = true });

    [Fact]
    public void Given_forwarding_off_and_no_route_when_a_packet_for_another_host_arrives_then_it_is_not_forwarded_as_the_kernel_counts_it()
    {
        // kernel: kfree_skb IP_INADDRERRORS after vx0 (ip_error): with forwarding off the failed lookup is EHOSTUNREACH
        var r = Trace("seed-13-probe-0", "h1", "fz-h1p2", "10.12.0.99", 1320);

        Assert.Equal(Disposition.ForwardingDisabled, r.Forward.Disposition);
        Assert.Equal("h2:vx0", r.Forward.At);
        Assert.True(DropReasons.Matches(r.Forward.Disposition, "IP_INADDRERRORS"));
    }

    [Fact]
    public void Given_remote_less_vxlan_whose_only_fdb_end_listens_on_another_port_when_arp_is_needed_then_nobody_answers()
    {
        // seed 7 (port-mismatch): h1's vx0 sends broadcasts to h2 by an all-zeros entry, h2's vx0 uses port 8473;
        // kernel: kfree_skb NEIGH_FAILED after br0. The far host is in the input: not "its other end is not in the input"
        var r = Trace("seed-7", "h1", "fz-h1p1", "10.12.0.99");

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Equal("h1:vx0", r.Forward.At);
        Assert.True(DropReasons.Matches(r.Forward.Disposition, "NEIGH_FAILED"));
    }

    [Fact]
    public void Given_remote_less_vxlan_with_all_zero_fdb_entries_to_two_hosts_when_a_frame_has_no_entry_then_the_copy_to_its_owner_gets_through()
    {
        // seed 81: vx0 on h2 has only 00:00:00:00:00:00 entries (dst h1, dst h3); the kernel replicates the frame to
        // both, h1 drops its copy (OTHERHOST after vx0) and h3 answers: delivered, not "dropped at h1:vx0"
        var r = Trace("seed-81", "h2", null, "10.13.0.11");

        Assert.True(r.Delivered, r.Forward.Reason + " / " + r.Reply?.Reason);
        var encap = r.Forward.Hops.SelectMany(h => h.Steps).OfType<VxlanEncapStep>().First();
        Assert.Equal(IPAddress.Parse("10.0.0.3"), encap.Remote);
    }

    [Fact]
    public void Given_a_far_vxlan_whose_remote_points_elsewhere_when_the_near_side_sends_then_the_far_side_learns_the_way_back()
    {
        // seed 174 (remote-mismatch): h1's vx0 has remote 10.0.0.2 (h2), h2's vx0 remote 10.0.0.9 (nobody). vxlan_rcv
        // finds h2's vx0 by port and VNI, whatever its remote; with learning on it learns h1's vx0 MAC at 10.0.0.1
        // (vxlan_snoop) and the ARP request enters 10.100.0.1 in h2's neighbour table: the kernel answers the ping
        var r = Trace("seed-174", "h1", "fzc-h1p1", "10.12.1.1", 205);

        Assert.True(r.Delivered, r.Forward.Reason + " / " + r.Reply?.Reason);
        var back = r.Reply!.Hops.SelectMany(h => h.Steps).OfType<VxlanEncapStep>().First();
        Assert.Equal(IPAddress.Parse("10.0.0.1"), back.Remote);
        Assert.Contains("learnt", back.RemoteFrom);
    }

    [Fact]
    public void Given_a_vxlan_whose_remote_nobody_in_the_input_has_when_its_underlay_segment_is_whole_then_arp_through_it_fails()
    {
        // seed 174: h2's vx0 sends to 10.0.0.9, on h2's underlay subnet, whose only other end (the veth peer h1:ul) does
        // not have it: the outer packet's next hop is never resolved, so nobody answers the ARP request for 10.100.0.1
        // (kernel, without the learnt entries of other probes: kfree_skb NEIGH_FAILED)
        var r = Trace("seed-174", "h2", null, "10.11.0.1", 120);

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Equal("h2:vx0", r.Forward.At);
        Assert.Contains("10.0.0.9", r.Forward.Reason);
        Assert.True(DropReasons.Matches(r.Forward.Disposition, "NEIGH_FAILED"));
    }

    [Fact]
    public void Given_a_prohibit_route_to_the_far_underlay_when_arp_must_cross_the_tunnel_then_the_neighbour_fails_naming_the_discard()
    {
        // seed 5 (prohibit route to 10.0.0.2 in h1): vxlan_xmit's route lookup fails for the outer packet of the ARP
        // request, so the request never leaves and the data packet dies in the neighbour queue: kfree_skb NEIGH_FAILED
        var r = Trace("seed-5", "h1", "fzc-h1p1", "10.12.0.11", 142);

        Assert.Equal(Disposition.NeighborUnreachable, r.Forward.Disposition);
        Assert.Equal("h1:vx0", r.Forward.At);
        Assert.Contains("prohibit", r.Forward.Reason);
        Assert.True(DropReasons.Matches(r.Forward.Disposition, "NEIGH_FAILED"));
    }

    [Fact]
    public void Given_br_netfilter_on_when_a_bridged_reply_meets_a_forward_drop_rule_then_the_bridge_drops_it_in_forward()
    {
        // seed 310 (nft-drop on h2: inet fz forward `ip daddr 10.12.0.13 meta l4proto tcp drop`; h2p3 and h2p1 on h2's
        // br0): net.bridge.bridge-nf-call-iptables = 1 in h2 (br_netfilter loaded), so the bridged SYN-ACK goes through
        // the inet forward chain: kernel kfree_skb NETFILTER_DROP after vp1 (nft_do_chain), the connect times out
        var snapshot = InputLoader.Load([Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "seed-310")]);
        var request = new TraceRequest("h2", "fzb13-h2p3", null, IPAddress.Parse("10.12.0.11")) { Protocol = Protocols.Tcp, DestinationPort = 7429, Size = 110 };
        var r = Tracer.Trace(NetSleuth.Topology.Linker.Link(snapshot), request);

        Assert.True(r.Forward.Delivered, r.Forward.Reason);
        Assert.Equal(Disposition.DeniedForward, r.Reply!.Disposition);
        Assert.Equal("h2", r.Reply.At);
        Assert.True(DropReasons.Matches(r.Reply.Disposition, "NETFILTER_DROP"));
        Assert.Contains(r.Reply.Hops.SelectMany(h => h.Steps).OfType<SysctlStep>(), s => s.Key == "net.bridge.bridge-nf-call-iptables");

        // without br_netfilter's switch the bridge never asks the firewall: the same frames get through
        foreach (var ns in snapshot.Hosts.Single(h => h.Name == "h2").Namespaces) ns.Sysctls["net.bridge.bridge-nf-call-iptables"] = "0";
        Assert.True(Tracer.Trace(NetSleuth.Topology.Linker.Link(snapshot), request).Delivered);
    }

    [Fact]
    public void Given_a_tcp_probe_when_the_kernel_frees_packets_then_only_the_handshakes_lengths_are_tied_to_it()
    {
        // seed 310 before the fix: a TCP probe accepted every packet on devices of its names, so another session's
        // packet on an eth0 (NOT_SPECIFIED in ip_rcv_finish_core) was taken for the probe's. The SYN-ACK is 60 bytes
        // of IP (74 framed), the other traffic's 1200
        var events = new List<KernelEvent>
        {
            new(1.000, "net_dev_queue", "a", "vp1", 74, null, null),
            new(1.001, "kfree_skb", "a", null, null, "NETFILTER_DROP", "nft_do_chain+0x1"),
            new(1.002, "netif_receive_skb", "b", "eth0", 1200, null, null),
            new(1.003, "kfree_skb", "b", null, null, "NOT_SPECIFIED", "ip_rcv_finish_core+0x2"),
        };
        var devices = new HashSet<string> { "vp1", "eth0" };

        var path = KernelPath.From(events, devices, KernelPath.LengthsFor(Protocols.Tcp, 300));

        Assert.Equal("NETFILTER_DROP", path.Drop?.Reason);
        Assert.Equal("vp1", path.Drop?.Device);
        Assert.Single(path.AllDrops);
        Assert.Contains(60, KernelPath.LengthsFor(Protocols.Tcp, 300));
        Assert.DoesNotContain(110, KernelPath.LengthsFor(Protocols.Tcp, 300));
        Assert.Contains(300, KernelPath.LengthsFor(Protocols.Udp, 300));
    }
}
