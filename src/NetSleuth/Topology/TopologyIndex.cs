using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// The indexes the topology owns. The model is frozen when linking ends (<see cref="Freeze"/>): the
/// edge lookups (veth peer, bridge of a port, ports of a bridge), the MAC behind each bridge port and
/// on each underlay segment, and one <see cref="NsIndex"/> per namespace are made then, once, and only
/// read after (by many traces at once, without locks). While the linker still adds edges, the edge
/// lookups scan the device's own edge lists instead: nothing is cached that could go stale.
/// </summary>
public sealed partial class Topology
{
    internal sealed record EdgeIndex(LayeredMap<DeviceRef, DeviceRef> VethPeer,
        LayeredMap<DeviceRef, DeviceRef> BridgeOf, LayeredMap<DeviceRef, List<DeviceRef>> Ports);

    /// <summary>Set by <see cref="Freeze"/>; from then on no edge is added or removed.</summary>
    private EdgeIndex? _edges;
    private Dictionary<NetNamespace, NsIndex>? _nsIndex;
    private LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>? _portByMac;
    private LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>? _portForMac;
    private Dictionary<Segment, Dictionary<MacAddress, DeviceRef>>? _segmentByMac;
    /// <summary>Each remote-less VXLAN device's FDB ends by MAC, made on the first lookup of the device (a trace reads a few; a
    /// flannel mesh holds a million ends, and each re-link of it would make them all again).</summary>
    private System.Collections.Concurrent.ConcurrentDictionary<DeviceRef, Dictionary<MacAddress, FdbTunnelEnd>>? _fdbEndsByMac;
    /// <summary>Every global IPv4 interface address in address order (<see cref="BuildV4Index"/>); a re-linked topology
    /// makes its own on first use (the tracer does not ask, the checks do).</summary>
    private V4Index? _v4;
    private sealed record V4Index(uint[] Keys, (DeviceRef Device, IfAddress Address)[] Owners);

    /// <summary>True once linking is over: the model and the topology are read only.</summary>
    public bool IsFrozen => _edges is not null;

    private Dictionary<string, OvnLogicalSwitchPort>? _lsps;

    /// <summary>Every OVN logical switch port in the input, by name (the first reading of a name wins). Made once
    /// when the topology is frozen (read by every trace); before that, made again at each call.</summary>
    internal IReadOnlyDictionary<string, OvnLogicalSwitchPort> LogicalSwitchPorts
    {
        get
        {
            if (_lsps is { } made) return made;
            var d = new Dictionary<string, OvnLogicalSwitchPort>(StringComparer.Ordinal);
            foreach (var h in Hosts)
                foreach (var n in h.Namespaces)
                    if (n.Ovn is { } ovn)
                        foreach (var p in ovn.Ports)
                            d.TryAdd(p.Name, p);
            return IsFrozen ? Interlocked.CompareExchange(ref _lsps, d, null) ?? d : d;
        }
    }

    /// <summary>Ends linking: builds every index from the final edge list and the model. Called once, by
    /// <see cref="Linker.Link"/>; an edge added after it is a bug (<see cref="Linker.AddEdge"/> refuses it).</summary>
    internal void Freeze()
    {
        if (_edges is not null) throw new InvalidOperationException("the topology is already frozen");
        var edges = BuildEdgeIndex();
        var ns = new Dictionary<NetNamespace, NsIndex>();
        foreach (var h in Hosts)
            foreach (var n in h.Namespaces) ns.TryAdd(n, new NsIndex(n));
        _nsIndex = ns;
        _edges = edges;
        _portByMac = new LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>(edges.Ports.OwnCount);
        _portForMac = new LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>(edges.Ports.OwnCount);
        foreach (var (br, ports) in edges.Ports)
        {
            _portByMac[br] = LearntMacs(ports);
            _portForMac[br] = MacsWithFdb(br, ports);
        }
        BuildAcrossHostIndexes();
        _v4 = BuildV4Index();
    }

    /// <summary>The indexes of what links hosts (underlay segments by MAC, VXLAN FDB ends by MAC): made again whole by a re-link.</summary>
    private void BuildAcrossHostIndexes()
    {
        _segmentByMac = new Dictionary<Segment, Dictionary<MacAddress, DeviceRef>>();
        foreach (var seg in SegmentList)
        {
            var byMac = new Dictionary<MacAddress, DeviceRef>();
            foreach (var m in seg.Members) if (m.Link.Mac is { } x) byMac.TryAdd(x, m);
            _segmentByMac[seg] = byMac;
        }
        _fdbEndsByMac = new();
    }

