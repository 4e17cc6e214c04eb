using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Several hosts' snapshots linked into one graph: veth pairs, bridge and OVS ports, tc mirred
/// edges, VXLAN tunnels across hosts, underlay segments, and which namespace holds which address.
/// Built once by <see cref="Linker.Link"/>; read by the renderers, the tracer and the checks.
/// </summary>
public sealed partial class Topology
{
    internal readonly Dictionary<(Host, NetNamespace, int), DeviceRef> ByIndex;
    internal readonly Dictionary<(Host, NetNamespace, string), DeviceRef> ByName;
    internal readonly LayeredMap<DeviceRef, List<Edge>> Out;
    internal readonly LayeredMap<DeviceRef, List<Edge>> In;
    internal readonly LayeredMap<IPAddress, List<(DeviceRef Device, IfAddress Address)>> Owners;
    internal readonly Dictionary<DeviceRef, TunnelMatch> Tunnels = new();
    internal readonly List<Edge> AllEdges = [];
    internal readonly List<Segment> SegmentList = [];
    internal readonly Dictionary<DeviceRef, Segment> SegmentByDevice = new();
    internal readonly List<Assumption> AllAssumptions = [];

    internal Topology(Snapshot snapshot)
    {
        Snapshot = snapshot;
        // sized for every device up front: a cluster has hundreds of thousands, and growing rehashes them all
        int devices = 0;
        foreach (var h in snapshot.Hosts)
            foreach (var n in h.Namespaces) devices += n.Links.Count;
        ByIndex = new(devices, DeviceKeyComparer.Instance);
        ByName = new(devices, DeviceKeyComparer.Instance);
        Out = new(devices);
        In = new(devices);
        Owners = new(devices);
        IndexHosts(snapshot);
    }

    /// <summary>A topology <see cref="Relinker"/> makes from a frozen one: the device, edge and address indexes are layers
    /// over <paramref name="from"/>'s (<see cref="LayeredMap{TKey, TValue}"/>: their edge and owner lists shared, copied
    /// before a change).</summary>
    internal Topology(Snapshot snapshot, Topology from)
    {
        Snapshot = snapshot;
        // the device indexes hold the replaced hosts' devices only; the others' are looked up in the original's
        Base = from;
        ByIndex = new(DeviceKeyComparer.Instance);
        ByName = new(DeviceKeyComparer.Instance);
        Out = new(from.Out);
        In = new(from.In);
        Owners = new(from.Owners);
        // with room for what an edit adds: a list of a million entries that grows by one is copied into one twice as long
        DeviceList = new(from.DeviceList.Count + 1024);
        AllEdges = new(from.AllEdges.Count + 1024);
        AllAssumptions = new(from.AllAssumptions.Count + 1024);
        OwnedLists = new(ReferenceEqualityComparer.Instance);
        IndexHosts(snapshot, from);
    }

    /// <param name="from">a re-linked topology's original: the namespaces of the hosts it shares are looked up in it
    /// (<see cref="FindNamespace"/>), only the replaced hosts' are indexed here</param>
    private void IndexHosts(Snapshot snapshot, Topology? from = null)
    {
        foreach (var h in snapshot.Hosts) _hostByName.TryAdd(h.Name, h);
        foreach (var h in snapshot.Hosts)
            foreach (var alias in h.Meta.Aliases)
                _hostByName.TryAdd(alias, h);
        HashSet<Host>? shared = from is null ? null : new(from.Hosts, ReferenceEqualityComparer.Instance);
        foreach (var h in snapshot.Hosts)
        {
            if (shared is not null && shared.Contains(h)) continue;
            foreach (var n in h.Namespaces) _namespaceById.TryAdd((h, n.Id), n); // the first one, as Host.FindNamespace
        }
    }

