using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// Where a frame goes at layer 2 from a device, without recording steps: across veth pairs, bridge and
/// OVS ports (flooding), tc mirred redirects, VXLAN tunnels (to the matched far end) and underlay
/// segments. Used to simulate ARP (a broadcast, then the unicast answer back) and to pick the port of
/// a flooded frame that leads somewhere; <see cref="PathTo"/> gives the single path a unicast frame takes.
/// </summary>
internal static class L2Reach
{
    /// <summary>A device that would hand the frame to its own stack.</summary>
    /// <param name="MacMatches">the frame is for it (its MAC, or broadcast)</param>
    /// <param name="Carried">the frame got there through a tc redirect or a tunnel, which ignore MACs</param>
    internal sealed record Endpoint(DeviceRef Dev, bool MacMatches, bool Carried);

    private enum Mode { Egress, Ingress, Up, Flood }

    /// <summary>The one path a unicast frame to <paramref name="dst"/> takes from the device's egress (or ingress) to the
    /// device whose stack receives it, with the devices passed and why it stops short (<see cref="L2Path"/>).</summary>
    /// <param name="leavingBridge">the frame leaves a bridge by <paramref name="start"/>, a port of it (a flooded copy):
    /// it goes out of the port, not up into the bridge as one the port's own stack sent</param>
    public static L2Result PathTo(Topology.Topology t, DeviceRef start, bool egress, MacAddress dst, bool leavingBridge = false) =>
        new L2Path(t).From(start, egress, dst, leavingBridge);

    /// <summary>Whether a bridge sends frames out of the port: an administratively down port (or one whose STP
    /// state is not forwarding — a down or carrier-less port is "disabled") never gets a frame, flooded or not
    /// (br_flood/should_deliver skip it). The one rule every L2 walk of the model uses.</summary>
    internal static bool Forwards(DeviceRef port) =>
        port.Link.IsUp && port.Link.BridgePort?.State is null or "forwarding";

    private enum FloodKind { BridgeSends, BridgeForwards, Ovs }

    /// <summary>One unit of work: a device in a mode, or a bridge's flood (its ports, taken in order as one block of the queue).</summary>
    private readonly record struct Item(DeviceRef Dev, Mode Mode, bool Carried, DeviceRef? From = null, FloodKind Flood = default);

    /// <summary>
    /// The endpoints in breadth-first order, found as the walk goes: a caller that looks for one
    /// (the device that answers an ARP request) stops the walk there instead of flooding the whole domain.
    /// A bridge's flood is one queue entry whose ports are visited in order when it comes up, which is
    /// the order they would have had as separate entries, without queueing every port of a big bridge.
    /// </summary>
    /// <param name="unresolved">collects devices whose far side is not in the input (veth peer, tunnel end, unlinked port)</param>
    /// <param name="tunnels">asks whether a tunnel's outer packet gets out and collects who carried the frame where
    /// (null: every tunnel to a far end in the input is crossed)</param>
    public static IEnumerable<Endpoint> Walk(Topology.Topology t, DeviceRef start, bool egress, MacAddress dst, bool arp, List<DeviceRef>? unresolved,
        int limit = 4096, L2Tunnels? tunnels = null)
    {
        var w = Walker.Take(t, dst, arp, unresolved, tunnels);
        try
        {
            w.Queue.Enqueue(new Item(start, egress ? Mode.Egress : Mode.Ingress, false));
            while (w.Queue.Count > 0 && w.Seen.Count < limit)
            {
                var item = w.Queue.Dequeue();
                if (item.Mode != Mode.Flood)
                {
                    if (w.Visit(item.Dev, item.Mode, item.Carried) is { } ep) yield return ep;
                    continue;
                }
                foreach (var (p, m) in FloodOrder(t, item, dst))
                {
                    if (w.Seen.Count >= limit) yield break;
                    if (w.Visit(p, m, item.Carried) is { } ep) yield return ep;
                }
            }
        }
        finally { w.Release(); }
    }

