using NetSleuth.Forwarding;

namespace NetSleuth.Probe;

/// <summary>
/// The kernel's drop reasons (<c>enum skb_drop_reason</c>, the <c>skb:kfree_skb</c> tracepoint, 5.17+) each
/// <see cref="Disposition"/> stands for. Several reasons per disposition: the same fault is counted in
/// different places by the kernel depending on the path (forwarded or local, input or output).
/// </summary>
public static class DropReasons
{
    private static readonly Dictionary<Disposition, string[]> Map = new()
    {
        // ip_route_input_slow: no route (ICMP net unreachable) / ip_route_output: no route
        [Disposition.NoRoute] = ["IP_INNOROUTES", "IP_OUTNOROUTES"],
        // dst_discard on a blackhole route (input or output)
        [Disposition.Blackhole] = ["NOT_SPECIFIED", "IP_INNOROUTES", "IP_OUTNOROUTES"],
        // ip_error for RTN_UNREACHABLE / RTN_PROHIBIT routes
        [Disposition.Unreachable] = ["IP_INNOROUTES", "IP_INADDRERRORS", "IP_OUTNOROUTES", "NOT_SPECIFIED"],
        [Disposition.Prohibited] = ["IP_INNOROUTES", "IP_INADDRERRORS", "IP_OUTNOROUTES", "NOT_SPECIFIED"],
        // neigh_invalidate / __neigh_event_send when resolution fails
        [Disposition.NeighborUnreachable] = ["NEIGH_FAILED", "NEIGH_QUEUEFULL", "NEIGH_DEAD", "NEIGH_CREATEFAIL"],
        // ip_rcv_core: PACKET_OTHERHOST; a bridge that floods a frame to no port at all (br_flood, 6.14+: NO_TX_TARGET
        // "no target found for xmit", measured on 6.18 in br_handle_frame_finish)
        [Disposition.DroppedOtherHost] = ["OTHERHOST", "NO_TX_TARGET"],
        // veth_xmit to a peer that is down, a bridge port that does not forward, a down device's queue
        // (and the packet waiting for an ARP answer that the down link never lets through: NEIGH_FAILED)
        // (a down device's queue is the noop qdisc: QDISC_DROP)
        // (a bridge whose only way to the MAC is a port without carrier: br_forward's should_deliver fails, NOT_SPECIFIED;
        // flooded to no port because every other one is down: NO_TX_TARGET)
        // (a device that is down took its routes with it: the packet for its subnet finds no route, IP_INNOROUTES when
        // forwarded (ip_error), IP_OUTNOROUTES when sent)
        [Disposition.LinkDown] = ["NOT_SPECIFIED", "DEV_READY", "BRIDGE_INGRESS_STP_STATE", "NEIGH_FAILED", "QDISC_DROP", "NO_TX_TARGET",
            "IP_INNOROUTES", "IP_OUTNOROUTES"],
        [Disposition.DeniedIn] = ["NETFILTER_DROP"],
        [Disposition.DeniedOut] = ["NETFILTER_DROP"],
        [Disposition.DeniedForward] = ["NETFILTER_DROP"],
        // fib_validate_source
        [Disposition.RpFilterDrop] = ["IP_RPFILTER"],
        // ip_route_input_slow with forwarding off: RTN_UNICAST for another host → ip_error EHOSTUNREACH
        [Disposition.ForwardingDisabled] = ["IP_INADDRERRORS", "IP_INNOROUTES"],
        // ip_forward / ip_fragment with DF: ICMP fragmentation needed; a veth or bridge port too small
        [Disposition.MtuExceeded] = ["PKT_TOO_BIG", "NOT_SPECIFIED"],
        [Disposition.TcDrop] = ["TC_INGRESS", "TC_EGRESS", "NOT_SPECIFIED"],
        // the kernel datapath's flow action drop (ovs_dp_process_packet / do_execute_actions); the userspace
        // datapath drops in ovs-vswitchd, which no kernel tracepoint sees
        [Disposition.OvsFlowDrop] = ["OVS_DROP_ACTION", "NOT_SPECIFIED"],
        // udp: no socket on the port; vxlan_xmit: no remote and no FDB entry for the frame
        [Disposition.NoTunnelEnd] = ["NO_SOCKET", "NO_TX_TARGET", "NOT_SPECIFIED"],
        [Disposition.TunnelMismatch] = ["VXLAN_VNI_NOT_FOUND", "VXLAN_INVALID_HDR"],
    };

    /// <summary>
    /// Where an ARP request carried by a VXLAN tunnel dies at the far host, leaving the packet that waits for the
    /// answer to fail in the neighbour queue (NEIGH_FAILED, freed from a timer and often not tied to the probe):
    /// vxlan_rcv with no device for the VNI (VXLAN_VNI_NOT_FOUND), __udp4_lib_rcv with no socket on the port
    /// (NO_SOCKET), a far device that is not the frame's owner (ip_rcv_core, OTHERHOST). Or at the near host:
    /// vxlan_xmit_one finds no route for the outer packet (IP_OUTNOROUTES; seed 467, an `unreachable` route to the remote).
    /// </summary>
    private static readonly string[] ArpCarrier = ["VXLAN_VNI_NOT_FOUND", "NO_SOCKET", "OTHERHOST", "IP_OUTNOROUTES"];

    /// <summary>True when REASON is where the ARP request of a neighbour that failed across a VXLAN device was freed.</summary>
    public static bool IsArpCarrierDrop(Disposition d, string reason) =>
        d == Disposition.NeighborUnreachable && Array.IndexOf(ArpCarrier, reason) >= 0;

    /// <summary>The reasons DISPOSITION stands for; empty for delivered and for what the model could not decide.</summary>
    public static IReadOnlyList<string> For(Disposition d) => Map.TryGetValue(d, out var r) ? r : [];

    /// <summary>True when the kernel's REASON is one DISPOSITION stands for.</summary>
    public static bool Matches(Disposition d, string reason) => Array.IndexOf(Map.GetValueOrDefault(d) ?? [], reason) >= 0;

    /// <summary>Whether the last device a tracepoint showed the packet on says where REASON dropped it. Not for a
    /// neighbour's queue (its packets are freed later, from a timer, and were last seen wherever they came from).</summary>
    public static bool LocatesDevice(string reason) => !reason.StartsWith("NEIGH_", StringComparison.Ordinal);

    /// <summary>The trace could not decide (the input lacks a fact, or something is not simulated).</summary>
    public static bool IsUndecided(Disposition d) => d is Disposition.InsufficientInfo or Disposition.Uncertain;
}
