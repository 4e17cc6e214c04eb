using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>A VXLAN device and a device at its remote that does not match it; <see cref="Fixed"/> is the end a fix changes.</summary>
internal sealed record TunnelPair(DeviceRef Near, DeviceRef Far, string Reason)
{
    /// <summary>The end without tc glue: the pod side (redirects from/to the tunnel) is taken as the design, the other end follows it.</summary>
    public DeviceRef Fixed => HasGlue(Far) && !HasGlue(Near) ? Near : Far;
    public DeviceRef Kept => Fixed == Far ? Near : Far;
    public string Key => string.CompareOrdinal(Near.Key, Far.Key) < 0 ? $"{Near.Key}|{Far.Key}" : $"{Far.Key}|{Near.Key}";

    private static bool HasGlue(DeviceRef d) =>
        d.Ns.Filters.Any(f => f.Device == d.Link.Name || f.Actions.Any(a => a.TargetDevice == d.Link.Name));
}

internal static class TunnelPairs
{
    /// <summary>Every unmatched tunnel and its near misses, each pair once.</summary>
    public static IReadOnlyList<TunnelPair> Of(DiagnosisContext ctx) => ctx.Cache("tunnel-pairs", () =>
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<TunnelPair>();
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != Model.LinkKinds.Vxlan || ctx.Topology.Tunnel(d) is not { Far: null } m) continue;
            foreach (var miss in m.NearMisses)
            {
                // the far device is matched with another end: not this one's peer
                if (ctx.Topology.Tunnel(miss.Far)?.Far is not null) continue;
                // the two ends name each other's underlay (or one of them names nobody's): a pair meant to be one tunnel
                if (!PointsAt(ctx, d, miss.Far) && !PointsAt(ctx, miss.Far, d)) continue;
                if (!PointsAt(ctx, d, miss.Far) || !PointsAt(ctx, miss.Far, d))
                    if (!RemoteOwnedByNobody(ctx, d) && !RemoteOwnedByNobody(ctx, miss.Far)) continue;
                var p = new TunnelPair(d, miss.Far, miss.Reason);
                if (seen.Add(p.Key)) list.Add(p);
            }
        }
        return list;
    });

    private static bool PointsAt(DiagnosisContext ctx, DeviceRef from, DeviceRef to) =>
        from.Link.Vxlan?.Remote is { } r && ctx.Topology.Tunnel(to)?.Underlay is { } u && Topology.Linker.IsOwnedBy(ctx.Topology, r, u);

    private static bool RemoteOwnedByNobody(DiagnosisContext ctx, DeviceRef d) =>
        d.Link.Vxlan?.Remote is { } r && ctx.Topology.OwnersOf(r).Count == 0;
}
