using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #11: the host's root namespace has no route (or a blackhole, or a policy rule into an
/// empty table) to a pod address it is linked to — the pod's veth peer, or the bridge it hangs on, is
/// in the root namespace. Pods that miss the same route are one finding.
/// </summary>
internal sealed class RouteCheck : ICheck
{
    public string Id => "no-route, route-blackhole";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var byCause = new Dictionary<string, Finding>(StringComparer.Ordinal);
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (pod.Host.Root is not { } r) continue;
            var root = new NsRef(pod.Host, r);
            if (!HasVethIntoRoot(ctx, pod)) continue;
            if (!r.IsKnown(Sections.Routes4) && addr.Prefix.IsV4) continue;
            var x = addr.Address;
            var res = ctx.Route(root, x);
            if (res.Found && !res.Blackholes) continue;
            var fix = RouteFix.ConnectedTo(ctx, root, x, pod);
            var key = $"route:{root.Key}/{fix?.Args[2] ?? x.ToString()}";
            if (byCause.TryGetValue(key, out var existing)) { existing.BrokenPaths.Add($"{root} → {x}"); continue; }
            var commands = new List<string>();
            if (res.Route is { } bad) commands.Add(NsCommand.Ip(root, ["route", "del", .. NsCommand.RouteArgs(bad)[2..]]));
            if (fix is { } f) commands.Add(NsCommand.Ip(root, f.Args));
            var evidence = new List<Evidence> { Ev.Address(pod, addr) };
            if (res.Route is { } b) evidence.Add(Ev.Route(root, b));
            if (res.Rule is { Action: not "to_tbl" } rule) evidence.Add(Ev.Rule(root, rule));
            evidence.AddRange(res.EmptyTables.Select(e => Ev.Rule(root, e)));
            if (fix is { } ff) evidence.Add(Ev.Device(ff.Via, "the way to the pod"));
            string blocked = res.Route is { } br ? $"its route is `{br}`, which drops the packets"
                : res.Rule is { Action: not "to_tbl" } rr ? $"policy rule `{rr}` drops them"
                : "no route matches" + (res.EmptyTables.Count > 0 ? $" (rule `{res.EmptyTables[0]}` points to a table with no routes)" : "");
            var finding = new Finding
            {
                Id = res.Found || res.Rule is { Action: not "to_tbl" } ? "route-blackhole" : "no-route",
                Severity = Severity.Error,
                Title = $"{root} has no usable route to {x} ({pod})",
                Explanation = $"{pod} holds {x} and is linked into {root}, but in {root} {blocked}: \"Network is unreachable\". " +
                    (fix is { } fx ? $"Add the route through {fx.Via.Link.Name}." : "Add a route to it through the device that leads to the pod."),
                Evidence = evidence,
                Fix = commands.Count > 0 ? [NsCommand.Step(root, commands)] : [],
                BrokenPaths = [$"{root} → {x}"],
                RootCause = key,
                Devices = [root, pod, .. fix is { } v ? new Topology.Place[] { v.Via } : []],
            };
            byCause[key] = finding;
        }
        return byCause.Values;
    }

    /// <summary>True when the pod's device is a veth whose peer is in the host's root namespace (directly or as a bridge port there).</summary>
    private static bool HasVethIntoRoot(DiagnosisContext ctx, DeviceRef pod) =>
        ctx.Topology.VethPeer(pod) is { } peer && peer.Ns.IsRoot && peer.Host == pod.Host;
}
