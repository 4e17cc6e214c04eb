using NetSleuth.Model;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #12 in a flannel-style mesh: a route "PEER-NET via GW dev flannel.1 onlink" works only
/// through a permanent neighbour entry GW → the peer's flannel.1 MAC. The device has no remote, no
/// default (all-zeros) FDB entry and nolearning: an ARP request for GW is broadcast, finds no FDB
/// entry and is dropped, so the gateway never resolves and nothing reaches the peer's pods.
/// </summary>
internal sealed class VxlanNeighborCheck : ICheck
{
    public string Id => "neighbor-permanent-missing";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
        {
            if (!(ns.Ns.IsKnown(Sections.Neighbors) || ns.Ns.IsKnown(Sections.Neighbors4)) || !ns.Ns.IsKnown(Sections.Fdb) || !ns.Ns.Links.Any(FdbDriven)) continue;
            // indexes once per namespace: a flannel node has one route, neighbour and FDB entry per peer
            var usable = ns.Ns.Neighbors.Where(n => n.IsUsable).Select(n => (n.Device, n.Address)).ToHashSet();
            var fdbOf = ns.Ns.Fdb.Where(f => f.Dst is not null).ToLookup(f => f.Device, StringComparer.Ordinal);
            foreach (var r in ns.Ns.Routes)
            {
                if (r.Gateway is not { } gw || r.Device is not { } devName || r.Type != RouteTypes.Unicast || !ns.Ns.NeighborsKnown(gw)) continue;
                if (ctx.Topology.Device(ns, devName) is not { } dev || !FdbDriven(dev.Link)) continue;
                if (usable.Contains((devName, gw))) continue;
                var fdb = fdbOf[devName].ToList();
                if (fdb.Any(f => f.Mac.IsZero)) continue; // ARP is flooded to the default destinations and may be answered
                var peer = ctx.Topology.OwnersOf(gw).Select(o => o.Device).FirstOrDefault(o => o.Link.Kind == LinkKinds.Vxlan && o != dev);
                var commands = new List<string>();
                var evidence = new List<Evidence> { Ev.Route(ns, r), Ev.Device(dev) };
                if (peer?.Link.Mac is { } mac)
                {
                    commands.Add(NsCommand.Ip(ns, "neigh", "replace", gw.ToString(), "lladdr", mac.ToString(), "dev", devName, "nud", "permanent"));
                    evidence.Add(Ev.Device(peer, $"owns {gw}: its MAC is the one the entry needs"));
                    if (fdb.FirstOrDefault(f => f.Mac == mac) is { } entry) evidence.Add(FdbMesh.Ev(ns, entry));
                    else if (FdbMesh.UnderlayAddress(ctx, peer) is { } dst)
                        commands.Add(NsCommand.Bridge(ns, "fdb", "append", mac.ToString(), "dev", devName, "dst", dst.ToString(), "self", "permanent"));
                }
                var stale = ns.Ns.Neighbors.FirstOrDefault(n => n.Address.Equals(gw) && n.Device == devName);
                if (stale is not null) evidence.Add(Ev.Neighbor(ns, stale));
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{ns}: route via {gw} on {devName} has no permanent neighbour entry for the gateway",
                    Explanation = $"{ns} routes `{r}` through {devName}, a VXLAN device without a remote whose frames go where its FDB says " +
                        $"(nolearning, no default entry). ARP for {gw} is broadcast, no FDB entry takes it and it is dropped: {gw} never resolves " +
                        $"and nothing reaches {r.Destination}. The design keeps a permanent entry {gw} → " +
                        (peer?.Link.Mac is { } m ? $"{peer}'s MAC {m}." : "the MAC of the VXLAN device that owns it, which is not in the input."),
                    Evidence = evidence,
                    Fix = commands.Count == 0 ? [] : [NsCommand.Step(ns, commands)],
                    Decide = peer is null
                        ? [new MissingInput($"the host that owns {gw}", null, "ip -d link show; ip -d addr", $"shows the MAC {gw}'s permanent neighbour entry needs")]
                        : [],
                    RootCause = $"neigh:{ns.Key}/{devName}/{gw}",
                    Devices = [dev, .. peer is null ? Array.Empty<Topology.Place>() : [peer]],
                };
            }
        }
    }

    /// <summary>A VXLAN device whose far ends come from its FDB only: no remote, no group, not external (metadata).</summary>
    private static bool FdbDriven(Link l) =>
        l.Kind == LinkKinds.Vxlan && l.Vxlan is { Remote: null, Group: null } vx && vx.External != true;
}
