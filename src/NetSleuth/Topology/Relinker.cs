using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Links an edited copy of a model again, reusing what did not change: the result equals
/// <see cref="Linker.Link"/> of the copy (same devices, edges and assumptions in the same order, same unresolved
/// ends and indexes), at the cost of the hosts the edits touched rather than of the whole input.
/// <para>
/// The copy (<c>WhatIf.ModelCopy</c>) holds the same host objects as the original but for the hosts an edit touched,
/// which are new objects in the same places. Linking is per host up to the relations across hosts
/// (<see cref="LinkChunks"/>), so each host left alone keeps its devices, its index entries, its edges and its
/// assumptions; these hosts are linked again:
/// the hosts replaced; the hosts joined to one of them by a veth pair across hosts (a lab "host" is a group of
/// namespaces: their pairs are linked in full, both sides); hosts with a veth whose peer no namespace of their own
/// holds (another host's edit may give it one). The relations across hosts run in a full link's order, each part or
/// join replayed from the original when what it read did not change, made again otherwise (<see cref="AcrossReplay"/>:
/// a VXLAN device's far end, an underlay segment, a routed underlay edge; OVS tunnel ports and FDB ends are always made
/// again); only the devices whose edges across hosts may have changed get new edge lists. The frozen indexes are
/// copied and made again only for the devices whose edges changed.
/// </para>
/// Falls back to a full link when the copy does not have the original's hosts in the original's places, or when the
/// original's linking could not be split by host.
/// </summary>
public static class Relinker
{
    /// <summary>The topology of <paramref name="after"/>, a copy of <paramref name="before"/>'s snapshot in which some
    /// hosts were replaced by edited copies.</summary>
    public static Topology Relink(Topology before, Snapshot after)
    {
        var c = before.Chunks;
        var oldHosts = before.Hosts;
        var hosts = after.Hosts;
        int n = hosts.Count;
        if (c is null || !c.Valid || !before.IsFrozen || oldHosts.Count != n || before.Across is null) return Linker.Link(after);
        var changed = new bool[n];
        var removed = new HashSet<Host>(ReferenceEqualityComparer.Instance);
        var added = new List<Host>();
        var distinct = new HashSet<Host>(n, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
        {
            if (!distinct.Add(hosts[i])) return Linker.Link(after);
            if (ReferenceEquals(oldHosts[i], hosts[i])) continue;
            changed[i] = true;
            removed.Add(oldHosts[i]);
            added.Add(hosts[i]);
        }
        // a host replaced by a copy of itself keeps no object of the original: a copy that kept one is not an edit's copy
        foreach (var h in hosts)
            if (removed.Contains(h)) return Linker.Link(after);
        var components = new HashSet<int>();
        for (int i = 0; i < n; i++) if (changed[i]) components.Add(c.Component[i]);
        var relink = new bool[n];
        for (int i = 0; i < n; i++) relink[i] = changed[i] || c.Pinned[i] || components.Contains(c.Component[i]);

        var t = new Topology(after, before);
        t.ShareNsIndexes(before, removed.ToList(), added);
        var dirty = new HashSet<DeviceRef>();

        // the edges of every host linked again go (the edges across hosts are made or replayed again below, and the lists of
        // the devices whose edges across hosts change are made again then)
        for (int i = 0; i < n; i++)
        {
            if (!relink[i]) continue;
            for (int k = c.DeviceStart[i]; k < c.DeviceStart[i + 1]; k++)
            {
                var d = before.DeviceList[k];
                t.Out.Remove(d);
                t.In.Remove(d);
                dirty.Add(d);
            }
        }

        // phase 1: the replaced hosts indexed again, the others' devices and index entries kept
        var ownersTouched = new HashSet<IPAddress>();
        for (int i = 0; i < n; i++)
        {
            if (!changed[i]) continue;
            for (int k = c.DeviceStart[i]; k < c.DeviceStart[i + 1]; k++)
                foreach (var a in before.DeviceList[k].Link.Addresses) ownersTouched.Add(a.Address);
        }
        var chunks = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            chunks[i] = t.DeviceList.Count;
            if (changed[i])
            {
                Linker.IndexHost(t, hosts[i], owners: false);
                for (int k = chunks[i]; k < t.DeviceList.Count; k++)
                {
                    dirty.Add(t.DeviceList[k]);
                    foreach (var a in t.DeviceList[k].Link.Addresses) ownersTouched.Add(a.Address);
                }
            }
            else
            {
                Copy(before.DeviceList, c.DeviceStart[i], c.DeviceStart[i + 1], t.DeviceList);
                Copy(before.AllAssumptions, c.P1Assumption[i], c.P1Assumption[i + 1], t.AllAssumptions);
            }
        }
        chunks[n] = t.DeviceList.Count;
        if (ownersTouched.Count > 0) Reown(t, before, hosts, changed, chunks, ownersTouched);

        // phase 2 and 3: host after host, each host's share kept or linked again
        t.Chunks = new LinkChunks(n);
        for (int i = 0; i < n; i++)
        {
            t.ChunkStart = t.AllEdges.Count;
            if (relink[i]) Linker.LinkDevices(t, chunks[i], chunks[i + 1]);
            else
            {
                Copy(before.AllEdges, c.P2Edge[i], c.P2Edge[i + 1], t.AllEdges);
                Copy(before.AllAssumptions, c.P2Assumption[i], c.P2Assumption[i + 1], t.AllAssumptions);
            }
        }
        for (int i = 0; i < n; i++)
        {
            t.ChunkStart = t.AllEdges.Count;
            if (relink[i]) Linker.LinkNamespaces(t, hosts[i]);
            else
            {
                Copy(before.AllEdges, c.P3Edge[i], c.P3Edge[i + 1], t.AllEdges);
                Copy(before.AllAssumptions, c.P3Assumption[i], c.P3Assumption[i + 1], t.AllAssumptions);
            }
        }
        // a host's linking replaced an edge of an earlier host's share: the order of a full link is not kept
        if (!t.Chunks.Valid) return Linker.Link(after);
        t.Chunks = null;

        int acrossStart = t.AllEdges.Count;
        var replay = AcrossReplay.Replayer(before, Positions(before), hosts, relink, changed, chunks, removed, ownersTouched)!;
        t.Across = replay;
        Linker.LinkAcrossHosts(t);
        t.Across = null;
        replay.TouchUnmet();
        // the devices whose edges across hosts may have changed: their edges within their hosts (the original's, or those
        // linked again above), then their edges across hosts in the edge list's order, as a full link adds them; every
        // other device's lists are the original's, which hold the same edges across hosts in the same order
        var across = before.AcrossEdges ??= AcrossSet(before, c.P3Edge[n]);
        foreach (var d in replay.DirtyEnds)
        {
            if (dirty.Contains(d) || removed.Contains(d.Host)) continue;
            Within(t.Out, before.Out, d, across);
            Within(t.In, before.In, d, across);
            dirty.Add(d);
        }
        for (int k = acrossStart; k < t.AllEdges.Count; k++)
        {
            var e = t.AllEdges[k];
            if (dirty.Contains(e.From)) Append(t.Out, e.From, e);
            if (e.To is { } to && dirty.Contains(to)) Append(t.In, to, e);
        }
        t.OwnedLists = null;
        t.HostsRelinked = relink.Count(x => x);
        t.JoinsReplayed = replay.JoinsReplayed;
        t.FreezeFrom(before, dirty, removed);
        return t;
    }