    /// <summary>Each host's share of the linking (null once a relinked topology: it is not itself re-linked).</summary>
    internal LinkChunks? Chunks;
    /// <summary>Where the share of the host being linked starts in <see cref="AllEdges"/>.</summary>
    internal int ChunkStart;
    /// <summary>A relinked topology's original: the device indexes and the namespace indexes fall back to it (a key of a
    /// replaced host names the new host object, which the original does not hold).</summary>
    internal Topology? Base;
    /// <summary>Per namespace, its VXLAN FDB entries' dst by (device, MAC) (<see cref="FdbTunnelLinker"/>'s ways back): made while
    /// linking; a relinked topology reads its original's for the namespaces it shares (the same objects, never changed).</summary>
    internal readonly Dictionary<NetNamespace, Dictionary<MacAddress, FdbDst>> FdbDsts = new(ReferenceEqualityComparer.Instance);
    /// <summary>How many tunnel pairs the linking drew (the size a re-link's sets of them start at).</summary>
    internal int TunnelPairs;
    /// <summary>How many hosts <see cref="Relinker"/> linked again to make this topology (-1: linked in full).</summary>
    internal int HostsRelinked = -1;
    /// <summary>How many joins across hosts <see cref="Relinker"/> replayed from the original to make this topology.</summary>
    internal int JoinsReplayed;
    /// <summary>In a relinked topology: the edge lists it made or copied (the others are shared with the original).</summary>
    internal HashSet<List<Edge>>? OwnedLists;
    /// <summary>The edges across hosts, made by the first re-link of this topology, read by the others (they may run at
    /// once: made twice at worst).</summary>
    internal HashSet<Edge>? AcrossEdges;
    /// <summary>Each host's place in <see cref="Hosts"/>, made by the first re-link of this topology (as <see cref="AcrossEdges"/>).</summary>
    internal Dictionary<Host, int>? HostPositions;
    /// <summary>The full link's record of the host-local parts of the linking across hosts; in a re-link, what replays them.</summary>
    internal AcrossReplay? Across;

    public Snapshot Snapshot { get; }
    public IReadOnlyList<Host> Hosts => Snapshot.Hosts;
    public IReadOnlyList<Edge> Edges => AllEdges;
    /// <summary>Every assumption made and every end left unresolved, with the reason.</summary>
    public IReadOnlyList<Assumption> Assumptions => AllAssumptions;

    /// <summary>Underlay subnets shared by several hosts' root namespaces.</summary>
    public IReadOnlyList<Segment> Segments => SegmentList;
    public Segment? SegmentOf(DeviceRef d) => SegmentByDevice.TryGetValue(d, out var s) ? s : null;

    public IEnumerable<NsRef> Namespaces => Hosts.SelectMany(h => h.Namespaces.Select(n => new NsRef(h, n)));
    public IEnumerable<DeviceRef> Devices => DeviceList;

    /// <summary>Every device, in input order; those whose ifindex the input does not show (0) are in no index by number.</summary>
    internal readonly List<DeviceRef> DeviceList = [];

    private readonly Dictionary<string, Host> _hostByName = new(StringComparer.Ordinal);
    private readonly Dictionary<(Host, string), NetNamespace> _namespaceById = new();

    /// <summary>The first host of that name, else the one the input also calls so (<see cref="HostMeta.Aliases"/>).</summary>
    public Host? FindHost(string name) => _hostByName.TryGetValue(name, out var host) ? host : null;

    /// <summary>The namespace's neighbour entry for an address on a device (the first one listed).</summary>
    public Neighbor? NeighborEntry(NetNamespace ns, string device, IPAddress address) => Of(ns).Neighbor(device, address);

    /// <summary><see cref="Host.FindNamespace"/> through an index (the linker asks once per veth).</summary>
    internal NetNamespace? FindNamespace(Host host, string id) =>
        _namespaceById.TryGetValue((host, id), out var ns) || Base is { } b && b._namespaceById.TryGetValue((host, id), out ns) ? ns : null;

    public DeviceRef? Device(Host host, NetNamespace ns, string name) =>
        ByName.TryGetValue((host, ns, name), out var d) || Base is { } b && b.ByName.TryGetValue((host, ns, name), out d) ? d : null;

    public DeviceRef? Device(Host host, NetNamespace ns, int index) =>
        ByIndex.TryGetValue((host, ns, index), out var d) || Base is { } b && b.ByIndex.TryGetValue((host, ns, index), out d) ? d : null;

    public DeviceRef? Device(NsRef ns, string name) => Device(ns.Host, ns.Ns, name);

    public IReadOnlyList<Edge> EdgesFrom(DeviceRef d) => Out.TryGetValue(d, out var l) ? l : [];
    public IReadOnlyList<Edge> EdgesTo(DeviceRef d) => In.TryGetValue(d, out var l) ? l : [];

    /// <summary>The other end of a veth pair, when the input shows it.</summary>
    public DeviceRef? VethPeer(DeviceRef d) => VethPeerOf(d);

    /// <summary>The bridge (Linux or OVS) a device is a port of.</summary>
    public DeviceRef? BridgeOf(DeviceRef d) => BridgeOfPort(d);

    /// <summary>The ports of a bridge device (Linux bridge, or the internal device of an OVS bridge).</summary>
    public IEnumerable<DeviceRef> PortsOf(DeviceRef bridge) => PortsOfBridge(bridge);

