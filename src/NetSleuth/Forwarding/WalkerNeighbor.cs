using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>Neighbour resolution of the next hop: the neighbour table, else ARP simulated across the L2 domain.</summary>
internal sealed partial class Walker
{
    private static readonly string[] Unusable = ["FAILED", "INCOMPLETE"];

    private Next ResolveAndSend(DeviceRef dev, IPAddress nextHop, Flow flow, Payload? inner)
    {
        var ns = dev.Namespace;
        var link = dev.Link;
        var srcMac = link.Mac ?? MacAddress.Zero;
        if (link.Flags.Contains("NOARP") || link.LinkType is "none" || link.IsLoopback)
            return new Egress(dev, new Frame(flow, srcMac, link.Mac ?? MacAddress.Zero, inner));
        // an entry that was seen is a fact, even when the rest of the table is not in the input
        var entry = _t.NeighborEntry(ns.Ns, link.Name, nextHop);
        if (entry is { Mac: { } mac } && !entry.State.Any(Unusable.Contains))
        {
            if (_record) Add(ns, new NeighborStep(nextHop, link.Name, mac, (entry.State.Count > 0 ? string.Join(' ', entry.State) : "state not shown") + Readings(entry) + OvnResponder(dev, nextHop, mac)) { Evidence = entry.Source });
            return new Egress(dev, new Frame(flow, srcMac, mac, inner, nextHop));
        }
        if (_learnt.TryNeighbor(dev, nextHop, out var learntMac))
        {
            if (_record) Add(ns, new NeighborStep(nextHop, link.Name, learntMac,
                "learnt from its ARP request on the way here, which this namespace answered (arp_process → neigh_event_ns)"));
            return new Egress(dev, new Frame(flow, srcMac, learntMac, inner, nextHop));
        }
        if (entry is null && !ns.Ns.NeighborsKnown(nextHop))
            return Missing(ns, "ip neigh show",
                $"no neighbour entry for {nextHop} on {link.Name} is in the input, and the neighbour table of {ns} is not known in whole (an entry may exist)", dev);
        if (entry is not null)
            if (_record) Add(ns, new NeighborStep(nextHop, link.Name, entry.Mac, string.Join(' ', entry.State) + ": unusable, the kernel asks again") { Evidence = entry.Source });
        if (OvnArpAnswer(dev, nextHop) is { } ovn)
        {
            if (_record) Add(ns, new ArpStep(nextHop, link.Name, ovn.Mac, "OVN's ARP responder on " + ovn.Bridge, ovn.Detail) { Evidence = ovn.Evidence });
            return new Egress(dev, new Frame(flow, srcMac, ovn.Mac, inner, nextHop));
        }
        var (answer, by, reason, unresolved) = Arp(dev, nextHop, flow, 0);
        if (_record) Add(ns, new ArpStep(nextHop, link.Name, answer, by?.ToString(), reason));
        if (answer is null && unresolved is { } u)
            return Missing(u.Namespace, "ip -d link show; ip netns list-id",
                $"nobody in the input answers ARP for {nextHop} from {dev}, but the request also leaves through {u}, whose other end is not in the input", dev);
        if (answer is not { } resolved)
            return new End(Disposition.NeighborUnreachable, $"{ns} cannot resolve {nextHop} on {link.Name}: {reason}", dev);
        return new Egress(dev, new Frame(flow, srcMac, resolved, inner, nextHop));
    }

    /// <summary>An ARP request broadcast from <paramref name="dev"/>: the first device it reaches whose namespace
    /// answers for the target (arp_ignore, proxy_arp), and whose unicast answer gets back to the asker.</summary>
    /// <summary>"; OVN's ARP responder answers with …" when DEV is a port of an OVN br-int that answers for the address.</summary>
    private string OvnResponder(DeviceRef dev, IPAddress ip, MacAddress held)
    {
        if (OvnArpAnswer(dev, ip) is not { } a) return "";
        return $"; learnt from OVN's ARP responder on {a.Bridge}, which answers with {a.Mac} ({(a.Lsp is { } l ? "logical switch port " + l.Name : a.Detail)})" +
               (a.Mac == held ? "" : $" — not the MAC this entry holds");
    }

    /// <summary>When the input read the entry more than once with other MACs: the lookup uses the latest reading, and says so.</summary>
    private static string Readings(Neighbor entry)
    {
        if (entry.EarlierReadings.Count == 0) return "";
        var last = entry.EarlierReadings[^1];
        return $"; the latest of {entry.EarlierReadings.Count + 1} readings (earlier {last.Mac?.ToString() ?? "no MAC"}" +
            (last.Source is null ? "" : $" at {last.Source}") + ")";
    }

