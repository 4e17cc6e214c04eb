using NetSleuth.Model;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #12: a route through a gateway nobody owns (EKS/Calico pods: `default via 169.254.1.1 dev
/// eth0`) works only through a permanent neighbour entry, or proxy ARP on the veth's other end. With
/// neither, ARP for the gateway is never answered and the pod has no egress.
/// </summary>
internal sealed class PermanentNeighborCheck : ICheck
{
    public string Id => "neighbor-permanent-missing";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
        {
            if (ns.Ns.IsRoot || !(ns.Ns.IsKnown(Sections.Neighbors) || ns.Ns.IsKnown(Sections.Neighbors4))) continue;
            foreach (var r in ns.Ns.Routes)
            {
                if (r.Gateway is not { } gw || r.Device is not { } devName || !ns.Ns.NeighborsKnown(gw)) continue;
                if (ctx.Topology.OwnersOf(gw).Count > 0) continue;
                if (ns.Ns.Neighbors.Any(n => n.Address.Equals(gw) && n.Device == devName && n.IsUsable)) continue;
                if (ctx.Topology.Device(ns, devName) is not { } dev || ctx.Topology.VethPeer(dev) is not { } peer) continue;
                // only gateways outside every subnet of the device: the design answers them by a static entry or proxy ARP
                if (dev.Link.Addresses.Any(a => a.Prefix.Length < a.Prefix.MaxLength && Forwarding.Fib.Contains(a.Prefix, gw))) continue;
                var proxy = ctx.ConfMax(peer.Ns, peer.Link.Name, "proxy_arp");
                if (proxy is > 0) continue;
                if (peer.Link.Mac is not { } mac) continue;
                var decide = proxy is null
                    ? new List<MissingInput> { DiagnosisContext.Need(peer.Namespace, $"sysctl net.ipv4.conf.{peer.Link.Name}.proxy_arp", "proxy ARP on the peer would answer instead") }
                    : [];
                yield return new Finding
                {
                    Id = Id,
                    Severity = proxy is null ? Severity.Warning : Severity.Error,
                    Title = $"{ns}: route via {gw} on {devName} has no permanent neighbour entry for the gateway",
                    Explanation = $"{ns} routes `{r}`, but no device in the input owns {gw}: the design answers it with a permanent neighbour " +
                        $"entry pointing at the veth's other end ({peer}, MAC {mac})" +
                        (proxy is null ? " or proxy ARP there (not in the input)" : " or proxy ARP there, which is off") +
                        $". Without either, ARP for {gw} is never answered and nothing leaves {ns}.",
                    Evidence = [Ev.Route(ns, r), Ev.Device(dev), Ev.Device(peer, "the gateway's MAC in this design"),
                        Ev.Sysctl(peer.Namespace, $"net.ipv4.conf.{peer.Link.Name}.proxy_arp", proxy?.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                    Fix = [NsCommand.Step(ns, [NsCommand.Ip(ns, "neigh", "replace", gw.ToString(), "lladdr", mac.ToString(), "dev", devName, "nud", "permanent")])],
                    Decide = decide,
                    RootCause = $"neigh:{ns.Key}/{devName}/{gw}",
                    Devices = [dev, peer, ns],
                };
            }
        }
    }
}
