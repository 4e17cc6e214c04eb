using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>Where a frame ended up: the device whose stack received it (or null when the walk left the input).</summary>
/// <param name="Landing">the device that finally receives the frame into its namespace's stack</param>
/// <param name="Accepted">false when the kernel drops it there as "for another host" (MAC differs, not promiscuous)</param>
/// <param name="Path">devices passed, in order (egress and ingress sides)</param>
/// <param name="Redirected">true when a tc mirred redirect took the frame away from a device on the way</param>
/// <param name="Stop">why the walk stopped without a landing (the far end is not in the input, …)</param>
/// <param name="Unclaimed">true when the frame reached an L2 domain (bridge, underlay segment) where no device has its MAC</param>
internal sealed record L2Result(DeviceRef? Landing, bool Accepted, IReadOnlyList<DeviceRef> Path, bool Redirected, string? Stop, bool Unclaimed = false);

/// <summary>
/// Follows an Ethernet frame with a given destination MAC from a device's egress through veth pairs,
/// bridges (by the MAC behind each port), tc mirred redirects and VXLAN tunnels, to the device whose
/// stack receives it — the part of the kernel's path that decides "is this frame for me". The single
/// path behind <see cref="L2Reach.PathTo"/> (the checks' question); <see cref="L2Reach.Walk"/> floods.
/// It reads only the topology's frozen indexes: calls may run at once.
/// </summary>
internal readonly struct L2Path(Topology.Topology t)
{
    private const int MaxSteps = 32;

    public L2Result From(DeviceRef start, bool egress, MacAddress dst, bool leavingBridge = false) => Walk(start, egress, dst, leavingBridge);

    private L2Result Walk(DeviceRef d, bool egress, MacAddress dst, bool leavingBridge)
    {
        var path = new List<DeviceRef>(4); // most walks: a veth pair, a tunnel, a port or two
        bool redirected = false;
        for (int step = 0; step < MaxSteps; step++)
        {
            path.Add(d);
            if (Redirect(d, egress ? "egress" : "ingress") is { } r)
            {
                if (r.To is null) return new L2Result(null, false, path, true, $"tc mirred target of {d} is not in the input");
                redirected = true;
                egress = r.Egress;
                d = r.To;
                continue;
            }
            if (egress && step == 0 && !leavingBridge && !d.Link.IsVeth && d.Link.Kind != LinkKinds.Vxlan && t.BridgeOf(d) is not null)
                egress = false; // the stack sends on an OVS internal port (or tap): the frame enters the bridge there
            if (egress)
            {
                if (d.Link.IsVeth && t.VethPeer(d) is { } peer)
                {
                    d = peer; egress = false; continue;
                }
                if (t.SegmentOf(d) is { } seg)
                {
                    // the network between hosts: the member with the MAC gets it
                    var member = t.SegmentMember(seg, dst);
                    if (member == d) member = null;
                    if (member is null) return new L2Result(null, false, path, redirected, $"no device on {seg.Subnet} has {dst}", Unclaimed: true);
                    d = member; egress = false; continue;
                }
                if (d.Link.IsVeth) return new L2Result(null, false, path, redirected, $"the veth peer of {d} is not in the input");
                if (d.Link.Kind == LinkKinds.Vxlan)
                {
                    var tm = t.Tunnel(d);
                    if (tm is { Far: null, FdbEnds.Count: > 0 })
                    {
                        // no remote (flannel): the FDB entry for the destination MAC, else a default (all-zeros) one
                        var end = t.FdbEnd(d, dst) ?? t.FdbEnd(d, default);
                        if (end is null) return new L2Result(null, false, path, redirected, $"{d} has no FDB entry for {dst}: the frame is dropped", Unclaimed: true);
                        if (end.Far is null) return new L2Result(null, false, path, redirected, $"the far end of {d}'s FDB entry for {end.Entry.Mac} (dst {end.Dst}) is not in the input");
                        d = end.Far; egress = false; continue;
                    }
                    var far = tm?.Far;
                    if (far is null) return new L2Result(null, false, path, redirected, $"the tunnel far end of {d} is not in the input");
                    d = far; egress = false; continue;
                }
                if (IsBridge(d))
                {
                    var port = PortFor(d, dst, except: null);
                    if (port is null) return new L2Result(null, false, path, redirected, $"bridge {d} has no port known for {dst}", Unclaimed: true);
                    if (!L2Reach.Forwards(port)) return PortDown(port, path, redirected);
                    d = port; egress = true; continue;
                }
                // an OVS internal port or a tap: the bridge hands the frame to this device's stack
                if (t.BridgeOf(d) is not null) return Land(d, dst, path, redirected);
                return new L2Result(null, false, path, redirected, $"the frame leaves {d} to a network not in the input");
            }
            // ingress: a bridge port hands it to its bridge
            if (t.BridgeOf(d) is { } bridge)
            {
                if (bridge.Link.Mac == dst) { path.Add(bridge); return Land(bridge, dst, path, redirected); }
                var port = PortFor(bridge, dst, except: d);
                if (port is null) return new L2Result(null, false, path, redirected, $"bridge {bridge} has no port known for {dst}", Unclaimed: true);
                path.Add(bridge);
                if (!L2Reach.Forwards(port)) return PortDown(port, path, redirected);
                d = port; egress = true; continue;
            }
            return Land(d, dst, path, redirected);
        }
        return new L2Result(null, false, path, redirected, "the frame loops");
    }

    /// <summary>The port behind which the MAC lives does not forward (down, or not in STP forwarding state): the bridge
    /// drops the frame there (<see cref="L2Reach.Forwards"/>, the rule the tracer's bridge follows too).</summary>
    private static L2Result PortDown(DeviceRef port, List<DeviceRef> path, bool redirected)
    {
        path.Add(port);
        return new L2Result(null, false, path, redirected, $"bridge port {port} is down or not forwarding: the bridge drops the frame");
    }

    private static L2Result Land(DeviceRef d, MacAddress dst, List<DeviceRef> path, bool redirected) =>
        new(d, d.Link.Mac == dst || dst.IsMulticast || d.Link.IsPromiscuous || d.Link.Mac is null, path, redirected, null);

    private bool IsBridge(DeviceRef d) =>
        d.Link.Kind is LinkKinds.Bridge or LinkKinds.OpenVSwitch || t.PortsOf(d).Any();

    private readonly record struct Hop(DeviceRef? To, bool Egress);

    /// <summary>A match-all mirred redirect on the device's hook, if any (the first wins, as tc's "stolen" does).</summary>
    private Hop? Redirect(DeviceRef d, string direction)
    {
        if (d.Ns.Filters.Count == 0) return null;
        foreach (var (edge, f, a) in t.MirredFrom(d, direction))
        {
            if (edge.Kind != EdgeKind.TcRedirect || f.MatchesAll != true) continue;
            return new Hop(edge.To, a.MirredDirection != "ingress");
        }
        return null;
    }

    /// <summary>The port of a bridge behind which the MAC lives (the device behind each port, then FDB entries:
    /// <see cref="Topology.Topology.PortForMac"/>), not the one it came in by.</summary>
    private DeviceRef? PortFor(DeviceRef bridge, MacAddress mac, DeviceRef? except) =>
        t.PortForMac(bridge, mac) is { } found && found != except ? found : null;
}
