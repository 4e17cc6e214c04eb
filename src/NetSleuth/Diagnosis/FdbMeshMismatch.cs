using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>
/// faults.md #5 and #6 in a flannel-style mesh: one FDB-driven device whose VNI or UDP port differs from
/// what its peers use. Each peer's frames go to a socket that drops them (no device for the VNI, or no
/// socket on the port), and the peers' frames are lost here the same way. The kernel cannot change
/// either in place: the odd device is recreated with the peers' value, and everything it had restored.
/// </summary>
internal static class FdbMeshMismatch
{
    public static IEnumerable<Finding> Vni(DiagnosisContext ctx, string id)
    {
        foreach (var m in FdbMesh.Of(ctx))
        {
            if (FdbMesh.OddOneOut(m, p => p.Link.Vxlan?.Vni) is not { } odd) continue;
            var d = m.Device;
            uint have = d.Link.Vxlan!.Vni!.Value;
            var (end, peer) = m.Peers.First(p => p.Peer == odd.Example);
            yield return Make(ctx, id, d, peer, end, odd.Count, m,
                $"VXLAN VNI mismatch: {d} uses VNI {have}, {Peers(odd.Count, peer)} {(odd.Count == 1 ? "uses" : "use")} {odd.Value}",
                $"{d.Link.Name} sends VNI {have}, but {Peers(odd.Count, peer)} listen for VNI {odd.Value}: the encapsulated UDP reaches their " +
                $"nodes on port {end.Port}, whose kernels find no VXLAN device for VNI {have} and drop it (nothing appears on their {peer.Link.Name}), " +
                $"and what they send with VNI {odd.Value} is dropped here the same way. The kernel cannot change a VNI in place, so {d.Link.Name} " +
                $"is recreated with VNI {odd.Value}",
                VxlanRecreate.Steps(d, ctx.Topology.Tunnel(d)?.Underlay, vni: odd.Value), "vxlan-vni:");
        }
    }

    public static IEnumerable<Finding> Port(DiagnosisContext ctx, string id)
    {
        foreach (var m in FdbMesh.Of(ctx))
        {
            if (FdbMesh.OddOneOut(m, p => (int?)(p.Link.Vxlan?.DstPort ?? TunnelLinker.DefaultPort)) is not { } odd) continue;
            var d = m.Device;
            int have = d.Link.Vxlan!.DstPort ?? TunnelLinker.DefaultPort;
            var (end, peer) = m.Peers.First(p => p.Peer == odd.Example);
            yield return Make(ctx, id, d, peer, end, odd.Count, m,
                $"VXLAN dstport mismatch: {d} sends to and listens on UDP {have}, {Peers(odd.Count, peer)} {(odd.Count == 1 ? "uses" : "use")} {odd.Value}",
                $"{d.Link.Name} encapsulates to UDP port {have}, but {Peers(odd.Count, peer)} listen on {odd.Value}: their kernels have no socket " +
                $"on {have} and answer with ICMP port unreachable on the underlay, and what they send to {odd.Value} finds no socket here. " +
                $"A VXLAN port cannot be changed in place, so {d.Link.Name} is recreated with dstport {odd.Value}",
                VxlanRecreate.Steps(d, ctx.Topology.Tunnel(d)?.Underlay, port: odd.Value), "vxlan-port:");
        }
    }

    private static string Peers(int count, DeviceRef example) =>
        count == 1 ? $"its FDB peer {example}" : $"its {count} FDB peers (e.g. {example})";

    private static Finding Make(DiagnosisContext ctx, string id, DeviceRef d, DeviceRef peer, FdbTunnelEnd end, int count, FdbMesh.Member m,
        string title, string explanation, List<FixStep> fix, string cause)
    {
        bool two = m.Peers.Select(p => p.Peer).Distinct().Count() == 1;
        return new Finding
        {
            Id = id,
            Severity = Severity.Error,
            Title = title,
            Explanation = explanation + " (its MAC, addresses, routes, permanent neighbours and FDB entries restored, so the peers' entries for it stay valid)." +
                (two ? " With a single peer nothing says which end is right; changing the other end instead works as well." : ""),
            Evidence = [Ev.Device(d), Ev.Device(peer, count == 1 ? "its FDB peer" : $"one of {count} FDB peers that agree"), FdbMesh.Ev(d.Namespace, end.Entry)],
            Fix = fix,
            RootCause = cause + d.Key,
            Devices = [d, peer],
        };
    }
}
