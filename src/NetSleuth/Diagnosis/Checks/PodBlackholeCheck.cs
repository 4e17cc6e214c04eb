using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #11 across hosts: a blackhole, unreachable or prohibit route that wins the lookup for pod
/// addresses held elsewhere (another node's pod subnet), so traffic from this namespace to those pods is
/// discarded. The root → own-pod case is <see cref="RouteCheck"/>'s; this one looks at every namespace
/// and every pod address of the input, by range, so its cost is the number of such routes times
/// log(pods) plus one lookup per victim found.
/// </summary>
internal sealed class PodBlackholeCheck : ICheck
{
    public string Id => "route-blackhole";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
        foreach (var r in ns.Ns.Routes)
        {
            if (r.Type is not (RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit) || !r.Destination.IsV4 || r.Table == RouteTables.Local)
                continue;
            var victims = new List<(DeviceRef Device, IfAddress Address)>();
            foreach (var (dev, addr) in ctx.PodsIn(r.Destination))
            {
                if (dev.Host == ns.Host && dev.Ns == ns.Ns) continue;
                // a pod hanging off this namespace by its veth is RouteCheck's finding
                if (dev.Host == ns.Host && ctx.Topology.VethPeer(dev) is { } peer && peer.Ns == ns.Ns) continue;
                if (ctx.Route(ns, addr.Address).Route != r) continue;
                victims.Add((dev, addr));
            }
            if (victims.Count == 0) continue;
            yield return Describe(ns, r, victims);
        }
    }

    private static Finding Describe(NsRef ns, Route r, List<(DeviceRef Device, IfAddress Address)> victims)
    {
        var hosts = victims.Select(v => v.Device.Host.Name).Distinct(StringComparer.Ordinal).ToList();
        var where = hosts.Count == 1 ? $"on {hosts[0]}" : $"on {hosts.Count} hosts ({string.Join(", ", hosts.Take(3))}{(hosts.Count > 3 ? ", …" : "")})";
        var evidence = new List<Evidence> { Ev.Route(ns, r) };
        evidence.AddRange(victims.Take(3).Select(v => Ev.Address(v.Device, v.Address)));
        var what = r.Type switch
        {
            RouteTypes.Blackhole => "is discarded silently",
            RouteTypes.Unreachable => "is refused with \"No route to host\"",
            _ => "is refused as \"administratively prohibited\"",
        };
        var addresses = victims.Select(v => v.Address.Address).Distinct().ToList();
        return new Finding
        {
            Id = "route-blackhole",
            Severity = Severity.Error,
            Title = $"{ns}: `{r}` swallows {addresses.Count} pod address(es) {where}",
            Explanation = $"In {ns} the most specific route to {r.Destination.Network} is `{r}`, so every packet from it to " +
                $"{string.Join(", ", addresses.Take(3))}{(addresses.Count > 3 ? ", …" : "")} (pods {where}) {what}. " +
                "Delete the route so the cluster route (or the default) carries that traffic again.",
            Evidence = evidence,
            Fix = [NsCommand.Step(ns, [NsCommand.Ip(ns, ["route", "del", .. NsCommand.RouteArgs(r)[2..]])])],
            RootCause = $"route:{ns.Key}/{r.Destination}/{r.Table}",
            Devices = [ns],
        };
    }
}