    /// <summary>The ports a frame leaves a bridge by, in queue order. A unicast frame to a MAC the bridge has
    /// learnt (the device right behind a port: <see cref="Topology.Topology.PortByMac"/>) leaves by that port
    /// only, as a learning switch sends it; anything else is flooded.</summary>
    private static IEnumerable<(DeviceRef, Mode)> FloodOrder(Topology.Topology t, Item flood, MacAddress dst)
    {
        var br = flood.Dev;
        var from = flood.From;
        bool ovs = flood.Flood == FloodKind.Ovs;
        if (!dst.IsMulticast && t.PortByMac(br).TryGetValue(dst, out var learnt) && learnt != from && Forwards(learnt))
        {
            yield return (learnt, ovs && Forwarding.Walker.IsOvsInternal(t, learnt) ? Mode.Up : Mode.Egress);
            yield break;
        }
        if (ovs && br != from) yield return (br, Mode.Up);
        foreach (var p in t.PortList(br))
        {
            if (p == from || !Forwards(p)) continue;
            yield return (p, ovs && Forwarding.Walker.IsOvsInternal(t, p) ? Mode.Up : Mode.Egress);
        }
        if (flood.Flood == FloodKind.BridgeForwards && (dst.IsMulticast || br.Link.Mac == dst)) yield return (br, Mode.Up);
    }

    private sealed class Walker
    {
        public readonly HashSet<(DeviceRef, Mode)> Seen = new(8);
        public readonly Queue<Item> Queue = new(8);
        private Topology.Topology t = null!;
        private MacAddress dst;
        private bool arp;
        private List<DeviceRef>? unresolved;
        private L2Tunnels? tunnels;

        /// <summary>The thread's spare walkers: an ARP walk runs once or twice per traced path (and one walk may run while
        /// another is paused), and their set and queue are worth keeping.</summary>
        [ThreadStatic] private static Stack<Walker>? t_spare;

        public static Walker Take(Topology.Topology t, MacAddress dst, bool arp, List<DeviceRef>? unresolved, L2Tunnels? tunnels)
        {
            var w = t_spare is { Count: > 0 } spare ? spare.Pop() : new Walker();
            w.t = t; w.dst = dst; w.arp = arp; w.unresolved = unresolved; w.tunnels = tunnels;
            return w;
        }

        /// <summary>Gives the walker back, emptied, for the thread's next walk.</summary>
        public void Release()
        {
            if (Seen.Count > 1024) return; // a walk that flooded a big domain: its set would make every next Clear slow
            Seen.Clear();
            Queue.Clear();
            t = null!; unresolved = null; tunnels = null;
            (t_spare ??= new Stack<Walker>()).Push(this);
        }

        /// <summary>Takes the device in the mode: queues where the frame goes next; the endpoint when the device's stack gets it.</summary>
        public Endpoint? Visit(DeviceRef d, Mode mode, bool carried)
        {
            if (!Seen.Add((d, mode)) || !d.Link.IsUp) return null;
            if (mode != Mode.Up && d.Ns.Filters.Count > 0 && Mirred(t, d, mode == Mode.Egress ? "egress" : "ingress", arp, out var targets))
            {
                foreach (var (target, toEgress) in targets) Queue.Enqueue(new Item(target, toEgress ? Mode.Egress : Mode.Ingress, true));
                return null;
            }
            if (mode == Mode.Egress)
            {
                switch (d.Link.Kind)
                {
                    case LinkKinds.Veth:
                        if (t.VethPeer(d) is { } peer) Queue.Enqueue(new Item(peer, Mode.Ingress, carried));
                        else if (t.SegmentOf(d) is { } vseg) EnqueueSegment(vseg, d, carried);
                        else unresolved?.Add(d);
                        break;
                    case LinkKinds.Vxlan:
                        VxlanEgress(d);
                        break;
                    case LinkKinds.Bridge:
                        Queue.Enqueue(new Item(d, Mode.Flood, carried, null, FloodKind.BridgeSends));
                        break;
                    case LinkKinds.OpenVSwitch:
                    case LinkKinds.Tun when Forwarding.Walker.IsOvsPort(t, d):
                        Queue.Enqueue(new Item(t.BridgeOf(d) ?? d, Mode.Flood, carried, d, FloodKind.Ovs));
                        break;
                    case null:
                        if (t.SegmentOf(d) is { } seg) EnqueueSegment(seg, d, carried);
                        break;
                }
                return null;
            }
            if (mode == Mode.Ingress && t.BridgeOf(d) is { } br)
            {
                if (br.Link.Kind == LinkKinds.Bridge)
                {
                    Queue.Enqueue(new Item(br, Mode.Flood, carried, d, FloodKind.BridgeForwards));
                    return null;
                }
                Queue.Enqueue(new Item(br, Mode.Flood, carried, d, FloodKind.Ovs));
                return Forwarding.Walker.IsUserspaceOvsPort(t, d) ? new Endpoint(d, dst.IsMulticast || d.Link.Mac == dst, carried) : null;
            }
            return new Endpoint(d, dst.IsMulticast || d.Link.Mac == dst, carried);
        }