    private static Dictionary<MacAddress, FdbTunnelEnd> EndsByMac(IReadOnlyList<FdbTunnelEnd> ends)
    {
        var byMac = new Dictionary<MacAddress, FdbTunnelEnd>(ends.Count);
        foreach (var e in ends) byMac.TryAdd(e.Entry.Mac, e); // the first entry of a MAC wins, as the kernel's first remote
        return byMac;
    }

    /// <summary>A re-linked topology's namespace indexes, before it links: <paramref name="from"/>'s for the namespaces it
    /// shares (an index is a function of its namespace object alone), new ones for the namespaces of the hosts replaced.</summary>
    internal void ShareNsIndexes(Topology from, IReadOnlyList<Host> removed, IReadOnlyList<Host> added)
    {
        // the others' are looked up in the original's (Of)
        var ns = new Dictionary<NetNamespace, NsIndex>();
        foreach (var h in added)
            foreach (var n in h.Namespaces) ns.TryAdd(n, new NsIndex(n));
        _nsIndex = ns;
    }

    /// <summary>
    /// Ends a re-link (<see cref="Relinker"/>): the indexes of <paramref name="from"/> are kept but for the devices whose
    /// edge lists changed (<paramref name="dirty"/>: every device of a host linked again, old and new, and both ends of
    /// every edge across hosts before and after), which are made again from their edge lists as <see cref="Freeze"/>
    /// makes them from the edge list (a device's edges are in the edge list's order), and for the bridges of those.
    /// </summary>
    internal void FreezeFrom(Topology from, HashSet<DeviceRef> dirty, HashSet<Host> removed)
    {
        if (_edges is not null) throw new InvalidOperationException("the topology is already frozen");
        var before = from._edges!;
        var veth = new LayeredMap<DeviceRef, DeviceRef>(before.VethPeer);
        var bridgeOf = new LayeredMap<DeviceRef, DeviceRef>(before.BridgeOf);
        var ports = new LayeredMap<DeviceRef, List<DeviceRef>>(before.Ports);
        var bridges = new HashSet<DeviceRef>();
        foreach (var d in dirty)
        {
            veth.Remove(d);
            bridgeOf.Remove(d);
            ports.Remove(d);
            bridges.Add(d);
            foreach (var e in from.EdgesFrom(d))
                if (e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort && e.To is { } br) bridges.Add(br);
        }
        foreach (var d in dirty)
        {
            if (removed.Contains(d.Host)) continue;
            DeviceRef? peer = null, bridge = null;
            foreach (var e in EdgesFrom(d))
            {
                if (e.Kind == EdgeKind.Veth && e.To is { } to) peer ??= to;
                else if (e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort && e.To is { } br) { bridge ??= br; bridges.Add(br); }
            }
            List<DeviceRef>? portList = null;
            foreach (var e in EdgesTo(d))
            {
                if (e.Kind == EdgeKind.Veth) peer ??= e.From;
                else if (e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort) (portList ??= []).Add(e.From);
            }
            if (peer is not null) veth[d] = peer;
            if (bridge is not null) bridgeOf[d] = bridge;
            if (portList is not null) ports[d] = portList;
        }
        _edges = new EdgeIndex(veth, bridgeOf, ports);
        _portByMac = new LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>(from._portByMac!);
        _portForMac = new LayeredMap<DeviceRef, Dictionary<MacAddress, DeviceRef>>(from._portForMac!);
        foreach (var br in bridges)
        {
            if (ports.TryGetValue(br, out var list))
            {
                _portByMac[br] = LearntMacs(list);
                _portForMac[br] = MacsWithFdb(br, list);
            }
            else
            {
                _portByMac.Remove(br);
                _portForMac.Remove(br);
            }
        }
        BuildAcrossHostIndexes();
    }

    /// <summary>Every global IPv4 interface address in address order (devices in input order among equals).</summary>
    private V4Index BuildV4Index()
    {
        int n = 0;
        foreach (var d in DeviceList)
            foreach (var a in d.Link.Addresses)
                if (IsGlobalV4(a)) n++;
        var order = new ulong[n];
        var owners = new (DeviceRef, IfAddress)[n];
        n = 0;
        foreach (var d in DeviceList)
            foreach (var a in d.Link.Addresses)
            {
                if (!IsGlobalV4(a)) continue;
                order[n] = (ulong)Forwarding.Fib.ToUint(a.Address) << 32 | (uint)n; // unique keys: the sort keeps input order
                owners[n++] = (d, a);
            }
        Array.Sort(order, owners);
        var keys = new uint[n];
        for (int i = 0; i < n; i++) keys[i] = (uint)(order[i] >> 32);
        return new V4Index(keys, owners);
    }