    /// <param name="flow">the packet waiting for the answer (its source may be the request's sender address); null for an outer packet's next hop</param>
    /// <param name="depth">how many tunnels' underlays deep this ARP is (<see cref="OuterDrop"/>)</param>
    private (MacAddress? Mac, DeviceRef? By, string Reason, DeviceRef? Unresolved) Arp(DeviceRef dev, IPAddress target, Flow? flow, int depth)
    {
        var unresolved = new List<DeviceRef>();
        var owners = _t.OwnersOf(target);
        var reached = new List<L2Reach.Endpoint>();
        List<string>? notes = null;
        // the request's sender address (arp_solicit), asked once
        IPAddress? asker = null;
        bool askerKnown = false;
        IPAddress? Asker()
        {
            if (!askerKnown) { asker = AskerAddress(dev, target, flow); askerKnown = true; }
            return asker;
        }
        var tunnels = new L2Tunnels { OuterDrop = (vx, remote) => OuterDrop(vx, remote, depth) };
        // the walk stops at the first device that answers: the rest of the domain is not flooded for nothing
        foreach (var ep in L2Reach.Walk(_t, dev, egress: true, MacAddress.Broadcast, arp: true, unresolved, tunnels: tunnels))
        {
            reached.Add(ep);
            if (ep.Dev == dev) continue;
            var why = AnswersArp(ep.Dev, target, owners);
            if (why is null) continue;
            if (Asker() is { } sender && ArpSenderRefused(ep.Dev, sender, target) is { } refused)
            {
                (notes ??= []).Add(refused);
                continue;
            }
            // the answer goes back by what the request taught the tunnels it crossed
            var back = new L2Tunnels { OuterDrop = tunnels.OuterDrop, LearntBack = tunnels.Learnt() };
            if (dev.Link.Mac is { } askerMac &&
                !Reaches(L2Reach.Walk(_t, ep.Dev, egress: true, askerMac, arp: true, null, tunnels: back), dev))
            {
                (notes ??= []).Add($"{ep.Dev} would answer, but its reply does not get back to {dev.Link.Name}" +
                    (back.DeadEnds.Count > 0 ? $" ({string.Join("; ", back.DeadEnds)})" : ""));
                continue;
            }
            if (ep.Dev.Link.Mac is not { } mac) continue;
            // an outer packet's next hop asked about on the way (depth > 0) is assumed where that packet is really sent
            if (_record && depth == 0) Assume($"{dev}: no neighbour entry for {target}; ARP simulated: {ep.Dev} answers");
            if (dev.Link.Mac is { } ownMac) LearnFromArp(tunnels, ep.Dev, ownMac, Asker());
            return (mac, ep.Dev, why, null);
        }
        var names = reached.Where(e => e.Dev != dev).Select(e => e.Dev.ToString()).Take(4).ToList();
        var where = names.Count == 0 ? "the request reaches no device" : $"the request reaches {string.Join(", ", names)}{(reached.Count > 5 ? ", …" : "")}";
        notes ??= [];
        notes.Insert(0, $"{where}; none answers for {target}");
        // a tunnel whose outer packet is discarded is why the request went nowhere: said first
        notes.InsertRange(0, tunnels.DeadEnds);
        return (null, null, string.Join("; ", notes), unresolved.FirstOrDefault());
    }

    private static bool Reaches(IEnumerable<L2Reach.Endpoint> endpoints, DeviceRef dev)
    {
        foreach (var e in endpoints) if (e.Dev == dev) return true;
        return false;
    }

    /// <summary>What <see cref="AnswersArp"/> says when the walk records nothing (the why is only read by a step).</summary>
    private const string Answers = "answers";

    /// <summary>Why the device's namespace answers an ARP request for the target (when recording; else <see cref="Answers"/>);
    /// null when it does not.</summary>
    private string? AnswersArp(DeviceRef dev, IPAddress target, IReadOnlyList<(DeviceRef Device, IfAddress Address)> allOwners)
    {
        var ns = dev.Namespace;
        if (dev.Link.Flags.Contains("NOARP")) return null;
        // the owners in the device's namespace: the first of them, and whether the device itself is one
        DeviceRef? firstOwner = null;
        bool ownAddress = false;
        for (int i = 0; i < allOwners.Count; i++)
        {
            var o = allOwners[i].Device;
            if (o.Host != dev.Host || o.Ns != dev.Ns) continue;
            firstOwner ??= o;
            if (o == dev) { ownAddress = true; break; }
        }
        if (firstOwner is not null)
        {
            int ignore = Math.Max(ParseInt(_t.ConfSysctl(ns.Ns, "all", "arp_ignore")), ParseInt(_t.ConfSysctl(ns.Ns, dev.Link.Name, "arp_ignore")));
            if (ownAddress) return _record ? $"{target} is an address of {dev.Link.Name}" : Answers;
            if (ignore == 0) return _record ? $"{target} is an address of {firstOwner.Link.Name} in that namespace (arp_ignore 0)" : Answers;
            return null;
        }
        bool proxy = _t.ConfSysctl(ns.Ns, "all", "proxy_arp") == "1" || _t.ConfSysctl(ns.Ns, dev.Link.Name, "proxy_arp") == "1";
        if (!proxy) return null;
        var route = Fib.MainRoute(_t, ns.Ns, target);
        bool fwd = (_t.ConfSysctl(ns.Ns, dev.Link.Name, "forwarding") ?? _t.Sysctl(ns.Ns, "net.ipv4.ip_forward")) == "1";
        return route is { Type: RouteTypes.Unicast } && route.Device != dev.Link.Name && fwd
            ? _record ? $"proxy_arp on {dev.Link.Name}: {ns} routes {target} via {route.Device}" : Answers
            : null;
    }
}
