namespace NetSleuth.Diagnosis.Checks;

/// <summary>faults.md #6: the two ends of a tunnel use different UDP destination ports (point-to-point pairs; in a flannel-style FDB mesh, the one device unlike its peers: FdbMeshMismatch).</summary>
internal sealed class VxlanPortCheck : ICheck
{
    public string Id => "vxlan-dstport-mismatch";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var p in TunnelPairs.Of(ctx))
        {
            var (a, b) = (p.Kept, p.Fixed);
            int want = a.Link.Vxlan?.DstPort ?? 8472, have = b.Link.Vxlan?.DstPort ?? 8472;
            if (want == have) continue;
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"VXLAN dstport mismatch: {a} sends to UDP {want}, {b} listens on {have}",
                Explanation = $"{a.Link.Name} encapsulates to UDP port {want}, but {b.Link.Name}'s socket on {b.Host.Name} listens on {have} " +
                    $"(and sends to {have}). The far kernel has no socket on {want} and answers with ICMP port unreachable on the underlay. " +
                    $"A VXLAN port cannot be changed in place, so {b.Link.Name} is recreated with dstport {want}.",
                Evidence = [Ev.Device(a), Ev.Device(b)],
                Fix = VxlanRecreate.Steps(b, ctx.Topology.Tunnel(b)?.Underlay, port: want),
                RootCause = "vxlan-port:" + p.Key,
                Devices = [b, a],
            };
        }
        foreach (var f in FdbMeshMismatch.Port(ctx, Id)) yield return f;
    }
}