    private static bool IsGlobalV4(IfAddress a) =>
        a.Prefix.IsV4 && a.Scope is null or "global" or "universe" && !IPAddress.IsLoopback(a.Address);

    /// <summary>The global IPv4 interface addresses inside a prefix and the devices holding them, in address order
    /// (one sorted index, made when the topology is frozen: a cluster has a hundred thousand pods to ask by range).</summary>
    public IEnumerable<(DeviceRef Device, IfAddress Address)> AddressesIn(IpPrefix prefix)
    {
        if (!prefix.IsV4) yield break;
        // made once (a pure function of the frozen topology: two threads that both make it make the same)
        var v4 = Volatile.Read(ref _v4);
        if (v4 is null)
        {
            if (!IsFrozen) yield break;
            var made = BuildV4Index();
            v4 = Interlocked.CompareExchange(ref _v4, made, null) ?? made;
        }
        var keys = v4.Keys;
        var owners = v4.Owners;
        uint lo = Forwarding.Fib.ToUint(prefix.Address) & Forwarding.Fib.Mask(prefix.Length);
        uint hi = lo | ~Forwarding.Fib.Mask(prefix.Length);
        int a = 0, b = keys.Length;
        while (a < b) { int mid = (a + b) >>> 1; if (keys[mid] < lo) a = mid + 1; else b = mid; }
        for (int i = a; i < keys.Length && keys[i] <= hi; i++) yield return owners[i];
    }

    /// <summary>The edge lookups: from the index once frozen, else from the device's edge lists (the linker asks
    /// while it still links).</summary>
    private EdgeIndex? Frozen => _edges;

    private DeviceRef? VethPeerOf(DeviceRef d)
    {
        if (Frozen is { } f) return f.VethPeer.TryGetValue(d, out var p) ? p : null;
        // the device's own edge first, then the peer's, as the index orders them
        foreach (var e in EdgesFrom(d)) if (e.Kind == EdgeKind.Veth && e.To is { } to) return to;
        foreach (var e in EdgesTo(d)) if (e.Kind == EdgeKind.Veth) return e.From;
        return null;
    }

    private DeviceRef? BridgeOfPort(DeviceRef d)
    {
        if (Frozen is { } f) return f.BridgeOf.TryGetValue(d, out var b) ? b : null;
        foreach (var e in EdgesFrom(d)) if (e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort && e.To is { } br) return br;
        return null;
    }

    private IReadOnlyList<DeviceRef> PortsOfBridge(DeviceRef bridge)
    {
        if (Frozen is { } f) return f.Ports.TryGetValue(bridge, out var l) ? l : [];
        List<DeviceRef>? ports = null;
        foreach (var e in EdgesTo(bridge)) if (e.Kind is EdgeKind.BridgePort or EdgeKind.OvsPort) (ports ??= []).Add(e.From);
        return (IReadOnlyList<DeviceRef>?)ports ?? [];
    }

    /// <summary>The first edge of a kind wins, as a scan of a device's edges in order would find it: the veth peer
    /// from the device's own edge first, then from the peer's.</summary>
    private EdgeIndex BuildEdgeIndex()
    {
        var fromVeth = new LayeredMap<DeviceRef, DeviceRef>();
        var toVeth = new Dictionary<DeviceRef, DeviceRef>();
        var bridgeOf = new LayeredMap<DeviceRef, DeviceRef>();
        var ports = new LayeredMap<DeviceRef, List<DeviceRef>>();
        foreach (var e in AllEdges)
        {
            switch (e.Kind)
            {
                case EdgeKind.Veth:
                    if (e.To is { } to) { fromVeth.TryAdd(e.From, to); toVeth.TryAdd(to, e.From); }
                    break;
                case EdgeKind.BridgePort or EdgeKind.OvsPort:
                    if (e.To is not { } br) break;
                    bridgeOf.TryAdd(e.From, br);
                    if (!ports.TryGetValue(br, out var l)) ports[br] = l = [];
                    l.Add(e.From);
                    break;
            }
        }
        foreach (var (d, peer) in toVeth) fromVeth.TryAdd(d, peer);
        return new EdgeIndex(fromVeth, bridgeOf, ports);
    }

