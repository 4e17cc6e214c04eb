using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>What the kernel learns while one request and its reply pass: a VXLAN device with learning on
/// remembers the inner source MAC of a frame it received at the outer source address (vxlan_snoop), and a
/// namespace answering an ARP request enters the asker in its neighbour table (arp_process → neigh_event_ns).
/// The reply, traced after the request, finds both.</summary>
internal sealed class Learnt
{
    // made when the first is learnt: most walks learn nothing
    private Dictionary<(DeviceRef Dev, MacAddress Mac), IPAddress>? _fdb;
    private Dictionary<(DeviceRef Dev, IPAddress Ip), MacAddress>? _neighbors;

    /// <summary>(VXLAN device, inner MAC) → the underlay address frames for that MAC are sent to.</summary>
    public bool TryFdb(DeviceRef dev, MacAddress mac, out IPAddress? at)
    {
        at = null;
        return _fdb is not null && _fdb.TryGetValue((dev, mac), out at);
    }

    public void LearnFdb(DeviceRef dev, MacAddress mac, IPAddress at) => (_fdb ??= [])[(dev, mac)] = at;

    /// <summary>(device the request came in by, asker's address) → the asker's MAC.</summary>
    public bool TryNeighbor(DeviceRef dev, IPAddress ip, out MacAddress mac)
    {
        mac = default;
        return _neighbors is not null && _neighbors.TryGetValue((dev, ip), out mac);
    }

    public void LearnNeighbor(DeviceRef dev, IPAddress ip, MacAddress mac) => (_neighbors ??= [])[(dev, ip)] = mac;
}

/// <summary>Tunnels in the ARP walk (is the outer packet discarded in its underlay?) and what the walk teaches the far side.</summary>
internal sealed partial class Walker
{
    private Learnt _learnt = new();

    /// <summary>How deep an ARP walk asks about the underlay's own ARP (a tunnel inside a tunnel's underlay).</summary>
    private const int MaxTunnelDepth = 3;

    /// <summary>Why the outer packet <paramref name="vx"/> sends to <paramref name="remote"/> dies in the underlay (vxlan_xmit_one:
    /// its route lookup, then the next hop's neighbour); null when it gets out, or the input cannot say.</summary>
    private string? OuterDrop(DeviceRef vx, IPAddress remote, int depth)
    {
        var underlay = _t.Tunnel(vx)?.Underlay ?? _t.LinkNamespace(vx);
        if (underlay is null) return null;
        var bound = vx.Link.Vxlan?.UnderlayIndex is { } ui ? _t.Device(underlay.Host, underlay.Ns, ui) : null;
        return OuterDropFrom(underlay, vx.Link.Vxlan?.Local, bound, remote, $"{vx}'s outer packet to {remote}", depth);
    }

    /// <summary>Why an outer packet from UNDERLAY (source LOCAL, bound to BOUND) to REMOTE dies there: no route, a
    /// discarding route, its device down, or its next hop unresolved; null when it gets out, or the input cannot say.</summary>
    private string? OuterDropFrom(NsRef underlay, IPAddress? local, DeviceRef? bound, IPAddress remote, string what, int depth)
    {
        if (!underlay.Ns.IsKnown(Sections.Routes4)) return null;
        var fib = Fib.Lookup(_t, underlay, local ?? IPAddress.Any, remote, "lo", bound?.Link.Name, null);
        switch (fib.Type)
        {
            case "none": return $"{what}: {underlay} has no route to it";
            case RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit:
                return $"{what}: {(fib.Route is { } r ? $"route {r}" : $"rule action {fib.Type}")} in {underlay} discards it";
            case RouteTypes.Unicast: break;
            default: return null;
        }
        if (fib.Device is null || _t.Device(underlay, fib.Device) is not { } dev) return null;
        if (!dev.Link.IsUp) return $"{what}: {dev} is down";
        var hop = fib.Gateway ?? remote;
        if (dev.Link.Flags.Contains("NOARP") || dev.Link.IsLoopback) return null;
        var entry = _t.NeighborEntry(underlay.Ns, dev.Link.Name, hop);
        if (entry is { Mac: not null } && !entry.State.Any(Unusable.Contains)) return null;
        if (entry is null && !underlay.Ns.NeighborsKnown(hop)) return null;
        if (depth >= MaxTunnelDepth) return null;
        var (answer, _, reason, unresolved) = Arp(dev, hop, null, depth + 1);
        return answer is null && unresolved is null ? $"{what}: {underlay} cannot resolve {hop} on {dev.Link.Name} ({reason})" : null;
    }

    /// <summary>The address an ARP request from <paramref name="dev"/> carries as its sender (arp_solicit): the packet's source
    /// when it is an address of the namespace, else the device's address on the target's subnet, else its first.</summary>
    private IPAddress? AskerAddress(DeviceRef dev, IPAddress target, Flow? flow)
    {
        // arp_solicit: arp_announce (the larger of `all` and the device's) decides whether the packet's own source
        // address is the sender: 0 when it is local, 1 only when it is on a subnet of the device holding the target,
        // 2 never (inet_select_addr on the device, as below)
        var ns = dev.Namespace.Ns;
        int announce = Math.Max(ParseInt(_t.ConfSysctl(ns, "all", "arp_announce")), ParseInt(_t.ConfSysctl(ns, dev.Link.Name, "arp_announce")));
        if (flow is { } f && !f.Source.Equals(IPAddress.Any) && Linker.IsOwnedBy(_t, f.Source, dev.Namespace) &&
            (announce == 0 || (announce == 1 && OnSubnetOfBoth(dev, target, f.Source))))
            return f.Source;
        IfAddress? first = null;
        foreach (var a in dev.Link.Addresses)
        {
            if (!a.Prefix.IsV4) continue;
            if (Fib.Contains(a.Prefix, target)) return a.Address;
            first ??= a;
        }
        return first?.Address;
    }

    /// <summary>A subnet of one of the device's IPv4 addresses holds both addresses.</summary>
    private static bool OnSubnetOfBoth(DeviceRef dev, IPAddress a, IPAddress b)
    {
        foreach (var x in dev.Link.Addresses)
            if (x.Prefix.IsV4 && Fib.Contains(x.Prefix, a) && Fib.Contains(x.Prefix, b)) return true;
        return false;
    }

    /// <summary>What a request that got its answer taught the far side: each learning VXLAN device it crossed
    /// the asker's MAC (at the carrier's underlay address), and the answering namespace the asker's neighbour entry.</summary>
    private void LearnFromArp(L2Tunnels tunnels, DeviceRef answerer, MacAddress askerMac, IPAddress? askerIp)
    {
        if (tunnels.Learnt() is { } learnt)
            foreach (var (far, sender) in learnt)
                if (OuterSource(sender) is { } src) _learnt.LearnFdb(far, askerMac, src);
        if (askerIp is not null) _learnt.LearnNeighbor(answerer, askerIp, askerMac);
    }

    /// <summary>The outer source address of a VXLAN device's packets: its local address, else the address of the
    /// underlay device its remote is routed by.</summary>
    private IPAddress? OuterSource(DeviceRef vx)
    {
        if (vx.Link.Vxlan?.Local is { } local) return local;
        var underlay = _t.Tunnel(vx)?.Underlay ?? _t.LinkNamespace(vx);
        if (underlay is null || vx.Link.Vxlan?.Remote is not { } remote) return null;
        var dev = Fib.OutDevice(_t, underlay, remote);
        foreach (var a in dev?.Link.Addresses ?? []) if (a.Prefix.IsV4) return a.Address;
        return null;
    }
}
