using NetSleuth.Model;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #19: a VXLAN device's UDP socket lives in a namespace (x-netns: the one it was made in)
/// that has no route to the tunnel's remote: the encapsulated packets never leave.
/// </summary>
internal sealed class UnderlayRouteCheck : ICheck
{
    public string Id => "tunnel-underlay-no-route";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != LinkKinds.Vxlan || d.Link.Vxlan?.Remote is not { } remote) continue;
            if (ctx.Topology.Tunnel(d)?.Underlay is not { } u || !u.Ns.IsKnown(Sections.Routes4)) continue;
            var res = ctx.Route(u, remote);
            if (res.Found && !res.Blackholes) continue;
            var fix = RouteFix.ConnectedTo(ctx, u, remote, null);
            if (!seen.Add($"{u.Key}/{fix?.Args[2] ?? remote.ToString()}")) continue;
            var evidence = new List<Evidence> { Ev.Device(d) };
            if (res.Route is { } bad) evidence.Add(Ev.Route(u, bad));
            if (fix is { } f) evidence.Add(Ev.Device(f.Via, $"its subnet holds {remote}, but its connected route is missing"));
            var commands = new List<string>();
            if (res.Route is { } b) commands.Add(NsCommand.Ip(u, ["route", "del", .. NsCommand.RouteArgs(b)[2..]]));
            if (fix is { } ff) commands.Add(NsCommand.Ip(u, ff.Args));
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"{d}: its underlay namespace {u} has no route to the remote {remote}",
                Explanation = $"{d.Link.Name}'s UDP socket lives in {u}" + (u.Ns != d.Ns ? " (the namespace it was created in, not the one it is in now)" : "") +
                    $", and {u} has no usable route to {remote}" + (res.Route is { } x ? $" (`{x}`)" : "") +
                    ": every encapsulated packet fails with \"Network is unreachable\" and nothing leaves. " +
                    (fix is { } fx ? $"Put back the route through {fx.Via.Link.Name}." : $"Add a route to {remote} in {u} through the underlay gateway."),
                Evidence = evidence,
                Fix = commands.Count > 0 ? [NsCommand.Step(u, commands)] : [],
                Decide = fix is null ? [DiagnosisContext.Need(u, "ip route show table all; ip rule", $"shows the underlay gateway toward {remote}")] : [],
                RootCause = $"underlay:{u.Key}/{fix?.Args[2] ?? remote.ToString()}",
                Devices = [d, u],
            };
        }
    }
}
