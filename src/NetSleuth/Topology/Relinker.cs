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
/// holds (another host's edit may give it one). The relations across hosts — OVS patch and tunnel ports, VXLAN
/// tunnels (remote, VNI, FDB ends), underlay segments and routed underlay — are made again over the whole input:
/// they are few (a handful per node) and any edit can change them. The frozen indexes are copied and made again
/// only for the devices whose edges changed.
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
        if (c is null || !c.Valid || !before.IsFrozen || oldHosts.Count != n) return Linker.Link(after);
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

        // the edges of every host linked again go; so do the edges across hosts (made again below): the lists of
        // their ends keep the edges within hosts, which come first in every list
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
        // the ends of the edges across hosts, before and after: their lists change, but most get the same edges again
        var cut = before.AcrossCut ??= Cut(before, c.P3Edge[n]);
        var acrossEnds = new HashSet<DeviceRef>(cut.Ends);
        foreach (var (d, outgoing, kept) in cut.Lists)
        {
            var map = outgoing ? t.Out : t.In;
            if (!map.ContainsKey(d)) continue; // its host is linked again: its lists went
            if (kept is null) map.Remove(d);
            else map[d] = kept; // shared by every re-link: not owned, so copied before a change
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
        if (ownersTouched.Count > 0) Reown(t, before, hosts, changed, chunks, removed, ownersTouched);

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
        t.Across = AcrossReplay.Replayer(before, hosts, relink);
        Linker.LinkAcrossHosts(t);
        t.Across = null;
        for (int k = acrossStart; k < t.AllEdges.Count; k++)
        {
            var e = t.AllEdges[k];
            acrossEnds.Add(e.From);
            if (e.To is { } to) acrossEnds.Add(to);
        }
        // an end whose edges equal the original's (the same kinds, ends, labels, in the same order) keeps its index
        // entries, and so does its bridge: the indexes are functions of the edge lists
        foreach (var d in acrossEnds)
            if (!dirty.Contains(d) && !(SameEdges(before.EdgesFrom(d), t.EdgesFrom(d)) && SameEdges(before.EdgesTo(d), t.EdgesTo(d))))
                dirty.Add(d);
        t.OwnedLists = null;
        t.HostsRelinked = relink.Count(x => x);
        t.FreezeFrom(before, dirty, removed);
        return t;
    }

    /// <summary>The list in host order, each host's entries in their order: the original's (already in host order) merged
    /// with the last <paramref name="tail"/> entries, the replaced hosts' (in host order too). A stable merge: linear in
    /// the list, which for an address every pod holds (a link-local gateway) has a hundred thousand entries.</summary>
    private static List<(DeviceRef Device, IfAddress Address)> Merge(List<(DeviceRef Device, IfAddress Address)> list, int tail,
        Dictionary<Host, int> position)
    {
        int split = list.Count - tail;
        if (split == 0) return list;
        var merged = new List<(DeviceRef Device, IfAddress Address)>(list.Count);
        int i = 0, j = split;
        while (i < split && j < list.Count)
            merged.Add(position[list[j].Device.Host] < position[list[i].Device.Host] ? list[j++] : list[i++]);
        while (i < split) merged.Add(list[i++]);
        while (j < list.Count) merged.Add(list[j++]);
        return merged;
    }

    private static bool SameEdges(IReadOnlyList<Edge> a, IReadOnlyList<Edge> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (!a[i].Equals(b[i])) return false;
        return true;
    }

    /// <summary>What every re-link of one topology starts from, made once (the verifications of a diagnosis re-link the
    /// same topology again and again): the ends of its edges across hosts, and each end's edge lists without them.</summary>
    internal sealed class AcrossHostCut
    {
        public required HashSet<DeviceRef> Ends { get; init; }
        /// <summary>Each end's outgoing or incoming list without the edges across hosts (null: nothing left).</summary>
        public required List<(DeviceRef Device, bool Outgoing, List<Edge>? Kept)> Lists { get; init; }
    }

    private static AcrossHostCut Cut(Topology before, int from)
    {
        var across = new HashSet<Edge>(ReferenceEqualityComparer.Instance);
        for (int k = from; k < before.AllEdges.Count; k++) across.Add(before.AllEdges[k]);
        var ends = new HashSet<DeviceRef>();
        var lists = new List<(DeviceRef, bool, List<Edge>?)>();
        var doneOut = new HashSet<DeviceRef>();
        var doneIn = new HashSet<DeviceRef>();
        foreach (var e in across)
        {
            ends.Add(e.From);
            if (doneOut.Add(e.From) && before.Out.TryGetValue(e.From, out var o)) lists.Add((e.From, true, Without(o, across)));
            if (e.To is not { } to) continue;
            ends.Add(to);
            if (doneIn.Add(to) && before.In.TryGetValue(to, out var i)) lists.Add((to, false, Without(i, across)));
        }
        return new AcrossHostCut { Ends = ends, Lists = lists };

        static List<Edge>? Without(List<Edge> l, HashSet<Edge> across)
        {
            var kept = new List<Edge>(l.Count);
            foreach (var e in l) if (!across.Contains(e)) kept.Add(e);
            return kept.Count == 0 ? null : kept;
        }
    }

    private static void Copy<T>(List<T> from, int start, int end, List<T> to)
    {
        if (end > start) to.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(from).Slice(start, end - start));
    }

    /// <summary>The owners of the addresses the replaced hosts held or hold: the others' entries kept, the new hosts'
    /// added, in input order (host, then device, then address), as a full link lists them.</summary>
    private static void Reown(Topology t, Topology before, IReadOnlyList<Host> hosts, bool[] changed, int[] chunks,
        HashSet<Host> removed, HashSet<IPAddress> addresses)
    {
        var position = new Dictionary<Host, int>(hosts.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < hosts.Count; i++) position.TryAdd(hosts[i], i);
        var fresh = new Dictionary<IPAddress, List<(DeviceRef, IfAddress)>>();
        for (int i = 0; i < hosts.Count; i++)
        {
            if (!changed[i]) continue;
            for (int k = chunks[i]; k < chunks[i + 1]; k++)
            {
                var d = t.DeviceList[k];
                foreach (var a in d.Link.Addresses)
                {
                    if (!fresh.TryGetValue(a.Address, out var l)) fresh[a.Address] = l = [];
                    l.Add((d, a));
                }
            }
        }
        foreach (var ip in addresses)
        {
            var list = new List<(DeviceRef Device, IfAddress Address)>();
            if (before.Owners.TryGetValue(ip, out var old))
                foreach (var o in old)
                    if (!removed.Contains(o.Device.Host)) list.Add(o);
            fresh.TryGetValue(ip, out var added);
            if (added is not null) list.AddRange(added);
            if (list.Count == 0) { t.Owners.Remove(ip); continue; }
            t.Owners[ip] = fresh.ContainsKey(ip) ? Merge(list, added!.Count, position) : list;
        }
    }
}
