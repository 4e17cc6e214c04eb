namespace NetSleuth.Probe;

/// <summary>Where the kernel dropped a probe packet: the drop reason and the last device the packet was seen on.</summary>
/// <param name="Reason">the kfree_skb reason ("OTHERHOST", "NETFILTER_DROP", …)</param>
/// <param name="Device">the last device a net:* event showed the packet on; null when it was dropped before any</param>
/// <param name="Location">the kernel function that dropped it</param>
public sealed record KernelDrop(string Reason, string? Device, string? Location)
{
    public override string ToString() => $"kfree_skb {Reason}" + (Device is null ? "" : $" after {Device}") +
        (Location is null ? "" : $" ({Location.Split('+')[0]})");
}

/// <summary>What the kernel's tracepoints say about one probe: the devices its packets passed, in order, and
/// where they were dropped (the most frequent drop when the probe was sent more than once).</summary>
public sealed record KernelPath(IReadOnlyList<string> Devices, KernelDrop? Drop, IReadOnlyList<KernelDrop> AllDrops)
{
    /// <summary>"vxlan1 → ens3 → ens2 → vxlan0".</summary>
    public string DevicesText => Devices.Count == 0 ? "(no device event)" : string.Join(" → ", Devices);

    /// <summary>
    /// Picks the probe's packets out of the events: a packet (skb) is the probe's when a net:* event shows it on one
    /// of <paramref name="devices"/> with a length the probe's packets have (<paramref name="lengths"/>, IP and
    /// Ethernet-framed sizes; null accepts any). Other traffic of the machine on devices of the same name is left out
    /// by the length. A kfree_skb is the probe's when the last earlier event of that skb (within a second) is one
    /// of those and no kfree_skb ended that skb in between (its address is then another packet's); a drop before any
    /// device event (in the sender's output path) is kept only when no other is found.
    /// </summary>
    public static KernelPath From(IReadOnlyList<KernelEvent> events, IReadOnlySet<string> devices, IReadOnlySet<int>? lengths)
    {
        var last = new Dictionary<string, KernelEvent>(StringComparer.Ordinal);
        var ours = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var drops = new List<KernelDrop>();
        var early = new List<KernelDrop>();
        double? firstOurs = null;
        void Forget(string skb) { last.Remove(skb); ours.Remove(skb); }
        foreach (var e in events)
        {
            if (e.Event == "kfree_skb")
            {
                // a socket's own queue emptied when it closes (the prober gave up), or a segment whose data a socket
                // already had (tcp_data_queue: TCP_OLD_DATA, a retransmission; the probes carry no data): not a drop on the way
                // a freed skb's address is a new packet's from then on (the slab hands it out again at once)
                if (e.Reason is "QUEUE_PURGE" or "TCP_OLD_DATA" || IsUnjoinedMulticast(e)) { Forget(e.Skb); continue; }
                if (last.TryGetValue(e.Skb, out var prev) && e.Time - prev.Time < 1.0)
                {
                    if (ours.Contains(e.Skb) && prev.Device is { } d && devices.Contains(d))
                        drops.Add(new KernelDrop(e.Reason ?? "?", d, e.Location));
                }
                else if (firstOurs is null || e.Time >= firstOurs - 0.05)
                    early.Add(new KernelDrop(e.Reason ?? "?", null, e.Location));
                Forget(e.Skb);
                continue;
            }
            last[e.Skb] = e;
            if (e.Device is not { } dev || !devices.Contains(dev)) continue;
            if (lengths is not null && (e.Length is not { } len || !lengths.Contains(len))) continue;
            ours.Add(e.Skb);
            firstOurs ??= e.Time;
            if (path.Count == 0 || path[^1] != dev) path.Add(dev);
        }
        if (drops.Count == 0)
            foreach (var d in early)
                if (d.Reason is not ("NOT_SPECIFIED" or "?")) drops.Add(d);
        KernelDrop? top = null;
        int best = 0;
        foreach (var d in drops)
        {
            int n = drops.Count(x => x.Reason == d.Reason && x.Device == d.Device);
            if (n > best) { best = n; top = d; }
        }
        return new KernelPath(path, top, drops);
    }

    /// <summary>
    /// A multicast packet for a group the receiving device did not join: ip_route_input_rcu returns NOT_SPECIFIED
    /// and ip_rcv_finish_core frees it. Measured on 6.18: the IGMPv3 reports a bridge sends for 224.0.0.106 when it
    /// comes up (40 bytes of IP, 54 framed: the length of a bare TCP ACK or RST), flooded to every port of a lab just
    /// built, freed so on every pod's eth0 and host's ul; their skbs may also reuse the address of a probe packet
    /// just consumed. A unicast probe packet is freed NOT_SPECIFIED there only by a device without IPv4 (no in_device:
    /// an MTU under 68, or the device being unregistered), which neither `lab fuzz` nor `probe` sends through.
    /// </summary>
    internal static bool IsUnjoinedMulticast(KernelEvent e) =>
        e.Reason == "NOT_SPECIFIED" && e.Location is { } at && at.StartsWith("ip_rcv_finish_core+", StringComparison.Ordinal);

    /// <summary>The sizes a probe's packets show in the tracepoints: the IP packet (netif_receive_skb on an Ethernet
    /// device), framed (net_dev_queue), and carried in VXLAN (outer IP, outer frame).</summary>
    public static IReadOnlySet<int> LengthsOf(int ipSize) =>
        new HashSet<int> { ipSize, ipSize + 14, ipSize + 50, ipSize + 64 };

    /// <summary>The IP sizes of a TCP connect's handshake (Linux defaults: the SYN and SYN-ACK carry MSS, SACK, timestamps
    /// and window scale, 60 bytes; the ACK 52; a RST or RST-ACK 40), which a TCP probe's packets have whatever its size.</summary>
    private static readonly int[] Handshake = [60, 52, 40];

    /// <summary>The same with timestamps, SACK and window scaling off at both ends (net.ipv4.tcp_timestamps,
    /// tcp_sack, tcp_window_scaling = 0, as `lab fuzz` sets them): SYN and SYN-ACK carry only the MSS, 44 bytes, a size
    /// the machine's other TCP traffic (timestamps on) seldom has. The ACK, FIN and RST (40) are not tied: what becomes of
    /// them decides nothing the SYN and SYN-ACK do not, and 40 bytes is also the IGMPv3 report every bridge sends when
    /// it comes up (seed 435: a bridge left without ports frees its own NO_TX_TARGET in br_dev_xmit during probe 0).</summary>
    private static readonly int[] BareHandshake = [44];

    /// <summary>The lengths a probe's packets show: <see cref="LengthsOf"/> of its size, and for TCP those of its handshake.</summary>
    /// <param name="bareTcp">the ends' TCP options are off (<see cref="BareHandshake"/>)</param>
    public static IReadOnlySet<int> LengthsFor(string protocol, int ipSize, bool bareTcp = false)
    {
        if (protocol != Forwarding.Protocols.Tcp) return LengthsOf(ipSize);
        var all = new HashSet<int>();
        foreach (var n in bareTcp ? BareHandshake : Handshake) all.UnionWith(LengthsOf(n));
        return all;
    }
}