        /// <summary>A frame leaving a VXLAN device: to the far end the linker matched, or, with no remote (flannel), where the
        /// all-zeros FDB entries send a broadcast; to a far device at the remote whose only difference is its own remote
        /// (vxlan_rcv looks the device up by port and VNI, never by the sender); a learnt way back first.</summary>
        private void VxlanEgress(DeviceRef d)
        {
            var tm = t.Tunnel(d);
            var vx = d.Link.Vxlan;
            if (!dst.IsMulticast && tunnels?.LearntBack is { } back && back.TryGetValue(d, out var sender) &&
                !d.Ns.Fdb.Any(f => f.Device == d.Link.Name && f.Mac == dst))
            {
                Queue.Enqueue(new Item(sender, Mode.Ingress, true));
                return;
            }
            if (tm is { Far: { } far })
            {
                Cross(d, far, vx?.Remote);
                return;
            }
            if (vx is { Remote: null, Group: null } && tm is { FdbEnds.Count: > 0 } fdb)
            {
                // no remote (flannel): a broadcast goes only where an all-zeros FDB entry sends it (none: dropped)
                foreach (var end in fdb.FdbEnds)
                {
                    if (!end.Entry.Mac.IsZero) continue;
                    if (end.Far is { } f) Cross(d, f, end.Dst);
                    // a far host in the input whose device differs (port, VNI): the frame dies there, nobody answers
                    else if (end.NearMisses.Count == 0 && !Discarded(d, end.Dst)) unresolved?.Add(d);
                }
                return;
            }
            if (tm is { NearMisses.Count: > 0 } near)
            {
                foreach (var m in near.NearMisses)
                    if (Receives(vx, m.Far.Link.Vxlan)) Cross(d, m.Far, vx?.Remote);
                return;
            }
            if (vx?.Remote is { } remote && Discarded(d, remote)) return;
            unresolved?.Add(d);
        }

        /// <summary>Same VNI and port: the far socket hands the frame to that device whatever its own remote is.</summary>
        private static bool Receives(Model.VxlanInfo? vx, Model.VxlanInfo? far) =>
            vx is not null && far is not null && far.Vni == vx.Vni &&
            (far.DstPort ?? TunnelLinker.DefaultPort) == (vx.DstPort ?? TunnelLinker.DefaultPort);

        private void Cross(DeviceRef d, DeviceRef far, System.Net.IPAddress? remote)
        {
            if (remote is not null && Discarded(d, remote)) return;
            tunnels?.AddCarrier(far, d);
            Queue.Enqueue(new Item(far, Mode.Ingress, true));
        }

        /// <summary>The outer packet dies in the underlay (the reason is collected): the frame goes nowhere.</summary>
        private bool Discarded(DeviceRef d, System.Net.IPAddress remote)
        {
            if (tunnels?.OuterDrop?.Invoke(d, remote) is not { } why) return false;
            tunnels.AddDeadEnd(why);
            return true;
        }

        private void EnqueueSegment(Segment seg, DeviceRef d, bool carried)
        {
            // a switch floods unknown unicast: every other member receives it (and checks the MAC itself)
            bool known = dst.IsMulticast || seg.Members.Any(m => m != d && m.Link.Mac == dst);
            foreach (var m in seg.Members)
                if (m != d && (!known || dst.IsMulticast || m.Link.Mac == dst)) Queue.Enqueue(new Item(m, Mode.Ingress, carried));
        }
    }

    /// <summary>Match-all mirred/gact filters of a hook that apply to the frame; true when the frame is stolen (redirected or dropped).</summary>
    private static bool Mirred(Topology.Topology t, DeviceRef d, string hook, bool arp, out List<(DeviceRef, bool)> targets)
    {
        targets = [];
        foreach (var f in d.Ns.Filters)
        {
            if (f.Device != d.Link.Name || f.Direction != hook || f.MatchesAll != true) continue;
            if (!(f.Protocol is null or "all" || (arp ? f.Protocol == "arp" : f.Protocol is "ip" or "ipv4"))) continue;
            foreach (var a in f.Actions)
            {
                if (a.Kind == "gact" && a.Control is "drop" or "shot") return true;
                if (a.Kind != "mirred" || a.TargetDevice is null) continue;
                if (t.Device(d.Host, d.Ns, a.TargetDevice) is { } target) targets.Add((target, a.MirredDirection != "ingress"));
                if (a.MirredAction != "mirror") return true;
            }
        }
        return false;
    }
}
