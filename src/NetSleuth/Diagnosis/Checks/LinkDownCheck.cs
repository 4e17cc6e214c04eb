using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #10: a device that takes part in a path (it has an address, a veth peer, a master, ports,
/// a tunnel or a tc redirect) is administratively down. Its partners' "no carrier" is a symptom of
/// the same cause and is listed as evidence, not reported again.
/// </summary>
internal sealed class LinkDownCheck : ICheck
{
    public string Id => "link-down";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var t = ctx.Topology;
        foreach (var d in ctx.Devices)
        {
            var l = d.Link;
            if (l.IsLoopback || l.IsUp || l.Flags.Count == 0) continue;
            bool hasAddress = l.Addresses.Any(DiagnosisContext.IsGlobal);
            // an OVS bridge's own internal device is down in many healthy setups (OVN-Kubernetes' br-int): the datapath forwards anyway
            if (t.EdgesTo(d).Any(e => e.Kind == EdgeKind.OvsPort) || d.Ns.Ovs?.Bridges.Any(b => b.Name == l.Name) == true) continue;
            var related = t.EdgesFrom(d).Concat(t.EdgesTo(d)).Where(e => e.Kind is not EdgeKind.Underlay && e.To is not null).ToList();
            if (!hasAddress && related.Count == 0) continue;
            var partners = related.Select(e => e.From == d ? e.To! : e.From).Distinct().ToList();
            // a down device whose every partner is down too is a switched-off corner, unless it carries an address
            if (!hasAddress && partners.All(p => !p.Link.IsUp)) continue;
            var evidence = new List<Evidence> { Ev.Device(d) };
            foreach (var p in partners.Take(4))
                evidence.Add(Ev.Device(p, p.Link.IsUp && !p.Link.HasCarrier ? "no carrier because of it" : RelationOf(related, d, p)));
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"{d} is down",
                Explanation = $"{l.Name} is administratively down, so nothing passes it" +
                    (hasAddress ? $" and its addresses ({string.Join(", ", l.Addresses.Where(DiagnosisContext.IsGlobal).Select(a => a.Prefix))}) have no route" : "") +
                    (partners.Count > 0 ? $"; it is linked to {string.Join(", ", partners.Take(4))}" : "") +
                    ". Bring it up (routes that went away with it, other than the connected ones, must be added again).",
                Evidence = evidence,
                Fix = [NsCommand.Step(d.Namespace, [NsCommand.Ip(d.Namespace, "link", "set", "dev", l.Name, "up")])],
                RootCause = "link:" + d.Key,
                Devices = [d, .. partners.Select(p => (Topology.Place)p)],
            };
        }
    }

    private static string RelationOf(List<Edge> edges, DeviceRef d, DeviceRef p) =>
        edges.First(e => e.From == p || e.To == p).Kind switch
        {
            EdgeKind.Veth => "its veth peer",
            EdgeKind.BridgePort or EdgeKind.OvsPort => d.Link.Master is not null ? "its bridge" : "a port of it",
            EdgeKind.TcRedirect => "glued to it by tc",
            EdgeKind.Tunnel => "the tunnel's other end",
            _ => "linked to it",
        };
}
