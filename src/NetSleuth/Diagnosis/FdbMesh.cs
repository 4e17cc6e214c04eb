using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>
/// Flannel-style VXLAN meshes: devices without a remote whose far ends come from FDB entries
/// ("MAC dev flannel.1 dst NODE-IP self permanent"), and for each the devices its entries reach
/// (the matching far end, else the near misses at the entry's dst).
/// </summary>
internal static class FdbMesh
{
    /// <summary>One FDB-driven device and the VXLAN devices its entries reach, with the entry that reaches each.</summary>
    public sealed record Member(DeviceRef Device, IReadOnlyList<(FdbTunnelEnd End, DeviceRef Peer)> Peers);

    public static IReadOnlyList<Member> Of(DiagnosisContext ctx) => ctx.Cache("fdb-mesh", () =>
    {
        var list = new List<Member>();
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != LinkKinds.Vxlan || ctx.Topology.Tunnel(d) is not { FdbEnds.Count: > 0 } m) continue;
            var peers = new List<(FdbTunnelEnd, DeviceRef)>();
            foreach (var e in m.FdbEnds)
            {
                if (e.Far is { } far) peers.Add((e, far));
                else foreach (var miss in e.NearMisses) peers.Add((e, miss.Far));
            }
            list.Add(new Member(d, peers));
        }
        return list;
    });

    /// <summary>
    /// The value most of the device's peers share, when it differs from the device's own and outnumbers the
    /// peers that agree with the device (with a single peer nothing says which end is right: the end with
    /// the later key is the one changed).
    /// </summary>
    public static (T Value, int Count, DeviceRef Example)? OddOneOut<T>(Member m, Func<DeviceRef, T?> value) where T : struct
    {
        if (value(m.Device) is not { } own) return null;
        var peers = m.Peers.Select(p => p.Peer).Distinct().ToList();
        var groups = peers.Where(p => value(p) is not null).GroupBy(p => value(p)!.Value).OrderByDescending(g => g.Count()).ToList();
        if (groups.Count == 0 || groups[0].Key.Equals(own)) return null;
        int agree = peers.Count(p => value(p) is { } v && v.Equals(own));
        var top = groups[0];
        if (top.Count() <= agree) return null;
        if (peers.Count == 1 && string.CompareOrdinal(m.Device.Key, top.First().Key) < 0) return null;
        return (top.Key, top.Count(), top.First());
    }

    /// <summary>The address a peer's frames should be sent to: its VXLAN local, else a global address of its underlay namespace.</summary>
    public static IPAddress? UnderlayAddress(DiagnosisContext ctx, DeviceRef peer)
    {
        if (peer.Link.Vxlan?.Local is { } local) return local;
        if (ctx.Topology.Tunnel(peer)?.Underlay is not { } u) return null;
        if (peer.Link.Vxlan?.UnderlayIndex is { } ui && ctx.Topology.Device(u.Host, u.Ns, ui) is { } dev &&
            dev.Link.Addresses.FirstOrDefault(a => DiagnosisContext.IsGlobal(a) && a.Prefix.IsV4) is { } onDev)
            return onDev.Address;
        return u.Ns.Links.Where(l => !l.IsLoopback && l.Kind != LinkKinds.Vxlan).SelectMany(l => l.Addresses)
            .FirstOrDefault(a => DiagnosisContext.IsGlobal(a) && a.Prefix.IsV4)?.Address;
    }

    /// <summary>The VXLAN device (other than <paramref name="d"/>) that has the MAC: the peer an FDB entry means.</summary>
    public static DeviceRef? DeviceWithMac(DiagnosisContext ctx, DeviceRef d, MacAddress mac) => ctx.Cache("vxlan-by-mac", () =>
    {
        var map = new Dictionary<MacAddress, List<DeviceRef>>();
        foreach (var x in ctx.Devices)
            if (x.Link.Kind == LinkKinds.Vxlan && x.Link.Mac is { } m)
            {
                if (!map.TryGetValue(m, out var l)) map[m] = l = [];
                l.Add(x);
            }
        return map;
    }).TryGetValue(mac, out var list) ? list.FirstOrDefault(x => x != d) : null;

    /// <summary>"MAC dev DEV dst IP [vni N] [port N] FLAGS", as `bridge fdb show` prints it.</summary>
    public static string Text(FdbEntry f) =>
        $"{f.Mac} dev {f.Device}" + (f.Dst is null ? "" : $" dst {f.Dst}") + (f.Vni is null ? "" : $" vni {f.Vni}") +
        (f.Port is null ? "" : $" port {f.Port}") + (f.Flags.Count == 0 ? "" : " " + string.Join(' ', f.Flags));

    public static Evidence Ev(NsRef ns, FdbEntry f) =>
        new(ns.Host.Name, ns.Ns.IsRoot ? null : ns.Ns.DisplayName, "fdb", Text(f), f.Source);
}