    /// <summary>The original's edges across hosts (made once per topology: the verifications of a diagnosis re-link the
    /// same topology again and again; they may run at once: made twice at worst).</summary>
    private static HashSet<Edge> AcrossSet(Topology before, int from)
    {
        var across = new HashSet<Edge>(before.AllEdges.Count - from, ReferenceEqualityComparer.Instance);
        for (int k = from; k < before.AllEdges.Count; k++) across.Add(before.AllEdges[k]);
        return across;
    }

    /// <summary>The device's list without its edges across hosts (a new list: the original's is shared).</summary>
    private static void Within(LayeredMap<DeviceRef, List<Edge>> map, LayeredMap<DeviceRef, List<Edge>> original, DeviceRef d, HashSet<Edge> across)
    {
        List<Edge>? kept = null;
        if (original.TryGetValue(d, out var l))
            foreach (var e in l)
                if (!across.Contains(e)) (kept ??= new List<Edge>(l.Count)).Add(e);
        if (kept is null) map.Remove(d);
        else map[d] = kept;
    }

    /// <summary>Appends to a list this re-link made (a device linked again, or one <see cref="Within"/> gave a new list).</summary>
    private static void Append(LayeredMap<DeviceRef, List<Edge>> map, DeviceRef d, Edge e)
    {
        ref var l = ref map.GetValueRefOrAddDefault(d, out _);
        (l ??= new List<Edge>(2)).Add(e);
    }

