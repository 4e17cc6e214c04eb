using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// Where a frame goes at layer 2 from a device, without recording steps: across veth pairs, bridge and
/// OVS ports (flooding), tc mirred redirects, VXLAN tunnels (to the matched far end) and underlay
/// segments. Used to simulate ARP (a broadcast, then the unicast answer back) and to pick the port of
/// a flooded frame that leads somewhere.
/// </summary>
internal static class L2Reach
{
    /// <summary>A device that would hand the frame to its own stack.</summary>
    /// <param name="MacMatches">the frame is for it (its MAC, or broadcast)</param>
    /// <param name="Carried">the frame got there through a tc redirect or a tunnel, which ignore MACs</param>
    internal sealed record Endpoint(DeviceRef Dev, bool MacMatches, bool Carried);

    private enum Mode { Egress, Ingress, Up }

    public static List<Endpoint> Explore(Topology.Topology t, DeviceRef start, bool egress, MacAddress dst, bool arp, int limit = 4096) =>
        Explore(t, start, egress, dst, arp, null, limit);

    /// <param name="unresolved">collects devices whose far side is not in the input (veth peer, tunnel end, unlinked port)</param>
    public static List<Endpoint> Explore(Topology.Topology t, DeviceRef start, bool egress, MacAddress dst, bool arp, List<DeviceRef>? unresolved, int limit = 4096)
    {
        var result = new List<Endpoint>();
        var seen = new HashSet<(DeviceRef, Mode)>();
        var queue = new Queue<(DeviceRef Dev, Mode Mode, bool Carried)>();
        queue.Enqueue((start, egress ? Mode.Egress : Mode.Ingress, false));
        while (queue.Count > 0 && seen.Count < limit)
        {
            var (d, mode, carried) = queue.Dequeue();
            if (!seen.Add((d, mode)) || !d.Link.IsUp) continue;
            if (mode != Mode.Up && Mirred(t, d, mode == Mode.Egress ? "egress" : "ingress", arp, out var targets))
            {
                foreach (var (target, toEgress) in targets) queue.Enqueue((target, toEgress ? Mode.Egress : Mode.Ingress, true));
                continue;
            }
            if (mode == Mode.Egress)
            {
                switch (d.Link.Kind)
                {
                    case LinkKinds.Veth:
                        if (t.VethPeer(d) is { } peer) queue.Enqueue((peer, Mode.Ingress, carried));
                        else if (t.SegmentOf(d) is { } vseg) EnqueueSegment(vseg, d, dst, queue, carried);
                        else unresolved?.Add(d);
                        break;
                    case LinkKinds.Vxlan:
                        if (t.Tunnel(d) is { Far: { } far }) queue.Enqueue((far, Mode.Ingress, true));
                        else if (t.Tunnel(d) is not { NearMisses.Count: > 0 }) unresolved?.Add(d);
                        break;
                    case LinkKinds.Bridge:
                        foreach (var p in t.PortsOf(d)) queue.Enqueue((p, Mode.Egress, carried));
                        break;
                    case LinkKinds.OpenVSwitch:
                    case LinkKinds.Tun when Walker.IsOvsPort(t, d):
                        EnqueueOvs(t, t.BridgeOf(d) ?? d, d, queue, carried);
                        break;
                    case null:
                        if (t.SegmentOf(d) is { } seg) EnqueueSegment(seg, d, dst, queue, carried);
                        break;
                }
                continue;
            }
            if (mode == Mode.Ingress && t.BridgeOf(d) is { } br)
            {
                if (br.Link.Kind == LinkKinds.Bridge)
                {
                    foreach (var p in t.PortsOf(br)) if (p != d) queue.Enqueue((p, Mode.Egress, carried));
                    if (dst.IsMulticast || br.Link.Mac == dst) queue.Enqueue((br, Mode.Up, carried));
                }
                else
                {
                    if (Walker.IsUserspaceOvsPort(d)) result.Add(new Endpoint(d, dst.IsMulticast || d.Link.Mac == dst, carried));
                    EnqueueOvs(t, br, d, queue, carried);
                }
                continue;
            }
            result.Add(new Endpoint(d, dst.IsMulticast || d.Link.Mac == dst, carried));
        }
        return result;
    }

    private static void EnqueueSegment(Segment seg, DeviceRef d, MacAddress dst, Queue<(DeviceRef, Mode, bool)> queue, bool carried)
    {
        // a switch floods unknown unicast: every other member receives it (and checks the MAC itself)
        bool known = dst.IsMulticast || seg.Members.Any(m => m != d && m.Link.Mac == dst);
        foreach (var m in seg.Members)
            if (m != d && (!known || dst.IsMulticast || m.Link.Mac == dst)) queue.Enqueue((m, Mode.Ingress, carried));
    }

    private static void EnqueueOvs(Topology.Topology t, DeviceRef br, DeviceRef from, Queue<(DeviceRef, Mode, bool)> queue, bool carried)
    {
        if (br != from) queue.Enqueue((br, Mode.Up, carried));
        foreach (var p in t.PortsOf(br))
        {
            if (p == from) continue;
            queue.Enqueue((p, Walker.IsOvsInternal(t, p) ? Mode.Up : Mode.Egress, carried));
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
