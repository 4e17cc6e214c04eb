using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Links hosts' snapshots into a <see cref="Topology"/>. Each relation takes the evidence the input
/// gives; where evidence is missing or conflicting it picks the link the evidence supports best and
/// records an <see cref="Assumption"/>, and leaves the end unresolved when nothing supports one.
/// </summary>
public static class Linker
{
    public static Topology Link(Snapshot snapshot)
    {
        var t = new Topology(snapshot);
        var hosts = snapshot.Hosts;
        int n = hosts.Count;
        // where each host's share of the edges and assumptions starts, per phase: what Relinker reuses
        var c = new LinkChunks(n);
        for (int i = 0; i < n; i++)
        {
            c.DeviceStart[i] = t.DeviceList.Count;
            c.P1Assumption[i] = t.AllAssumptions.Count;
            IndexHost(t, hosts[i], owners: true);
        }
        c.DeviceStart[n] = t.DeviceList.Count;
        c.P1Assumption[n] = t.AllAssumptions.Count;
        t.Chunks = c;
        for (int i = 0; i < n; i++)
        {
            c.StartP2(t, i);
            LinkDevices(t, c.DeviceStart[i], c.DeviceStart[i + 1]);
        }
        c.StartP2(t, n);
        for (int i = 0; i < n; i++)
        {
            c.StartP3(t, i);
            LinkNamespaces(t, hosts[i]);
        }
        c.StartP3(t, n);
        t.Across = AcrossReplay.Recorder();
        LinkAcrossHosts(t);
        c.Classify(t);
        t.Freeze();
        return t;
    }

    /// <summary>Phase 2 for one host's devices (a range of <see cref="Topology.DeviceList"/>): veth pairs, parents, masters.</summary>
    internal static void LinkDevices(Topology t, int from, int to)
    {
        var list = t.DeviceList;
        for (int k = from; k < to; k++)
        {
            var d = list[k];
            if (d.Link.Kind == LinkKinds.Veth || (d.Link.LinkIndex is not null && d.Link.Kind is null && d.Link.LinkNetnsId is not null))
                LinkVeth(t, d);
            else if (d.Link.Kind is LinkKinds.Vlan or LinkKinds.Macvlan or LinkKinds.Macvtap or LinkKinds.Ipvlan)
                LinkParent(t, d);
            if (d.Link.Master is not null) LinkMaster(t, d);
        }
    }

    /// <summary>Phase 3 for one host's namespaces: tc mirred, OVS ports.</summary>
    internal static void LinkNamespaces(Topology t, Host host)
    {
        foreach (var n in host.Namespaces)
        {
            var ns = new NsRef(host, n);
            LinkMirred(t, ns);
            if (ns.Ns.Ovs is not null)
            {
                LinkOvs(t, ns);
                OvsMembership.LinkRemaining(t, ns);
            }
        }
    }

    /// <summary>The relations across hosts, over the whole input: OVS patches and tunnels, VXLAN tunnels, underlay segments.</summary>
    internal static void LinkAcrossHosts(Topology t)
    {
        OvsLinker.LinkPatchesAndTunnels(t);
        var tunnels = TunnelLinker.LinkTunnels(t);
        UnderlayLinker.LinkSegments(t, tunnels);
    }

    /// <summary>Phase 1 for one host: its devices indexed by ifindex and name (and their addresses when <paramref name="owners"/>).</summary>
    internal static void IndexHost(Topology t, Host host, bool owners)
    {
        foreach (var ns in host.Namespaces)
        foreach (var link in ns.Links)
        {
            var d = new DeviceRef(host, ns, link);
            // a device the input shows without its ifindex (a grep-cut `ip a`, an OVS bridge known from the OVSDB): by name only
            if (link.Index <= 0)
            {
                if (t.ByName.TryAdd((host, ns, link.Name), d)) { t.DeviceList.Add(d); if (owners) AddOwners(t, d); }
                continue;
            }
            if (!t.ByIndex.TryAdd((host, ns, link.Index), d))
            {
                t.AllAssumptions.Add(new Assumption(
                    $"ifindex {link.Index} is given twice in this namespace ({t.ByIndex[(host, ns, link.Index)].Link.Name} and {link.Name}); links by index use the first", d, link.Source));
                continue;
            }
            t.ByName.TryAdd((host, ns, link.Name), d);
            t.DeviceList.Add(d);
            if (owners) AddOwners(t, d);
        }
    }