    /// <summary>The MAC of the device right behind each port (the veth peer of a port, or the port's own MAC),
    /// as a learning switch would have learnt it; the first port in port order wins a MAC seen twice.</summary>
    private Dictionary<MacAddress, DeviceRef> LearntMacs(IReadOnlyList<DeviceRef> ports)
    {
        var map = new Dictionary<MacAddress, DeviceRef>(ports.Count);
        foreach (var p in ports)
            if ((VethPeerOf(p) ?? p).Link.Mac is { } m) map.TryAdd(m, p);
        return map;
    }

    /// <summary>The port behind which each MAC lives for a unicast frame: the device behind each port (a veth's
    /// peer, a non-veth port's own MAC), then the bridge's FDB entries (which override; a port's own permanent
    /// address is local, not behind it).</summary>
    private Dictionary<MacAddress, DeviceRef> MacsWithFdb(DeviceRef bridge, IReadOnlyList<DeviceRef> ports)
    {
        var index = new Dictionary<MacAddress, DeviceRef>(ports.Count);
        foreach (var port in ports)
        {
            if (port.Link.IsVeth && VethPeerOf(port) is { Link.Mac: { } peerMac }) index.TryAdd(peerMac, port);
            else if (!port.Link.IsVeth && port.Link.Mac is { } own) index.TryAdd(own, port);
        }
        foreach (var e in bridge.Ns.Fdb)
        {
            if (e.Master != bridge.Link.Name || e.Flags.Contains("self")) continue;
            if (Device(bridge.Namespace, e.Device) is not { } p) continue;
            if (p.Link.Mac == e.Mac && e.Flags.Contains("permanent")) continue;
            index[e.Mac] = p;
        }
        return index;
    }

    /// <summary>For a bridge: the MAC of the device right behind each port, as a learning switch would have learnt it
    /// (<see cref="LearntMacs"/>).</summary>
    internal IReadOnlyDictionary<MacAddress, DeviceRef> LearntPortByMac(DeviceRef bridge) =>
        _portByMac is { } index ? index.TryGetValue(bridge, out var m) ? m : NoMacs : LearntMacs(PortsOfBridge(bridge));

    private static readonly Dictionary<MacAddress, DeviceRef> NoMacs = new();

    /// <summary>For a unicast frame to <paramref name="mac"/> on the bridge: the port behind which the MAC lives
    /// (the device behind the port, or an FDB entry), or null.</summary>
    internal DeviceRef? PortForMac(DeviceRef bridge, MacAddress mac) =>
        Frozen is null ? MacsWithFdb(bridge, PortsOfBridge(bridge)).GetValueOrDefault(mac)
        : _portForMac!.TryGetValue(bridge, out var m) && m.TryGetValue(mac, out var p) ? p : null;

    /// <summary>The member of an underlay segment with that MAC (the first listed).</summary>
    internal DeviceRef? SegmentMember(Segment seg, MacAddress mac)
    {
        if (_segmentByMac is { } index)
            return index.TryGetValue(seg, out var m) && m.TryGetValue(mac, out var d) ? d : null;
        foreach (var m in seg.Members) if (m.Link.Mac == mac) return m;
        return null;
    }

    /// <summary>A remote-less VXLAN device's FDB far end for the MAC (the first entry of a MAC wins).</summary>
    internal FdbTunnelEnd? FdbEnd(DeviceRef vxlan, MacAddress mac)
    {
        if (_fdbEndsByMac is { } index)
        {
            if (!index.TryGetValue(vxlan, out var m))
            {
                if (Tunnel(vxlan) is not { FdbEnds.Count: > 0 } made) return null;
                m = index.GetOrAdd(vxlan, EndsByMac(made.FdbEnds)); // two traces may both make it: one is kept
            }
            return m.TryGetValue(mac, out var e) ? e : null;
        }
        if (Tunnel(vxlan) is { } tm)
            foreach (var e in tm.FdbEnds) if (e.Entry.Mac == mac) return e;
        return null;
    }

    /// <summary>Named namespaces that show a device, by name: where each is (host, then namespace, in input order).</summary>
    private Dictionary<string, List<(int Host, int Ns)>>? _nsByName;
    private int _nsByNameAsks;

