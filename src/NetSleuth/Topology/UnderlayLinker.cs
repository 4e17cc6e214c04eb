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
    public static void LinkSegments(Topology t)
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
            if (members.Select(m => m.Host).Distinct().Count() < 2) continue;
            var seg = new Segment(subnet, members);
            t.SegmentList.Add(seg);
            foreach (var m in members) t.SegmentByDevice.TryAdd(m, seg);
            // edges for drawing: a chain through the members (a star would be as true; a chain stays readable)
            for (int i = 1; i < members.Count; i++)
                Linker.AddEdge(t, new Edge(EdgeKind.Underlay, members[i - 1], members[i], subnet.ToString()));
            t.AllAssumptions.Add(new Assumption(
                $"hosts {string.Join(", ", members.Select(m => m.Host.Name).Distinct())} share subnet {subnet}: assumed one L2 segment"));
        }
        LinkRoutedTunnels(t);
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
    private static void LinkRoutedTunnels(Topology t)
    {
        var done = new HashSet<(DeviceRef, DeviceRef)>();
        var members = new Dictionary<Segment, HashSet<DeviceRef>>(ReferenceEqualityComparer.Instance);
        foreach (var d in t.DeviceList)
        {
            // the device's own remote first: a cluster has hundreds of thousands of devices and a few VXLAN ones
            if (d.Link.Vxlan?.Remote is not { } remote || t.Tunnel(d) is not { Underlay: { } underlay }) continue;
            var local = t.EdgesFrom(d).FirstOrDefault(e => e.Kind == EdgeKind.TunnelUnderlay)?.To;
            if (local is null) continue;
            foreach (var (far, _) in t.OwnersOf(remote))
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
        }
    }
}