    private static void AddOwners(Topology t, DeviceRef d)
    {
        foreach (var a in d.Link.Addresses)
        {
            if (!t.Owners.TryGetValue(a.Address, out var owners)) t.Owners[a.Address] = owners = [];
            owners.Add((d, a));
        }
    }

    /// <param name="assume">record the edge's assumption</param>
    internal static void AddEdge(Topology t, Edge e, bool assume = true)
    {
        if (t.IsFrozen) throw new InvalidOperationException("an edge added after linking: the topology is frozen");
        t.AllEdges.Add(e);
        if (assume && e.Assumption is not null) t.AllAssumptions.Add(new Assumption(e.Assumption, e.From, e.From.Link.Source));
        // a re-link's edges across hosts: the lists of their ends are made again once it is over (Relinker)
        if (t.Across is { Replaying: true } replay)
        {
            replay.Touch(e);
            return;
        }
        Add(t, t.Out, e.From, e);
        if (e.To is not null) Add(t, t.In, e.To, e);

        static void Add(Topology t, LayeredMap<DeviceRef, List<Edge>> map, DeviceRef k, Edge e)
        {
            // most devices have one or two edges each way: start small, one hash lookup
            ref var l = ref map.GetValueRefOrAddDefault(k, out _);
            if (t.OwnedLists is { } own && (l is null || !own.Contains(l)))
            {
                // a re-linked topology shares the lists of the one it was made from: copied before the first change
                l = l is null ? new List<Edge>(2) : new List<Edge>(l);
                own.Add(l);
            }
            (l ??= new List<Edge>(2)).Add(e);
        }
    }

    private static void RemoveEdge(Topology t, Edge e)
    {
        if (t.IsFrozen) throw new InvalidOperationException("an edge removed after linking: the topology is frozen");
        int at = t.AllEdges.IndexOf(e);
        // an edge of another host's share: the shares cannot be reused (Relinker links such an input in full)
        if (at < t.ChunkStart && t.Chunks is { } c) c.Valid = false;
        if (at >= 0) t.AllEdges.RemoveAt(at);
        Remove(t, t.Out, e.From, e);
        if (e.To is not null) Remove(t, t.In, e.To, e);

        static void Remove(Topology t, LayeredMap<DeviceRef, List<Edge>> map, DeviceRef k, Edge e)
        {
            if (!map.TryGetValue(k, out var l)) return;
            if (t.OwnedLists is { } own && !own.Contains(l)) { map[k] = l = new List<Edge>(l); own.Add(l); }
            l.Remove(e);
        }
    }

