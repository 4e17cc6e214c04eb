using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>A neighbour entry and where a frame to its MAC ends up.</summary>
/// <param name="Owner">the device on the path that has the entry's MAC (the one the sender resolved), if any</param>
internal sealed record NeighborPath(NsRef Ns, Neighbor Entry, DeviceRef Device, Forwarding.L2Result Walk, DeviceRef? Owner);

/// <summary>Walks every usable neighbour entry once; the neighbour checks share the result.</summary>
internal static class NeighborPaths
{
    /// <summary>How many namespaces one worker walks at a time (a flannel node's root holds a thousand entries, a pod one).</summary>
    private const int Block = 64;

    /// <summary>In namespace order, then entry order. The walks read only the frozen topology: blocks of namespaces are walked
    /// on every core (a flannel mesh of 1,000 nodes has a million entries, walked while the checks wait).</summary>
    public static IReadOnlyList<NeighborPath> Of(DiagnosisContext ctx) => ctx.Cache("neighbor-paths", () =>
    {
        var namespaces = ctx.Namespaces;
        var blocks = new List<NeighborPath>?[(namespaces.Count + Block - 1) / Block];
        Parallel.For(0, blocks.Length, b =>
        {
            List<NeighborPath>? found = null;
            for (int i = b * Block; i < Math.Min(namespaces.Count, (b + 1) * Block); i++)
                Walk(ctx, namespaces[i], ref found);
            blocks[b] = found;
        });
        var result = new List<NeighborPath>(blocks.Sum(x => x?.Count ?? 0));
        foreach (var found in blocks)
            if (found is not null) result.AddRange(found);
        return result;
    });

    private static void Walk(DiagnosisContext ctx, NsRef ns, ref List<NeighborPath>? found)
    {
        foreach (var n in ns.Ns.Neighbors)
        {
            if (!n.IsUsable || n.Mac is not { } mac || mac.IsMulticast || mac.IsZero || n.Proxy) continue;
            if (n.State.Contains("NOARP")) continue;
            if (ctx.Topology.Device(ns, n.Device) is not { } dev) continue;
            var walk = ctx.L2Path(dev, egress: true, mac);
            DeviceRef? owner = null;
            foreach (var d in walk.Path)
                if (d.Link.Mac == mac && d != dev) { owner = d; break; }
            (found ??= []).Add(new NeighborPath(ns, n, dev, walk, owner));
        }
    }

    /// <summary>"ovn-k8s-mp0 → mp0-br → … → podvm:podns:vxlan0" with the kind of each step.</summary>
    public static string Describe(Topology.Topology t, IReadOnlyList<DeviceRef> path)
    {
        var parts = new List<string>();
        for (int i = 0; i < path.Count; i++)
        {
            var d = path[i];
            string how = "";
            if (i > 0)
            {
                var prev = path[i - 1];
                if (prev.Host != d.Host) how = "(tunnel) ";
                else if (t.EdgesFrom(prev).Any(e => e.Kind == EdgeKind.TcRedirect && e.To == d)) how = "(tc redirect) ";
            }
            parts.Add(how + (i == 0 || path[i - 1].Host != d.Host || path[i - 1].Ns != d.Ns ? d.ToString() : d.Link.Name));
        }
        return string.Join(" → ", parts);
    }
}
