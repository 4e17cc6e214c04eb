using System.Text.Json.Serialization;

namespace NetSleuth.Forwarding;

/// <summary>How a trace ends: delivered, or the reason the packet dies where it dies. Closed set.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Disposition>))]
public enum Disposition
{
    /// <summary>Accepted by the destination's namespace (its local table holds the address).</summary>
    Delivered,
    /// <summary>No route matched (ENETUNREACH).</summary>
    NoRoute,
    /// <summary>A blackhole route or rule: silently discarded.</summary>
    Blackhole,
    /// <summary>An unreachable route or rule (ICMP host unreachable / EHOSTUNREACH).</summary>
    Unreachable,
    /// <summary>A prohibit route or rule (ICMP administratively prohibited / EACCES).</summary>
    Prohibited,
    /// <summary>The next hop's neighbour entry is FAILED/INCOMPLETE, or nobody answers ARP for it.</summary>
    NeighborUnreachable,
    /// <summary>A frame addressed to another MAC than the receiving device's own: dropped "other host".</summary>
    DroppedOtherHost,
    /// <summary>A device on the path is administratively down or has no carrier.</summary>
    LinkDown,
    /// <summary>Netfilter dropped or rejected it on input (INPUT / PREROUTING).</summary>
    DeniedIn,
    /// <summary>Netfilter dropped or rejected it on output (OUTPUT / POSTROUTING).</summary>
    DeniedOut,
    /// <summary>Netfilter dropped or rejected it while forwarding (FORWARD).</summary>
    DeniedForward,
    /// <summary>The reverse-path filter (rp_filter) dropped it.</summary>
    RpFilterDrop,
    /// <summary>It would be forwarded, but forwarding is off on the arrival device (ip_forward=0).</summary>
    ForwardingDisabled,
    /// <summary>Larger than a device's MTU on the path with DF set.</summary>
    MtuExceeded,
    /// <summary>Open vSwitch's flows dropped it: OVN's logical pipeline on br-int (port security, no logical port for the MAC).</summary>
    OvsFlowDrop,
    /// <summary>A tc filter dropped it (gact drop, or a mirred redirect to a missing device).</summary>
    TcDrop,
    /// <summary>The VXLAN packet reaches the far host, but nothing there listens on its port.</summary>
    NoTunnelEnd,
    /// <summary>The VXLAN packet reaches a far socket, but the VNI (or another tunnel parameter) does not match.</summary>
    TunnelMismatch,
    /// <summary>The packet came back to a place it had been (or its TTL ran out).</summary>
    Loop,
    /// <summary>The input does not say what happens next; the trace names the command that would.</summary>
    InsufficientInfo,
    /// <summary>Something on the path is not understood well enough to decide (an nft expression, a tc match).</summary>
    Uncertain,
}

public static class DispositionExtensions
{
    public static bool IsDelivered(this Disposition d) => d == Disposition.Delivered;
}