    /// <summary>The namespace a link's IFLA_LINK lives in: resolved id, then link-netns name, then netnsid map.
    /// A namespace the input names but shows no device of (an importer's placeholder for a `list-id`
    /// name) does not count: it cannot hold the peer.</summary>
    internal static (NetNamespace? Ns, string? Why) ResolveLinkNamespace(Topology t, Host host, NetNamespace ns, Link link)
    {
        if (link.LinkNamespace is { } id)
            return t.FindNamespace(host, id) is { } r ? Shown(r, "its peer namespace '{0}'", id) : (null, $"its peer namespace '{id}' is not in the input");
        if (link.LinkNetnsName is { } name)
        {
            // iproute2 prints the /run/netns name; a collector may also give the namespace's id
            var byName = host.Namespaces.FirstOrDefault(n => n.Name == name) ?? host.Namespaces.FirstOrDefault(n => n.Id == name);
            return byName is not null ? Shown(byName, "link-netns '{0}'", name) : (null, $"link-netns '{name}' names no namespace of host {host.Name} in the input");
        }
        if (link.LinkNetnsId is { } nsid)
        {
            // once per veth of a node's root namespace, which has an id for each of its pods: a loop, not a closure
            NetnsIdEntry? entry = null;
            foreach (var e in ns.NetnsIds)
                if (e.Id == nsid) { entry = e; break; }
            if (entry?.Namespace is { } target && t.FindNamespace(host, target) is { } r) return Shown(r, "link-netnsid {0}", nsid);
            return (null, $"link-netnsid {nsid} is not in namespace {ns.DisplayName}'s netnsid list");
        }
        return (ns, null);

        // the reason is only made when there is one (a cluster's linking resolves hundreds of thousands of veths)
        static (NetNamespace?, string?) Shown<T>(NetNamespace n, string what, T arg) =>
            n.Links.Count > 0 ? (n, null) : (null, $"{string.Format(System.Globalization.CultureInfo.InvariantCulture, what, arg)} names namespace {n.DisplayName}, but the input shows no device in it");
    }

    private static void LinkVeth(Topology t, DeviceRef d)
    {
        var link = d.Link;
        if (link.LinkIndex is not { } peerIndex || peerIndex == 0)
        {
            AddEdge(t, new Edge(EdgeKind.Veth, d, null, "veth", "veth peer not shown (no @ifN / peer index)"));
            return;
        }
        var (peerNs, why) = ResolveLinkNamespace(t, d.Host, d.Ns, link);
        DeviceRef? peer = peerNs is null ? null : t.Device(d.Host, peerNs, peerIndex);
        string? assumption = null;
        if (peer is null || !PointsBack(t, peer, d))
        {
            // Best supported guess: a veth elsewhere on the host whose peer index is ours and whose index is our peer's.
            var candidates = d.Host.Namespaces.Where(n => n != d.Ns || peerNs == d.Ns)
                .Select(n => t.Device(d.Host, n, peerIndex))
                .Where(c => c is not null && c != d && c.Link.LinkIndex == link.Index)
                .ToList();
            if (peer is null && candidates.Count == 0 && OnOtherHost(t, d, peerIndex) is { } across)
                peer = across; // a lab "host" is a group of namespaces: the peer may sit in another group
            else if (peer is not null && !PointsBack(t, peer, d) && candidates.Count == 0)
                assumption = $"peer {peer} does not point back (its peer index is {peer.Link.LinkIndex?.ToString() ?? "unknown"})";
            else if (candidates.Count == 1 && candidates[0] != peer)
            {
                assumption = (why ?? $"index {peerIndex} in {peerNs?.DisplayName} is not a veth pointing back") +
                    $"; matched {candidates[0]} by the ifindex pair";
                peer = candidates[0];
            }
            else if (peer is null)
            {
                var reason = why ?? $"no device with ifindex {peerIndex} in namespace {peerNs?.DisplayName}";
                if (candidates.Count > 1) reason += $"; {candidates.Count} devices could be the peer";
                AddEdge(t, new Edge(EdgeKind.Veth, d, null, $"veth peer @if{peerIndex}", "unresolved veth peer: " + reason));
                return;
            }
        }
        // one edge per pair, carrying the assumption either side needed
        if (peer is not null)
        {
            var existing = VethEdge(t, peer, d) ?? VethEdge(t, d, peer);
            if (existing is not null)
            {
                if (assumption is null) return;
                if (existing.Assumption is null)
                {
                    RemoveEdge(t, existing);
                    AddEdge(t, existing with { Assumption = assumption });
                }
                else t.AllAssumptions.Add(new Assumption(assumption, d, link.Source));
                return;
            }
            // a pair that agrees is drawn by the side with the smaller key
            if (assumption is null && PointsBack(t, peer, d) && DeviceRef.CompareKeys(peer, d) < 0) return;
        }
        AddEdge(t, new Edge(EdgeKind.Veth, d, peer, "veth", assumption));
    }

