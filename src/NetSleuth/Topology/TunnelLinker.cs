using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Pairs VXLAN devices across hosts: a device's far end is a VXLAN device whose UDP socket lives in
/// the namespace that owns this device's remote address, with the same VNI and destination port,
/// and whose own remote is an address of this device's underlay namespace.
/// </summary>
internal static class TunnelLinker
{
    /// <summary>The kernel's default VXLAN port when none was given (iproute2 warns and uses 8472).</summary>
    public const int DefaultPort = 8472;

    /// <summary>A VXLAN device, the namespace of its UDP socket and the underlay device its packets leave by (the
    /// <see cref="EdgeKind.TunnelUnderlay"/> edge's end).</summary>
    internal readonly record struct VxlanEnd(DeviceRef Device, NsRef? Underlay, DeviceRef? Local);

    /// <summary>What a device's underlay part made: its socket's namespace and the underlay device, if found.</summary>
    private sealed record UnderlayPart(NetNamespace? Ns, DeviceRef? Local);

    /// <summary>What a device's far-end join made and read: the owners' hosts of its remote (whose VXLAN devices were the
    /// candidates) and the candidates' remotes (whose owners say whether they point back).</summary>
    /// <param name="EndPlaces">for a device with FDB ends: each end's far device's place in the link's list of VXLAN devices
    /// (else its one near miss's; -1: neither), which a re-link reads when it keeps the end</param>
    /// <param name="DrewTo">for a device with a remote: the place of the end of the one tunnel edge it drew, -1 when it drew none
    /// with an end (a re-link that replays the join notes the pair drawn again)</param>
    private sealed record TunnelJoin(TunnelMatch Match, Host[] Hosts, IPAddress[] Backs, int[]? EndPlaces = null, int DrewTo = -1);

    /// <summary>Matches every VXLAN device's far end; returns the devices with their underlay, in input order.</summary>
    public static List<VxlanEnd> LinkTunnels(Topology t)
    {
        var byUnderlay = new Dictionary<(Host, NetNamespace), List<Candidate>>();
        var all = new List<VxlanEnd>();
        foreach (var d in AcrossReplay.VxlanDevices(t))
        {
            // the underlay namespace and device are the device's host's own: replayed for a host a re-link left alone
            var (uns, local) = AcrossReplay.Run(t, d.Host, d, () => Underlay(t, d));
            int place = all.Count;
            all.Add(new VxlanEnd(d, uns is null ? null : new NsRef(d.Host, uns), local));
            if (uns is null) continue;
            if (!byUnderlay.TryGetValue((d.Host, uns), out var l)) byUnderlay[(d.Host, uns)] = l = [];
            l.Add(new Candidate(d, new NsRef(d.Host, uns), place));
        }

        // the tunnel edges drawn so far, from → to (a pair gets one edge)
        var drawn = new PairSet(t.Base?.TunnelPairs ?? 0, all.Count);
        // in a re-link: the devices whose join was made again (a device whose far end's join came first and was made again
        // is made again too: its edge depends on that join's match and edges)
        var redone = new HashSet<DeviceRef>();
        var fdbLinker = new FdbTunnelLinker(t, byUnderlay, drawn, all.Count);
        var across = t.Across;
        bool replaying = across is { Replaying: true };
        // the original's places → the re-link's: without them no join with a remote is replayed (its pair could not be noted)
        int[]? placeNow = replaying ? across!.PlaceNow : null;
        Func<Host, bool>? hostTouched = replaying ? across!.HostTouched : null;
        Func<IPAddress, bool>? addressTouched = replaying ? across!.AddressTouched : null;
        for (int place = 0; place < all.Count; place++)
        {
            var (d, underlay, _) = all[place];
            var vx = d.Link.Vxlan;
            TunnelJoin join;
            if (vx?.Remote is not { } remote)
            {
                // FDB ends read every owner of every entry's dst: made again in every re-link
                bool fdb = vx is not null && vx.Group is null && vx.External != true;
                join = AcrossReplay.Join<TunnelJoin>(t, JoinKind.Tunnel, d, d.Host, _ => !fdb, old =>
                {
                    if (replaying) redone.Add(d);
                    // a device of a host the re-link left alone keeps each FDB end whose dst's owners did not change
                    var keep = old is { EndPlaces: { } places } && !hostTouched!(d.Host) && across!.PlaceNow is { } now
                        ? new FdbTunnelLinker.Kept(old.Match.FdbEnds, places, now, addressTouched!) : null;
                    return WithoutRemote(t, d, place, vx, underlay, fdbLinker, keep);
                }); // replayed only without FDB ends: no tunnel edge then
            }
            else
            {
                bool replayed = false;
                join = AcrossReplay.Join<TunnelJoin>(t, JoinKind.Tunnel, d, d.Host,
                    j => replayed = placeNow is not null && (j.DrewTo < 0 || placeNow[j.DrewTo] >= 0) && !addressTouched!(remote)
                        && !Any(j.Hosts, hostTouched!) && !Any(j.Backs, addressTouched) && (j.Match.Far is not { } far || !redone.Contains(far)),
                    _ =>
                    {
                        if (replaying) redone.Add(d);
                        return WithRemote(t, d, place, vx, remote, underlay, byUnderlay, drawn);
                    });
                // the replayed join's edge ends on a host the re-link left alone: the pair is noted at its places now
                if (replayed && join.DrewTo >= 0) drawn.Add(place, placeNow![join.DrewTo]);
            }
            t.Tunnels[d] = join.Match;
        }
        t.TunnelPairs = Math.Max(drawn.Count, fdbLinker.Pairs);
        return all;
    }