    /// <summary>
    /// For a bridge: the MAC of the device right behind each port (the veth peer of a port, or the port's
    /// own MAC for an internal one), as a learning switch would have learnt it. The first port in port
    /// order wins a MAC seen twice. Made when the topology is frozen.
    /// </summary>
    public IReadOnlyDictionary<MacAddress, DeviceRef> PortByMac(DeviceRef bridge) => LearntPortByMac(bridge);

    /// <summary><see cref="PortsOf"/> as a list.</summary>
    public IReadOnlyList<DeviceRef> PortList(DeviceRef bridge) => PortsOfBridge(bridge);

    /// <summary>The namespace's rules and route tables as the one FIB reads them (<see cref="NsIndex"/>).</summary>
    internal Forwarding.NsFib Fib(NetNamespace ns) => Of(ns).Fib;

    /// <summary>Names of the interfaces of the namespace's OVS bridges whose datapath is userspace ("netdev").</summary>
    public IReadOnlySet<string> UserspaceOvsInterfaces(NetNamespace ns) => Of(ns).UserspaceOvs;

    /// <summary>tc mirred edges leaving a device from filters on the given hook ("ingress"/"egress").</summary>
    public IEnumerable<(Edge Edge, TcFilter Filter, TcAction Action)> MirredFrom(DeviceRef d, string direction)
    {
        foreach (var f in d.Ns.Filters)
        {
            if (f.Device != d.Link.Name || f.Direction != direction) continue;
            foreach (var a in f.Actions)
            {
                if (a.Kind != "mirred") continue;
                var edge = EdgesFrom(d).FirstOrDefault(e => e.Kind is EdgeKind.TcRedirect or EdgeKind.TcMirror &&
                    e.Label.StartsWith(direction, StringComparison.Ordinal) && (e.To?.Link.Name ?? a.TargetDevice) == a.TargetDevice);
                if (edge is not null) yield return (edge, f, a);
            }
        }
    }

    /// <summary>The far end of a VXLAN device, as matched by the linker.</summary>
    public TunnelMatch? Tunnel(DeviceRef vxlan) => Tunnels.TryGetValue(vxlan, out var t) ? t : null;

    /// <summary>Devices that hold the address (as an interface address), across every host given.</summary>
    public IReadOnlyList<(DeviceRef Device, IfAddress Address)> OwnersOf(IPAddress ip) =>
        Owners.TryGetValue(ip, out var l) ? l : [];

    /// <summary>The namespaces that hold the address on one of their devices (a pod IP → its pod namespace;
    /// several when copies exist, as the peer-pods pod IP on the worker's pod namespace and the pod VM).</summary>
    public IReadOnlyList<NsRef> NamespacesHolding(IPAddress ip) =>
        OwnersOf(ip).Select(o => o.Device.Namespace).Distinct().ToList();

    /// <summary>Every interface address and the device holding it, in input order (host, namespace, device).</summary>
    public IEnumerable<(IPAddress Address, DeviceRef Device)> AddressOwners =>
        Devices.SelectMany(d => d.Link.Addresses.Select(a => (a.Address, d)));

    /// <summary>The device the namespace's main table sends the address out of, when a route says.</summary>
    public DeviceRef? RouteDevice(NsRef ns, IPAddress ip) => Forwarding.Fib.OutDevice(this, ns, ip);

    /// <summary>Finds a device by "HOST:DEVICE" (root namespace) or "HOST:NETNS:DEVICE" (netns name or id).</summary>
    public DeviceRef? FindDevice(string spec)
    {
        // the namespace part may itself hold colons ("inode:4026532241"): host = first, device = last
        int first = spec.IndexOf(':'), last = spec.LastIndexOf(':');
        if (first <= 0 || last == spec.Length - 1 || FindHost(spec[..first]) is not { } host) return null;
        var nsName = first == last ? null : spec[(first + 1)..last];
        var ns = nsName is null ? host.Root
            : host.Namespaces.FirstOrDefault(n => n.Name == nsName) ?? host.FindNamespace(nsName) ??
              (nsName == "root" ? host.Root : null);
        return ns is null ? null : Device(host, ns, spec[(last + 1)..]);
    }

    /// <summary>The namespace the device's IFLA_LINK lives in (veth peer, vxlan underlay), as resolved.</summary>
    public NsRef? LinkNamespace(DeviceRef d)
    {
        if (d.Link.LinkNamespace is { } id)
            return d.Host.FindNamespace(id) is { } ns ? new NsRef(d.Host, ns) : null;
        if (d.Link.LinkNetnsId is null && d.Link.LinkNetnsName is null) return d.Namespace;
        return null;
    }
}
