namespace NetSleuth.Diagnosis.Checks;

/// <summary>faults.md #5: the two ends of a tunnel use different VNIs; the far kernel finds no device for the packets (point-to-point pairs; in a flannel-style FDB mesh, the one device unlike its peers: FdbMeshMismatch).</summary>
internal sealed class VxlanVniCheck : ICheck
{
    public string Id => "vxlan-vni-mismatch";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var p in TunnelPairs.Of(ctx))
        {
            var (a, b) = (p.Kept, p.Fixed);
            if (a.Link.Vxlan?.Vni is not { } want || b.Link.Vxlan?.Vni is not { } have || want == have) continue;
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"VXLAN VNI mismatch: {a} uses {want}, {b} uses {have}",
                Explanation = $"{a} and {b} point at each other's underlay, but {a.Link.Name} sends VNI {want} and {b.Link.Name} listens for {have}. " +
                    $"The encapsulated UDP reaches {b.Host.Name}, whose kernel finds no VXLAN device for VNI {want} and drops it: nothing ever " +
                    $"appears on {b.Link.Name}. The kernel cannot change a VNI in place, so {b.Link.Name} is recreated with VNI {want} " +
                    "(and its MAC, addresses, routes and tc redirects restored).",
                Evidence = [Ev.Device(a), Ev.Device(b)],
                Fix = VxlanRecreate.Steps(b, ctx.Topology.Tunnel(b)?.Underlay, vni: want),
                RootCause = "vxlan-vni:" + p.Key,
                Devices = [b, a],
            };
        }
        foreach (var f in FdbMeshMismatch.Vni(ctx, Id)) yield return f;
    }
}