    private static bool Any<T>(T[] items, Func<T, bool> test)
    {
        foreach (var x in items) if (test(x)) return true;
        return false;
    }

    /// <summary>A VXLAN device whose socket lives in a given underlay namespace, with its place in the link's list of VXLAN
    /// devices (<see cref="PairSet"/>).</summary>
    internal readonly record struct Candidate(DeviceRef Dev, NsRef Underlay, int Place);

    /// <summary>
    /// Pairs of VXLAN devices (from, to), each device named by its place in the list <see cref="LinkTunnels"/> makes (a
    /// flannel mesh of 1,000 nodes meets a million pairs, in the full link and in every re-link): a bit per possible pair
    /// while that takes at most 8 MiB (a mesh of 1,000 devices: 125 KiB, in cache), else a hashed number per pair.
    /// </summary>
    internal sealed class PairSet
    {
        private const long MaxBits = 1L << 26;
        private readonly int _n;
        private readonly ulong[]? _bits;
        private readonly HashSet<long>? _pairs;
        /// <param name="capacity">how many pairs to expect (the hashed form's starting size)</param>
        /// <param name="devices">how many devices the list holds</param>
        public PairSet(int capacity, int devices)
        {
            _n = devices;
            if ((long)_n * _n <= MaxBits) _bits = new ulong[((long)_n * _n + 63) / 64];
            else _pairs = new HashSet<long>(capacity);
        }

        public int Count { get; private set; }

        public bool Add(int from, int to)
        {
            if (_bits is null)
            {
                if (!_pairs!.Add(Key(from, to))) return false;
            }
            else
            {
                long i = (long)from * _n + to;
                ulong mask = 1UL << (int)(i & 63);
                ref ulong word = ref _bits[i >> 6];
                if ((word & mask) != 0) return false;
                word |= mask;
            }
            Count++;
            return true;
        }

        public bool Contains(int from, int to)
        {
            if (_bits is null) return _pairs!.Contains(Key(from, to));
            long i = (long)from * _n + to;
            return (_bits[i >> 6] & (1UL << (int)(i & 63))) != 0;
        }

        /// <summary>One number per pair: FROM in the high half, TO mixed with a multiple of FROM in the low (still one number per
        /// pair), so that the hash of a long (its halves xor-ed) spreads a mesh's pairs: the plain (FROM, TO) would give all
        /// million pairs of a 1,000-device mesh about a thousand hashes.</summary>
        private static long Key(int from, int to) => ((long)from << 32) | (uint)(to ^ (int)((uint)from * 0x9E3779B1u));
    }

    /// <summary>Adds a tunnel edge from the device at place <paramref name="from"/> (to the one at <paramref name="to"/>, when
    /// the edge has an end there) and notes it drawn.</summary>
    internal static void AddTunnelEdge(Topology t, PairSet drawn, Edge e, int from, int to)
    {
        Linker.AddEdge(t, e);
        if (e.To is not null) drawn.Add(from, to);
    }

