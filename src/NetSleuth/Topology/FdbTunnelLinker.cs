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
internal sealed class FdbTunnelLinker(Topology t, Dictionary<(Host, NetNamespace), List<(DeviceRef Dev, NsRef Underlay)>> byUnderlay,
    HashSet<(DeviceRef, DeviceRef)> drawn)
{
    /// <summary>Tunnel edges drawn so far, either way round: a pair of devices gets one edge.</summary>
    private readonly HashSet<(DeviceRef, DeviceRef)> _drawn = new(t.Base?.TunnelPairs ?? 0);

    /// <summary>How many pairs were drawn (a re-link's sets start that big: a flannel mesh of 1,000 nodes draws a million).</summary>
    public int Pairs => _drawn.Count;
    /// <summary>The last edge label made (a mesh uses one VNI and port throughout).</summary>
    private (uint? Vni, int Port, string Text)? _label;

    public IReadOnlyList<FdbTunnelEnd> Ends(DeviceRef d, NsRef? underlay)
    {
        var vx = d.Link.Vxlan!;
        var ends = new List<FdbTunnelEnd>();
        foreach (var entry in d.Ns.Fdb)
        {
            if (entry.Device != d.Link.Name || entry.Dst is not { } dst) continue;
            uint? vni = entry.Vni ?? vx.Vni;
            int port = entry.Port ?? vx.DstPort ?? TunnelLinker.DefaultPort;
            var owners = t.OwnersOf(dst);
            DeviceRef? far = null;
            List<TunnelMismatch>? misses = null;
            for (int i = 0; i < owners.Count; i++)
            {
                var o = owners[i].Device;
                bool seen = false;
                for (int j = 0; j < i && !seen; j++) seen = owners[j].Device.Host == o.Host && owners[j].Device.Ns == o.Ns;
                if (seen || !byUnderlay.TryGetValue((o.Host, o.Ns), out var candidates)) continue;
                // several devices could match: the one whose MAC the entry holds receives the frames
                var ordered = candidates.Count == 1 ? candidates : ByMac(candidates, entry.Mac);
                foreach (var (c, _) in ordered)
                {
                    if (c == d) continue;
                    var reason = Mismatch(d, underlay, vni, port, c);
                    if (reason is null) far ??= c;
                    else (misses ??= []).Add(new TunnelMismatch(c, reason));
                }
            }
            var end = new FdbTunnelEnd(entry, dst, vni, port, owners.Count > 0 ? owners[0].Device.Namespace : null, far, misses ?? (IReadOnlyList<TunnelMismatch>)[]);
            ends.Add(end);
            AddEdge(d, end, owners.Count > 0);
        }
        return ends;
    }

    private void AddEdge(DeviceRef d, FdbTunnelEnd end, bool owned)
    {
        if (_label is not { } cached || cached.Vni != end.Vni || cached.Port != end.Port)
            _label = cached = (end.Vni, end.Port, $"vxlan vni {end.Vni?.ToString() ?? "?"} port {end.Port} via fdb");
        string label = cached.Text;
        if (end.Far is { } far)
        {
            if (_drawn.Add((d, far)) && !_drawn.Contains((far, d)))
                TunnelLinker.AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, far, label));
            return;
        }
        string what = $"fdb entry {end.Entry.Mac} dst {end.Dst}";
        string why = !owned ? $"{what}: {end.Dst} is not an address of any host in the input"
            : end.NearMisses.Count > 0 ? $"{what}: tunnel far end does not match: " + string.Join("; ", end.NearMisses.Select(m => $"{m.Far}: {m.Reason}"))
            : $"{what}: no VXLAN device has its socket where {end.Dst} is";
        TunnelLinker.AddTunnelEdge(t, drawn, new Edge(EdgeKind.Tunnel, d, end.NearMisses.Count == 1 ? end.NearMisses[0].Far : null, label, why));
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
    private static List<(DeviceRef Dev, NsRef Underlay)> ByMac(List<(DeviceRef Dev, NsRef Underlay)> candidates, MacAddress mac) =>
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
                if (f.Dst is { } dst) map.TryAdd((f.Device, f.Mac), dst);
        }
        return map.TryGetValue((far.Link.Name, mac), out var back) ? back : null;
    }
}