    private static void Copy<T>(List<T> from, int start, int end, List<T> to)
    {
        if (end > start) to.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(from).Slice(start, end - start));
    }

    /// <summary>The owners of the addresses the replaced hosts held or hold: the others' entries kept, the new hosts'
    /// added, in input order (host, then device, then address), as a full link lists them.</summary>
    private static void Reown(Topology t, Topology before, IReadOnlyList<Host> hosts, bool[] changed, int[] chunks,
        HashSet<IPAddress> addresses)
    {
        var position = Positions(before);
        // the replaced hosts' entries, by address, in host order
        var fresh = new Dictionary<IPAddress, List<(int Host, DeviceRef Device, IfAddress Address)>>();
        for (int i = 0; i < hosts.Count; i++)
        {
            if (!changed[i]) continue;
            for (int k = chunks[i]; k < chunks[i + 1]; k++)
            {
                var d = t.DeviceList[k];
                foreach (var a in d.Link.Addresses)
                {
                    if (!fresh.TryGetValue(a.Address, out var l)) fresh[a.Address] = l = [];
                    l.Add((i, d, a));
                }
            }
        }
        var none = new List<(DeviceRef Device, IfAddress Address)>();
        foreach (var ip in addresses)
        {
            // the original's list is in host order: each replaced host's entries are one run of it, replaced by the new
            // host's (a list every namespace's loopback address is in has a hundred thousand entries: copied, not searched)
            var old = before.Owners.TryGetValue(ip, out var o) ? o : none;
            fresh.TryGetValue(ip, out var added);
            var list = new List<(DeviceRef Device, IfAddress Address)>(old.Count + (added?.Count ?? 0));
            int from = 0, next = 0;
            for (int i = 0; i < hosts.Count; i++)
            {
                if (!changed[i]) continue;
                int start = RunStart(old, from, i, position), end = RunStart(old, start, i + 1, position);
                Copy(old, from, start, list);
                while (added is not null && next < added.Count && added[next].Host == i)
                {
                    list.Add((added[next].Device, added[next].Address));
                    next++;
                }
                from = end;
            }
            Copy(old, from, old.Count, list);
            if (list.Count == 0) t.Owners.Remove(ip);
            else t.Owners[ip] = list;
        }
    }

    /// <summary>The original's hosts' places, made once (a re-link's hosts are in the original's places; a replaced host's
    /// copy is not in it).</summary>
    private static Dictionary<Host, int> Positions(Topology before)
    {
        if (before.HostPositions is { } made) return made;
        var position = new Dictionary<Host, int>(before.Hosts.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < before.Hosts.Count; i++) position.TryAdd(before.Hosts[i], i);
        return before.HostPositions = position;
    }

    /// <summary>The first entry at or after <paramref name="from"/> whose host is at <paramref name="host"/> or later (the
    /// list is in host order).</summary>
    private static int RunStart(List<(DeviceRef Device, IfAddress Address)> list, int from, int host, Dictionary<Host, int> position)
    {
        int lo = from, hi = list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (position[list[mid].Device.Host] < host) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