    private static TunnelJoin WithoutRemote(Topology t, DeviceRef d, int place, VxlanInfo? vx, NsRef? underlay, FdbTunnelLinker fdbLinker,
        FdbTunnelLinker.Kept? keep)
    {
        bool fdbOnly = vx?.Group is null && vx?.External != true;
        int[]? places = null;
        var match = new TunnelMatch(d, underlay, null, null, [])
        {
            FdbEnds = fdbOnly && vx is not null ? fdbLinker.Ends(d, place, underlay, keep, out places) : [],
        };
        t.Tunnels[d] = match;
        if (fdbOnly)
            t.AllAssumptions.Add(new Assumption("VXLAN device without a remote or group: far ends come from FDB entries only", d, d.Link.Source));
        return new TunnelJoin(match, [], [], places);
    }

    private static TunnelJoin WithRemote(Topology t, DeviceRef d, int place, VxlanInfo vx, IPAddress remote, NsRef? underlay,
        Dictionary<(Host, NetNamespace), List<Candidate>> byUnderlay, PairSet drawn)
    {
        // The namespaces that own the remote address (normally one: the far host's underlay).
        var farUnderlays = t.OwnersOf(remote).Select(o => o.Device.Namespace).Distinct().ToList();
        if (farUnderlays.Count == 0)
        {
            var none = new TunnelMatch(d, underlay, null, null, []);
            t.Tunnels[d] = none;
            Linker.AddEdge(t, new Edge(EdgeKind.Tunnel, d, null, Label(vx),
                $"remote {remote} is not an address of any host in the input"));
            return new TunnelJoin(none, [], []);
        }
        DeviceRef? far = null;
        NsRef? farUnderlay = null;
        int farPlace = -1, missPlace = -1;
        var misses = new List<TunnelMismatch>();
        var backs = new List<IPAddress>();
        foreach (var fu in farUnderlays)
        {
            if (!byUnderlay.TryGetValue((fu.Host, fu.Ns), out var candidates)) continue;
            foreach (var (c, _, cPlace) in candidates)
            {
                if (c == d) continue;
                if (c.Link.Vxlan?.Remote is { } back) backs.Add(back);
                var reason = Mismatch(t, vx, underlay, c.Link.Vxlan);
                if (reason is null && far is null) { far = c; farUnderlay = fu; farPlace = cPlace; }
                else if (reason is not null)
                {
                    if (misses.Count == 0) missPlace = cPlace;
                    misses.Add(new TunnelMismatch(c, reason));
                }
            }
            farUnderlay ??= fu;
        }
        var match = new TunnelMatch(d, underlay, far, farUnderlay, misses);
        t.Tunnels[d] = match;
        int drewTo = -1;
        if (far is not null)
        {
            if (DeviceRef.CompareKeys(d, far) < 0 || !t.Tunnels.TryGetValue(far, out var back) || back.Far != d)
                if (!drawn.Contains(farPlace, place))
                {
                    AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, far, Label(vx)), place, farPlace);
                    drewTo = farPlace;
                }
        }
        else
        {
            var why = misses.Count > 0
                ? string.Join("; ", misses.Select(m => $"{m.Far}: {m.Reason}"))
                : $"no VXLAN device has its socket in {string.Join(" or ", farUnderlays)} (the owner of {remote})";
            AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, misses.Count == 1 ? misses[0].Far : null, Label(vx), "tunnel far end does not match: " + why),
                place, missPlace);
            if (misses.Count == 1) drewTo = missPlace;
        }
        var hosts = new List<Host>(farUnderlays.Count);
        foreach (var fu in farUnderlays)
            if (!hosts.Exists(h => ReferenceEquals(h, fu.Host))) hosts.Add(fu.Host);
        return new TunnelJoin(match, [.. hosts], [.. backs], DrewTo: drewTo);
    }

    /// <summary>The namespace holding the device's UDP socket (an assumption when guessed or unknown), and the edge to
    /// the underlay device its packets leave by.</summary>
    private static UnderlayPart Underlay(Topology t, DeviceRef d)
    {
        var (uns, why) = Linker.ResolveLinkNamespace(t, d.Host, d.Ns, d.Link);
        if (uns is null && GuessUnderlay(t, d) is { } guess)
        {
            uns = guess.Ns;
            t.AllAssumptions.Add(new Assumption(
                $"VXLAN underlay namespace: {why}; assumed {guess}, {(guess.Ns.IsRoot ? "the host's root namespace, which" : "the only namespace that")} has a route to the remote", d, d.Link.Source));
        }
        if (uns is null)
        {
            t.AllAssumptions.Add(new Assumption($"VXLAN underlay namespace unknown: {why}", d, d.Link.Source));
            return new UnderlayPart(null, null);
        }
        return new UnderlayPart(uns, LinkUnderlayDevice(t, d, new NsRef(d.Host, uns)));
    }

    /// <summary>
    /// When the input does not say where an x-netns device's socket lives: the root namespace if it
    /// routes the remote (devices are normally created there), else the one other namespace that does.
    /// </summary>
    private static NsRef? GuessUnderlay(Topology t, DeviceRef d)
    {
        if (d.Link.Vxlan?.Remote is not { } remote) return null;
        var routing = d.Host.Namespaces.Where(n => n != d.Ns && Forwarding.Fib.MainRoute(t, n, remote) is not null).ToList();
        var pick = routing.FirstOrDefault(n => n.IsRoot) ?? (routing.Count == 1 ? routing[0] : null);
        return pick is null ? null : new NsRef(d.Host, pick);
    }

    /// <summary>
    /// The edge from a VXLAN device to the underlay device its packets leave by: "dev X" when given,
    /// else the underlay namespace's route to the remote. x-netns devices always get the edge (an
    /// unresolved one names the namespace); same-namespace ones only when the device is known.
    /// </summary>
    private static DeviceRef? LinkUnderlayDevice(Topology t, DeviceRef d, NsRef uns)
    {
        var vx = d.Link.Vxlan;
        var where = uns.Ns != d.Ns ? $"udp socket in {uns.Ns.DisplayName}" : "udp socket";
        if (vx?.UnderlayIndex is { } ui && t.Device(uns.Host, uns.Ns, ui) is { } byIndex)
        {
            Linker.AddEdge(t, new Edge(EdgeKind.TunnelUnderlay, d, byIndex, where));
            return byIndex;
        }
        if (vx?.UnderlayDevice is { } un && t.Device(uns, un) is { } byName)
        {
            Linker.AddEdge(t, new Edge(EdgeKind.TunnelUnderlay, d, byName, where));
            return byName;
        }
        var target = vx?.Remote ?? vx?.Group;
        var routed = target is null ? null : Forwarding.Fib.OutDevice(t, uns, target);
        if (routed is not null)
            Linker.AddEdge(t, new Edge(EdgeKind.TunnelUnderlay, d, routed, $"{where} (route to {target})"));
        else if (uns.Ns != d.Ns)
            Linker.AddEdge(t, new Edge(EdgeKind.TunnelUnderlay, d, null, where,
                target is null ? null : $"no route to {target} in {uns}: which underlay device carries the tunnel is unknown"));
        return routed;
    }

    private static string Label(VxlanInfo? vx) => $"vxlan vni {vx?.Vni?.ToString() ?? "?"} port {vx?.DstPort ?? DefaultPort}";

    /// <summary>Why the candidate is not this device's far end; null when it is.</summary>
    private static string? Mismatch(Topology t, VxlanInfo vx, NsRef? underlay, VxlanInfo? far)
    {
        if (far is null) return "VXLAN details not shown";
        var reasons = new List<string>();
        if (far.Vni != vx.Vni) reasons.Add($"VNI {far.Vni} ≠ {vx.Vni}");
        if ((far.DstPort ?? DefaultPort) != (vx.DstPort ?? DefaultPort)) reasons.Add($"dstport {far.DstPort ?? DefaultPort} ≠ {vx.DstPort ?? DefaultPort}");
        if (far.Remote is { } back && underlay is not null && !Linker.IsOwnedBy(t, back, underlay))
            reasons.Add($"its remote {back} is not an address of {underlay}");
        return reasons.Count == 0 ? null : string.Join(", ", reasons);
    }
}
