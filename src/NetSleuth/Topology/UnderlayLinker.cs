using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>An IP subnet shared by root-namespace devices of several hosts: assumed one L2 segment.</summary>
public sealed record Segment(IpPrefix Subnet, IReadOnlyList<DeviceRef> Members);

/// <summary>
/// Joins hosts by their underlay: devices in hosts' root namespaces with addresses in one subnet are
/// assumed to share an L2 segment (the network between machines is never in the input).
/// </summary>
internal static class UnderlayLinker
{
    public static void LinkSegments(Topology t, List<TunnelLinker.VxlanEnd> tunnels)
    {
        var bySubnet = new Dictionary<IpPrefix, List<DeviceRef>>();
        // each subnet's members as a set too: the underlay of a 5,000-node cluster is one subnet of 15,000 devices
        var inSubnet = new HashSet<(IpPrefix, DeviceRef)>();
        foreach (var host in t.Hosts)
        {
            if (host.Root is not { } root) continue;
            // a host's own addresses: replayed for a host a re-link left alone
            foreach (var (net, d) in AcrossReplay.Run(t, host, host, () => Addresses(t, host, root)))
            {
                if (!bySubnet.TryGetValue(net, out var l)) bySubnet[net] = l = [];
                if (inSubnet.Add((net, d))) l.Add(d);
            }
        }
        foreach (var (subnet, members) in bySubnet.OrderBy(k => k.Key.ToString(), StringComparer.Ordinal))
        {
            if (!OnSeveralHosts(members)) continue;
            // a segment is a function of its subnet and members: the original's when they are the same devices
            var seg = AcrossReplay.Join<Segment>(t, JoinKind.Segment, subnet, null, s => SameDevices(s.Members, members), _ => Join(t, subnet, members));
            t.SegmentList.Add(seg);
            foreach (var m in seg.Members) t.SegmentByDevice.TryAdd(m, seg);
        }
        LinkRoutedTunnels(t, tunnels);
    }

    private static bool OnSeveralHosts(List<DeviceRef> members)
    {
        for (int i = 1; i < members.Count; i++)
            if (!ReferenceEquals(members[i].Host, members[0].Host)) return true;
        return false;
    }

    private static bool SameDevices(IReadOnlyList<DeviceRef> a, List<DeviceRef> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (!ReferenceEquals(a[i], b[i])) return false;
        return true;
    }

    private static Segment Join(Topology t, IpPrefix subnet, List<DeviceRef> members)
    {
        var seg = new Segment(subnet, members);
        // edges for drawing: a chain through the members (a star would be as true; a chain stays readable)
        var label = subnet.ToString();
        for (int i = 1; i < members.Count; i++)
            Linker.AddEdge(t, new Edge(EdgeKind.Underlay, members[i - 1], members[i], label));
        t.AllAssumptions.Add(new Assumption(
            $"hosts {string.Join(", ", members.Select(m => m.Host.Name).Distinct())} share subnet {subnet}: assumed one L2 segment"));
        return seg;
    }

    /// <summary>The subnets of the root namespace's devices (not loopback, host or link scope, host routes, IPv6 link-local).</summary>
    private static List<(IpPrefix Subnet, DeviceRef Device)> Addresses(Topology t, Host host, NetNamespace root)
    {
        var found = new List<(IpPrefix, DeviceRef)>();
        foreach (var link in root.Links)
        {
            if (link.IsLoopback) continue;
            foreach (var a in link.Addresses)
            {
                if (a.Scope is "host" or "link" || a.Prefix.Length == a.Prefix.MaxLength) continue;
                if (!a.Prefix.IsV4 && a.Address.IsIPv6LinkLocal) continue;
                if (t.Device(host, root, link.Index) is { } d) found.Add((a.Prefix.Network, d));
            }
        }
        return found;
    }

    /// <summary>
    /// Tunnel ends whose underlays share no subnet reach each other through routers the input does not
    /// show: a routed underlay edge from the device the route leaves by to the device owning the remote.
    /// </summary>
    private static void LinkRoutedTunnels(Topology t, List<TunnelLinker.VxlanEnd> tunnels)
    {
        var done = new HashSet<(DeviceRef, DeviceRef)>();
        var members = new Dictionary<Segment, HashSet<DeviceRef>>(ReferenceEqualityComparer.Instance);
        var across = t.Across;
        bool replaying = across is { Replaying: true };
        // in a re-link: the device pairs (both ways) a join made again considered, before and after: a later join on one
        // of them may decide otherwise (an edge drawn one way is not drawn back)
        var touchedPairs = new HashSet<(DeviceRef, DeviceRef)>();
        Action<Edge> onReplay = e => done.Add((e.From, e.To!));
        foreach (var (d, _, local) in tunnels)
        {
            // the device's own remote first: a cluster has hundreds of thousands of devices and a few VXLAN ones
            if (d.Link.Vxlan?.Remote is not { } remote || t.Tunnel(d) is not { Underlay: { } underlay }) continue;
            if (local is null) continue;
            AcrossReplay.Join<RoutedJoin>(t, JoinKind.Routed, d, d.Host,
                j => !across!.AddressTouched(remote) && ReferenceEquals(t.SegmentOf(local), j.Segment) && !Touches(touchedPairs, local, j.Fars),
                old =>
                {
                    var made = Route(t, d, remote, underlay, local, done, members);
                    if (replaying)
                    {
                        if (old is not null) Touch(touchedPairs, old.Local, old.Fars);
                        Touch(touchedPairs, local, made.Fars);
                    }
                    return made;
                }, onReplay);
        }
    }

    /// <summary>What a device's routed join read: its underlay device, that device's segment, the owners of its remote.</summary>
    private sealed record RoutedJoin(DeviceRef Local, Segment? Segment, DeviceRef[] Fars);

    private static bool Touches(HashSet<(DeviceRef, DeviceRef)> pairs, DeviceRef local, DeviceRef[] fars)
    {
        if (pairs.Count == 0) return false;
        foreach (var f in fars) if (pairs.Contains((local, f))) return true;
        return false;
    }

    private static void Touch(HashSet<(DeviceRef, DeviceRef)> pairs, DeviceRef local, DeviceRef[] fars)
    {
        foreach (var f in fars)
        {
            pairs.Add((local, f));
            pairs.Add((f, local));
        }
    }

    private static RoutedJoin Route(Topology t, DeviceRef d, System.Net.IPAddress remote, NsRef underlay, DeviceRef local,
        HashSet<(DeviceRef, DeviceRef)> done, Dictionary<Segment, HashSet<DeviceRef>> members)
    {
        var owners = t.OwnersOf(remote);
        var fars = new DeviceRef[owners.Count];
        for (int i = 0; i < owners.Count; i++) fars[i] = owners[i].Device;
        foreach (var (far, _) in owners)
        {
            if (far.Host == d.Host || done.Contains((far, local))) continue;
            var seg = t.SegmentOf(local);
            if (seg is not null && (members.TryGetValue(seg, out var set) ? set : members[seg] = [.. seg.Members]).Contains(far)) continue;
            done.Add((local, far));
            var route = Forwarding.Fib.MainRoute(t, underlay.Ns, remote);
            var via = route?.Gateway is { } gw ? $"via {gw}" : "on-link";
            Linker.AddEdge(t, new Edge(EdgeKind.Underlay, local, far, $"routed {via}",
                $"{local} and {far} share no subnet: tunnel packets to {remote} are routed {via} through a network the input does not show"));
        }
        return new RoutedJoin(local, t.SegmentOf(local), fars);
    }
}