    /// <summary>The veth edge drawn from <paramref name="from"/> to <paramref name="to"/>, if any (a loop: called for every veth).</summary>
    private static Edge? VethEdge(Topology t, DeviceRef from, DeviceRef to)
    {
        if (!t.Out.TryGetValue(from, out var edges)) return null;
        foreach (var e in edges)
            if (e.Kind == EdgeKind.Veth && e.To == to) return e;
        return null;
    }

    /// <summary>
    /// The peer in a namespace of another host that the link-netns name names (lab hosts are groups of
    /// namespaces of one machine, so a veth may join two of them), when it points back.
    /// </summary>
    private static DeviceRef? OnOtherHost(Topology t, DeviceRef d, int peerIndex)
    {
        if (d.Link.LinkNetnsName is null && d.Link.LinkNamespace is null) return null;
        // each other host's first namespace that either name names (and that shows a device)
        foreach (var (host, ns) in t.NamespacesNamed(d.Link.LinkNetnsName, d.Link.LinkNamespace))
        {
            if (host == d.Host) continue;
            if (t.Device(host, ns, peerIndex) is { } p && p.Link.LinkIndex == d.Link.Index && NamesNs(p.Link, d.Ns)) return p;
        }
        return null;
    }

    /// <summary>True when the link's peer-namespace evidence (link-netns name or resolved id) names <paramref name="ns"/>.</summary>
    private static bool NamesNs(Link l, NetNamespace ns)
    {
        foreach (var n in new[] { l.LinkNetnsName, l.LinkNamespace })
            if (n is not null && (n == ns.Name || n == ns.Id && ns.Name is null)) return true;
        return false;
    }

    private static bool PointsBack(Topology t, DeviceRef peer, DeviceRef d)
    {
        if (peer.Link.LinkIndex != d.Link.Index) return false;
        if (peer.Host != d.Host) return NamesNs(peer.Link, d.Ns);
        var (ns, _) = ResolveLinkNamespace(t, peer.Host, peer.Ns, peer.Link);
        return ns is null || ns == d.Ns;
    }

    private static void LinkParent(Topology t, DeviceRef d)
    {
        if (d.Link.LinkIndex is not { } idx) return;
        var (ns, why) = ResolveLinkNamespace(t, d.Host, d.Ns, d.Link);
        var parent = ns is null ? null : t.Device(d.Host, ns, idx);
        AddEdge(t, new Edge(EdgeKind.Parent, d, parent, d.Link.Kind ?? "parent",
            parent is null ? "parent device not found: " + (why ?? $"no ifindex {idx}") : null));
    }

    private static void LinkMaster(Topology t, DeviceRef d)
    {
        var masterName = d.Link.Master!;
        var master = t.Device(d.Host, d.Ns, masterName);
        bool ovs = d.Link.SlaveKind == LinkKinds.OpenVSwitch || masterName == "ovs-system" || master?.Link.Kind == LinkKinds.OpenVSwitch;
        if (ovs)
        {
            // Linked to its OVS bridge from the OVSDB when it was read (LinkOvs); otherwise guess from the devices.
            if (d.Ns.Ovs is null) LinkOvsWithoutDb(t, d);
            return;
        }
        var kind = master?.Link.Kind == LinkKinds.Bridge || d.Link.SlaveKind == LinkKinds.Bridge ? EdgeKind.BridgePort : EdgeKind.Master;
        AddEdge(t, new Edge(kind, d, master, kind == EdgeKind.BridgePort ? "bridge port" : $"{master?.Link.Kind ?? "master"} slave",
            master is null ? $"master '{masterName}' is not a device in the input" : null));
    }

