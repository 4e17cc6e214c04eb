namespace NetSleuth.Topology;

/// <summary>
/// The edge lookups every stage asks for (veth peer, bridge of a port, ports of a bridge), as
/// dictionaries built from the edge list in one pass, and again whenever an edge was added or removed
/// since (the linker asks while it still links). Built under a lock, read by many traces at once.
/// </summary>
public sealed partial class Topology
{
    internal sealed record EdgeIndex(int Version, Dictionary<DeviceRef, DeviceRef> VethPeer,
        Dictionary<DeviceRef, DeviceRef> BridgeOf, Dictionary<DeviceRef, List<DeviceRef>> Ports);

    /// <summary>Bumped by every edge added or removed.</summary>
    internal int EdgeVersion;

    private EdgeIndex? _index;
    private readonly Lock _indexLock = new();

    internal EdgeIndex Index()
    {
        var index = Volatile.Read(ref _index);
        if (index is not null && index.Version == EdgeVersion) return index;
        lock (_indexLock)
        {
            index = _index;
            if (index is not null && index.Version == EdgeVersion) return index;
            index = Build();
            Volatile.Write(ref _index, index);
            return index;
        }
    }

    /// <summary>The first edge of a kind wins, as a scan of a device's edges in order would find it: the veth peer
    /// from the device's own edge first, then from the peer's.</summary>
    private EdgeIndex Build()
    {
        var fromVeth = new Dictionary<DeviceRef, DeviceRef>();
        var toVeth = new Dictionary<DeviceRef, DeviceRef>();
        var bridgeOf = new Dictionary<DeviceRef, DeviceRef>();
        var ports = new Dictionary<DeviceRef, List<DeviceRef>>();
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
        return new EdgeIndex(EdgeVersion, fromVeth, bridgeOf, ports);
    }
}
