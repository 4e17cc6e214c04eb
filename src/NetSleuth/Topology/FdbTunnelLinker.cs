using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Far ends of a VXLAN device that has no remote (flannel's flannel.1, nolearning): every FDB entry
/// "MAC dev DEV dst IP self" sends the frames for MAC to IP, so the far end of that entry is the VXLAN
/// device whose UDP socket lives in the namespace owning IP, with the entry's (else the device's) VNI
/// and port. Its way back — its own remote, or its FDB entry for this device's MAC — must point here.
/// </summary>
/// <param name="drawn">the tunnel edges drawn so far (from, to), by every device of the input</param>
/// <param name="devices">how many VXLAN devices the linker's list holds (their places name them in the pairs)</param>
internal sealed class FdbTunnelLinker(Topology t, Dictionary<(Host, NetNamespace), List<TunnelLinker.Candidate>> byUnderlay,
    TunnelLinker.PairSet drawn, int devices)
{
    /// <summary>The pairs (device, far end) of the entries met so far, by the devices' places: a pair gets one edge, from
    /// the first of its two devices to meet it.</summary>
    private readonly TunnelLinker.PairSet _drawn = new(t.Base?.TunnelPairs ?? 0, devices);

    /// <summary>How many pairs were drawn (a re-link's sets start that big: a flannel mesh of 1,000 nodes draws a million).</summary>
    public int Pairs => _drawn.Count;
    /// <summary>The last edge label made (a mesh uses one VNI and port throughout).</summary>
    private (uint? Vni, int Port, string Text)? _label;

    /// <summary>
    /// A re-link's way to keep the original's ends of a device of a host it did not link again. An end reads the owners of its
    /// dst, the VXLAN devices whose sockets live in their namespaces (with their VNI, port and FDB: their host's own), and
    /// whether the device's own underlay namespace owns each one's way back (the device's host's own). When its dst is not
    /// an address a replaced host held or holds, its owners are the original's (their hosts were not replaced), so every
    /// input is the original's and the end is the same: kept, without a lookup. Its edge is decided again (the pairs met
    /// before it may differ), by the places of the devices now (<paramref name="PlaceNow"/>: the original's place → the
    /// re-link's).
    /// </summary>
    /// <param name="Ends">the original's ends of the device</param>
    /// <param name="Places">each end's far device's (else its one near miss's) place in the original's list, -1 for neither</param>
    internal sealed record Kept(IReadOnlyList<FdbTunnelEnd> Ends, int[] Places, int[] PlaceNow, Func<IPAddress, bool> AddressTouched)
    {
        /// <summary>The original's <paramref name="k"/>-th end when it is the entry's and can be kept, with the place now of its
        /// far device (else of its one near miss; -1 for neither).</summary>
        public bool TryKeep(int k, FdbEntry entry, IPAddress dst, out FdbTunnelEnd end, out int to)
        {
            end = null!;
            to = -1;
            if (k >= Ends.Count || !ReferenceEquals(Ends[k].Entry, entry) || AddressTouched(dst)) return false;
            int was = Places[k];
            if (was >= 0 && (to = PlaceNow[was]) < 0) return false; // its device's host was replaced: not with an untouched dst, checked all the same
            end = Ends[k];
            return true;
        }
    }

    /// <summary>The far ends of the FDB entries of <paramref name="d"/>, the VXLAN device at <paramref name="place"/>, with each
    /// end's far device's (else its one near miss's) place (<paramref name="places"/>, -1 for neither).</summary>
    public IReadOnlyList<FdbTunnelEnd> Ends(DeviceRef d, int place, NsRef? underlay, Kept? keep, out int[] places)
    {
        var vx = d.Link.Vxlan!;
        var ends = new List<FdbTunnelEnd>(keep?.Ends.Count ?? 4);
        var to = new List<int>(keep?.Ends.Count ?? 4);
        foreach (var entry in d.Ns.Fdb)
        {
            if (entry.Device != d.Link.Name || entry.Dst is not { } dst) continue;
            if (keep is not null && keep.TryKeep(ends.Count, entry, dst, out var kept, out int now))
            {
                ends.Add(kept);
                to.Add(now);
                AddEdge(d, place, kept, now, kept.FarUnderlay is not null);
                continue;
            }
            uint? vni = entry.Vni ?? vx.Vni;
            int port = entry.Port ?? vx.DstPort ?? TunnelLinker.DefaultPort;
            var owners = t.OwnersOf(dst);
            DeviceRef? far = null;
            int farPlace = -1, missPlace = -1;
            List<TunnelMismatch>? misses = null;
            for (int i = 0; i < owners.Count; i++)
            {
                var o = owners[i].Device;
                bool seen = false;
                for (int j = 0; j < i && !seen; j++) seen = owners[j].Device.Host == o.Host && owners[j].Device.Ns == o.Ns;
                if (seen || !byUnderlay.TryGetValue((o.Host, o.Ns), out var candidates)) continue;
                // several devices could match: the one whose MAC the entry holds receives the frames
                var ordered = candidates.Count == 1 ? candidates : ByMac(candidates, entry.Mac);
                foreach (var (c, _, cPlace) in ordered)
                {
                    if (c == d) continue;
                    var reason = Mismatch(d, underlay, vni, port, c);
                    if (reason is null)
                    {
                        if (far is null) { far = c; farPlace = cPlace; }
                    }
                    else
                    {
                        if (misses is null) missPlace = cPlace;
                        (misses ??= []).Add(new TunnelMismatch(c, reason));
                    }
                }
            }
            var end = new FdbTunnelEnd(entry, dst, vni, port, owners.Count > 0 ? owners[0].Device.Namespace : null, far, misses ?? (IReadOnlyList<TunnelMismatch>)[]);
            ends.Add(end);
            int endPlace = far is null ? missPlace : farPlace;
            to.Add(endPlace);
            AddEdge(d, place, end, endPlace, owners.Count > 0);
        }
        places = [.. to];
        return ends;
    }

    /// <param name="to">the place of the end's far device, else of its one near miss</param>
    private void AddEdge(DeviceRef d, int place, FdbTunnelEnd end, int to, bool owned)
    {
        if (_label is not { } cached || cached.Vni != end.Vni || cached.Port != end.Port)
            _label = cached = (end.Vni, end.Port, $"vxlan vni {end.Vni?.ToString() ?? "?"} port {end.Port} via fdb");
        string label = cached.Text;
        if (end.Far is { } far)
        {
            if (_drawn.Add(place, to) && !_drawn.Contains(to, place))
                TunnelLinker.AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, far, label), place, to);
            return;
        }
        string what = $"fdb entry {end.Entry.Mac} dst {end.Dst}";
        string why = !owned ? $"{what}: {end.Dst} is not an address of any host in the input"
            : end.NearMisses.Count > 0 ? $"{what}: tunnel far end does not match: " + string.Join("; ", end.NearMisses.Select(m => $"{m.Far}: {m.Reason}"))
            : $"{what}: no VXLAN device has its socket where {end.Dst} is";
        TunnelLinker.AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, end.NearMisses.Count == 1 ? end.NearMisses[0].Far : null, label, why), place, to);
    }

    /// <summary>Why the candidate is not the entry's far end; null when it is.</summary>
    private string? Mismatch(DeviceRef d, NsRef? underlay, uint? vni, int port, DeviceRef candidate)
    {
        if (candidate.Link.Vxlan is not { } far) return "VXLAN details not shown";
        bool vniOk = far.Vni == vni, portOk = (far.DstPort ?? TunnelLinker.DefaultPort) == port;
        var back = underlay is null ? null : WayBack(candidate, d);
        bool backOk = back is null || OwnedBy(back, underlay!);
        if (vniOk && portOk && backOk) return null;
        var reasons = new List<string>();
        if (!vniOk) reasons.Add($"VNI {far.Vni} ≠ {vni}");
        if (!portOk) reasons.Add($"dstport {far.DstPort ?? TunnelLinker.DefaultPort} ≠ {port}");
        if (!backOk) reasons.Add($"its way back {back} is not an address of {underlay}");
        return string.Join(", ", reasons);
    }

    /// <summary>The candidates with the entry's MAC first, in order (a method of its own: a lambda in the loop would make its
    /// closure for every entry of a mesh).</summary>
    private static List<TunnelLinker.Candidate> ByMac(List<TunnelLinker.Candidate> candidates, MacAddress mac) =>
        candidates.OrderBy(c => c.Dev.Link.Mac == mac ? 0 : 1).ToList();

    private bool OwnedBy(IPAddress ip, NsRef ns)
    {
        var owners = t.OwnersOf(ip); // indexed: a mesh asks a million times
        for (int i = 0; i < owners.Count; i++)
            if (owners[i].Device.Host == ns.Host && owners[i].Device.Ns == ns.Ns) return true;
        return false;
    }

    /// <summary>Where the far device sends frames for <paramref name="d"/>: its remote, else its FDB entry for d's MAC.</summary>
    private IPAddress? WayBack(DeviceRef far, DeviceRef d)
    {
        if (far.Link.Vxlan?.Remote is { } r) return r;
        if (d.Link.Mac is not { } mac) return null;
        // per namespace: (device, MAC) → the first FDB entry with a dst, made on first use (a re-link's original made those of
        // the namespaces it shares: 1,000 flannel nodes hold a million entries)
        if (!t.FdbDsts.TryGetValue(far.Ns, out var map) && (t.Base is not { } original || !original.FdbDsts.TryGetValue(far.Ns, out map)))
        {
            t.FdbDsts[far.Ns] = map = new();
            foreach (var f in far.Ns.Fdb)
            {
                if (f.Dst is not { } dst) continue;
                ref var first = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(map, f.Mac, out _);
                first = FdbDst.With(first, f.Device, dst);
            }
        }
        return map.TryGetValue(mac, out var known) ? known.Of(far.Link.Name) : null;
    }
}

/// <summary>The dst of a namespace's first FDB entry for a MAC on each device (<see cref="Topology.FdbDsts"/>): keyed by the
/// MAC alone, the devices in a chain (a node's mesh holds one device; hashing the MAC alone is what a million lookups want).</summary>
internal sealed class FdbDst(string device, IPAddress dst, FdbDst? next)
{
    private readonly string _device = device;
    private readonly IPAddress _dst = dst;
    private readonly FdbDst? _next = next;

    /// <summary>The dst of <paramref name="device"/>'s first entry, or null.</summary>
    public IPAddress? Of(string device)
    {
        for (var x = this; x is not null; x = x._next)
            if (string.Equals(x._device, device, StringComparison.Ordinal)) return x._dst;
        return null;
    }

    /// <summary>The chain with DEVICE's dst added, unless the device has one already (the first entry wins).</summary>
    public static FdbDst With(FdbDst? chain, string device, IPAddress dst) =>
        chain?.Of(device) is not null ? chain! : new FdbDst(device, dst, chain);
}
