using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #15: another namespace routes through an address of this one (it is the gateway), but
/// this namespace has net.ipv4.ip_forward=0, so the packets die here.
/// </summary>
internal sealed class ForwardingCheck : ICheck
{
    public string Id => "ip-forward-disabled";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var found = new Dictionary<NetNamespace, Finding>();
        foreach (var m in ctx.Namespaces)
        foreach (var r in m.Ns.Routes)
        {
            if (r.Gateway is not { } gw || !r.IsV4 || r.Table == RouteTables.Local) continue;
            foreach (var (owner, _) in ctx.Topology.OwnersOf(gw))
            {
                var n = owner.Namespace;
                if (n.Ns == m.Ns || ctx.Topology.Sysctl(n.Ns, "net.ipv4.ip_forward") != "0") continue;
                // a host route to the gateway's own namespace needs no forwarding
                if (r.Destination.Length == 32 && Linker.IsOwnedBy(ctx.Topology, r.Destination.Address, n)) continue;
                if (found.TryGetValue(n.Ns, out var f))
                {
                    if (f.Evidence.Count < 6) f.Evidence.Add(Ev.Route(m, r));
                    continue;
                }
                found[n.Ns] = new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{n} routes for others (gateway {gw}) but has IP forwarding off",
                    Explanation = $"{m} sends `{r}` through {gw}, an address of {owner}. {n} has net.ipv4.ip_forward = 0, so it accepts " +
                        "packets for itself only and drops every packet it would have to forward: the path dies at this router. Turn forwarding on.",
                    Evidence = [Ev.Sysctl(n, "net.ipv4.ip_forward", "0"), Ev.Address(owner, owner.Link.Addresses.First(a => a.Address.Equals(gw))), Ev.Route(m, r)],
                    Fix = [NsCommand.Step(n, [NsCommand.Exec(n, "sysctl", "-w", "net.ipv4.ip_forward=1")])],
                    RootCause = $"fwd:{n.Key}",
                    Devices = [owner, n],
                };
            }
        }
        return found.Values;
    }
}