    /// <summary>
    /// For each host in input order, its first namespace (in input order) that shows a device and is named
    /// <paramref name="a"/> or <paramref name="b"/>. Asked once per veth whose peer is on no namespace of its own host: the
    /// first two asks scan the input, the third makes an index by name (a node with hundreds of such veths would scan a
    /// cluster's hundred thousand namespaces for each).
    /// </summary>
    internal IEnumerable<(Host Host, NetNamespace Ns)> NamespacesNamed(string? a, string? b)
    {
        if (b == a) b = null;
        if (_nsByName is null && ++_nsByNameAsks <= 2)
        {
            foreach (var host in Hosts)
                foreach (var n in host.Namespaces)
                    if (n.Name is not null && (n.Name == a || n.Name == b) && n.Links.Count > 0)
                    {
                        yield return (host, n);
                        break;
                    }
            yield break;
        }
        var index = _nsByName ??= NamespacesByName();
        List<(int Host, int Ns)> x = a is not null && index.TryGetValue(a, out var la) ? la : [];
        List<(int Host, int Ns)> y = b is not null && index.TryGetValue(b, out var lb) ? lb : [];
        // both lists are in input order: merged, the first of each host
        int i = 0, j = 0, last = -1;
        while (i < x.Count || j < y.Count)
        {
            var next = j >= y.Count || i < x.Count && x[i].CompareTo(y[j]) <= 0 ? x[i++] : y[j++];
            if (next.Host == last) continue;
            last = next.Host;
            var host = Hosts[next.Host];
            yield return (host, host.Namespaces[next.Ns]);
        }
    }

    private Dictionary<string, List<(int Host, int Ns)>> NamespacesByName()
    {
        var index = new Dictionary<string, List<(int, int)>>(StringComparer.Ordinal);
        for (int h = 0; h < Hosts.Count; h++)
        {
            var nss = Hosts[h].Namespaces;
            for (int k = 0; k < nss.Count; k++)
            {
                if (nss[k].Name is not { } name || nss[k].Links.Count == 0) continue;
                if (!index.TryGetValue(name, out var l)) index[name] = l = [];
                l.Add((h, k));
            }
        }
        return index;
    }

    /// <summary>The namespace's own indexes (FIB, neighbours, userspace OVS ports); a namespace the topology does
    /// not hold gets a fresh one.</summary>
    internal NsIndex Of(NetNamespace ns) => Held(ns) ?? new NsIndex(ns);

    /// <summary>The namespace's indexes when the topology holds it, else null (nothing is made).</summary>
    private NsIndex? Held(NetNamespace ns) =>
        _nsIndex is { } index && index.TryGetValue(ns, out var x) ? x
        : Base?._nsIndex is { } shared && shared.TryGetValue(ns, out x) ? x : null;

    /// <summary>The namespace's sysctl KEY (<see cref="NetNamespace.Sysctl"/>); a node's hundreds through a hash index.</summary>
    public string? Sysctl(NetNamespace ns, string key) =>
        ns.Sysctls.Count >= NsIndex.SysctlIndexFrom && Held(ns) is { } x ? x.Sysctl(key) : ns.Sysctl(key);

    /// <summary>external_ids:iface-id of the namespace's OVS interface NAME (the first of that name that has one), or null.</summary>
    public string? OvsIfaceId(NetNamespace ns, string name) => (Held(ns) ?? new NsIndex(ns)).OvsIfaceId(name);

    /// <summary>The namespace's net.ipv4.conf.DEV.NAME (<see cref="NetNamespace.Sysctl"/> of that key); a node's hundreds
    /// through a hash index, without building the key. A pod's few are read from the model: each pod is walked through
    /// once or twice in a sweep, and an index would cost more to make than it saves.</summary>
    public string? ConfSysctl(NetNamespace ns, string dev, string name) =>
        ns.Sysctls.Count >= NsIndex.SysctlIndexFrom && Held(ns) is { } x ? x.Conf(dev, name) : ns.Sysctl(ConfKey(dev, name));

    /// <summary>The thread's net.ipv4.conf.DEV.NAME keys made so far (pods' devices share a few names: eth0, all).</summary>
    [ThreadStatic] private static Dictionary<(string Dev, string Name), string>? t_confKeys;