    /// <summary>
    /// An OVS port seen only in `ip link` (master ovs-system): the kernel knows the datapath, not the
    /// bridge. One OVS bridge device in the namespace → that bridge (assumed); several → the datapath.
    /// </summary>
    private static void LinkOvsWithoutDb(Topology t, DeviceRef d)
    {
        var bridges = d.Ns.Links.Where(l => l.Kind == LinkKinds.OpenVSwitch && l.Name != "ovs-system" && l.Name != d.Link.Name)
            .Select(l => t.Device(d.Host, d.Ns, l.Name)).OfType<DeviceRef>().ToList();
        var noDb = $"without `ovs-vsctl show` on {d.Host.Name}";
        if (bridges.Count == 1)
        {
            AddEdge(t, new Edge(EdgeKind.OvsPort, d, bridges[0], "ovs port",
                $"assumed a port of {bridges[0].Link.Name}, the only Open vSwitch bridge device in {d.Ns.DisplayName} ({noDb})"));
            return;
        }
        var datapath = t.Device(d.Host, d.Ns, d.Link.Master!);
        AddEdge(t, new Edge(EdgeKind.OvsPort, d, datapath, "ovs datapath port", datapath is null
            ? $"port of an Open vSwitch datapath; which bridge is unknown {noDb}"
            : $"port of the Open vSwitch datapath {datapath.Link.Name}; which of its {bridges.Count} bridges is unknown {noDb}"));
    }

    private static void LinkOvs(Topology t, NsRef ns)
    {
        foreach (var br in ns.Ns.Ovs!.Bridges)
        {
            var brDev = t.Device(ns, br.Name);
            foreach (var port in br.Ports)
            foreach (var iface in port.Interfaces)
            {
                if (iface.Name == br.Name) continue; // the bridge's own internal port is the bridge device
                if (iface.Type is "vxlan" or "geneve" or "gre" or "stt" or "patch") continue; // no netdev of that name
                var dev = t.Device(ns, iface.Name);
                if (dev is null)
                {
                    t.AllAssumptions.Add(new Assumption(
                        $"OVS bridge {br.Name} has port {iface.Name}, but no such device is in namespace {ns.Ns.DisplayName} of {ns.Host.Name}",
                        brDev, iface.Source ?? port.Source));
                    continue;
                }
                AddEdge(t, new Edge(EdgeKind.OvsPort, dev, brDev, iface.OfPort is { } p ? $"ovs port {p}" : "ovs port",
                    brDev is null ? $"OVS bridge {br.Name} has no internal device in the input" : null));
            }
        }
    }

    private static void LinkMirred(Topology t, NsRef ns)
    {
        foreach (var f in ns.Ns.Filters)
        {
            var from = t.Device(ns, f.Device);
            if (from is null) continue;
            foreach (var a in f.Actions.Where(a => a.Kind == "mirred"))
            {
                var to = a.TargetDevice is null ? null : t.Device(ns, a.TargetDevice);
                var kind = a.MirredAction == "mirror" ? EdgeKind.TcMirror : EdgeKind.TcRedirect;
                var label = $"{f.Direction} → {a.MirredDirection ?? "egress"} {a.MirredAction ?? "redirect"}";
                // the same filter shown by several commands (`tc filter show dev X ingress` and `… parent ffff:`)
                if (t.EdgesFrom(from).Any(e => e.Kind == kind && e.To == to && e.Label == label)) continue;
                AddEdge(t, new Edge(kind, from, to, label,
                    to is null ? $"tc mirred target '{a.TargetDevice}' is not a device of namespace {ns.Ns.DisplayName}" : null));
            }
        }
    }

    internal static bool IsOwnedBy(Topology t, IPAddress ip, NsRef ns)
    {
        var owners = t.OwnersOf(ip);
        for (int i = 0; i < owners.Count; i++)
            if (owners[i].Device.Host == ns.Host && owners[i].Device.Ns == ns.Ns) return true;
        return false;
    }
}