    /// <summary>"net.ipv4.conf.DEV.NAME", made once per thread and pair.</summary>
    internal static string ConfKey(string dev, string name)
    {
        var keys = t_confKeys ??= [];
        if (keys.TryGetValue((dev, name), out var key)) return key;
        if (keys.Count >= 4096) keys.Clear(); // a node's many device names: keep the set small
        return keys[(dev, name)] = $"{NsIndex.ConfPrefix}{dev}.{name}";
    }
}

/// <summary>
/// One namespace's lookups as the tracer and the checks read them: its FIB (<see cref="Forwarding.NsFib"/>),
/// its neighbour entries by (device, address), the interfaces of its userspace OVS bridges. Each is made
/// from the frozen model on first read (a pure function of it: two traces that both make one make the
/// same, and one is kept) and never changes after; no lock, no invalidation.
/// </summary>
internal sealed class NsIndex(NetNamespace ns)
{
    private Forwarding.NsFib? _fib;
    private Dictionary<(string, IPAddress), Neighbor>? _neighbors;
    private HashSet<string>? _userspaceOvs;
    private Dictionary<string, string>? _sysctls;
    private Dictionary<string, string>? _ovsIfaceIds;

    internal const string ConfPrefix = "net.ipv4.conf.";

    /// <summary>From how many sysctls a namespace's are indexed (<see cref="Topology.Sysctl"/>).</summary>
    internal const int SysctlIndexFrom = 64;

    /// <summary>The namespace's sysctls in a hash map (the model's is sorted, for output; a walk asks a dozen times a hop).</summary>
    private Dictionary<string, string> Sysctls => Volatile.Read(ref _sysctls) ?? Publish(ref _sysctls, new Dictionary<string, string>(ns.Sysctls, StringComparer.Ordinal));

    public string? Sysctl(string key) => Sysctls.TryGetValue(key, out var v) ? v : null;

    /// <summary>net.ipv4.conf.DEV.NAME, the key put together on the stack.</summary>
    public string? Conf(string dev, string name)
    {
        int len = ConfPrefix.Length + dev.Length + 1 + name.Length;
        if (len > 256) return Sysctl($"{ConfPrefix}{dev}.{name}");
        Span<char> key = stackalloc char[len];
        ConfPrefix.CopyTo(key);
        dev.CopyTo(key[ConfPrefix.Length..]);
        key[ConfPrefix.Length + dev.Length] = '.';
        name.CopyTo(key[(ConfPrefix.Length + dev.Length + 1)..]);
        return Sysctls.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var v) ? v : null;
    }

    /// <summary>external_ids:iface-id of the namespace's OVS interface NAME: the first interface of that name (bridges, ports,
    /// interfaces in input order) that has one; null when none has.</summary>
    public string? OvsIfaceId(string name) =>
        (Volatile.Read(ref _ovsIfaceIds) ?? Publish(ref _ovsIfaceIds, IfaceIds())).TryGetValue(name, out var id) ? id : null;

    private Dictionary<string, string> IfaceIds()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var b in ns.Ovs?.Bridges ?? [])
            foreach (var p in b.Ports)
                foreach (var i in p.Interfaces)
                    if (i.ExternalIds.TryGetValue("iface-id", out var id)) d.TryAdd(i.Name, id);
        return d;
    }

    public Forwarding.NsFib Fib => Volatile.Read(ref _fib) ?? Publish(ref _fib, new Forwarding.NsFib(ns));

    public Neighbor? Neighbor(string device, IPAddress address) =>
        (Volatile.Read(ref _neighbors) ?? Publish(ref _neighbors, Neighbors())).TryGetValue((device, address), out var e) ? e : null;

    public IReadOnlySet<string> UserspaceOvs => Volatile.Read(ref _userspaceOvs) ?? Publish(ref _userspaceOvs, UserspaceOvsPorts());

    private Dictionary<(string, IPAddress), Neighbor> Neighbors()
    {
        var d = new Dictionary<(string, IPAddress), Neighbor>(ns.Neighbors.Count);
        foreach (var e in ns.Neighbors)
            if (e.Device is { } dev) d.TryAdd((dev, e.Address), e); // the first one listed
        return d;
    }

    private HashSet<string> UserspaceOvsPorts()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in ns.Ovs?.Bridges ?? [])
        {
            if (b.DatapathType != "netdev") continue;
            foreach (var p in b.Ports)
                foreach (var i in p.Interfaces) set.Add(i.Name);
        }
        return set;
    }

    private static T Publish<T>(ref T? slot, T made) where T : class =>
        Interlocked.CompareExchange(ref slot, made, null) ?? made;
}
