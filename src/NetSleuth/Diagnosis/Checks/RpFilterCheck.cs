using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #16: namespace M sends into interface I of namespace N (its route's gateway is I's
/// address); N filters strictly (rp_filter=1 on I) and its route back to M's address leaves by another
/// interface, so N drops M's packets as spoofed.
/// </summary>
internal sealed class RpFilterCheck : ICheck
{
    public string Id => "rp-filter-drop";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in ctx.Namespaces)
        foreach (var r in m.Ns.Routes)
        {
            if (r.Gateway is not { } gw || !r.IsV4 || r.Table == RouteTables.Local) continue;
            foreach (var (iface, _) in ctx.Topology.OwnersOf(gw))
            {
                var n = iface.Namespace;
                if (n.Ns == m.Ns || ctx.ConfMax(n.Ns, iface.Link.Name, "rp_filter") != 1) continue;
                // M's packets carry M's own addresses (replies come from the address asked for), or the route's preferred source
                var sources = m.Ns.Links.Where(l => !l.IsLoopback).SelectMany(l => l.Addresses).Where(a => DiagnosisContext.IsGlobal(a) && a.Prefix.IsV4)
                    .Select(a => a.Address).Take(8).ToList();
                if (r.PrefSrc is { } ps && !sources.Contains(ps)) sources.Add(ps);
                foreach (var src in sources)
                {
                    var back = ctx.Route(n, src, iif: iface.Link.Name);
                    if (back.Route?.Device is not { } backDev || backDev == iface.Link.Name) continue;
                    if (!seen.Add($"{n.Key}/{iface.Link.Name}/{src}")) continue;
                    yield return new Finding
                    {
                        Id = Id,
                        Severity = Severity.Error,
                        Title = $"{n} drops {m}'s packets from {src} on {iface.Link.Name}: strict rp_filter, the way back is {backDev}",
                        Explanation = $"{m} routes `{r}`, so its packets (source {src}) arrive at {n} on {iface.Link.Name}. {n}'s route back to " +
                            $"{src} leaves by {backDev}, not {iface.Link.Name}, and reverse-path filtering is strict (rp_filter = 1) there, so the " +
                            "kernel drops them as spoofed: traffic works one way only. Loosen rp_filter to 2 on that interface (and in conf.all, " +
                            "which the kernel combines by maximum), or make the routing symmetric.",
                        Evidence = [Ev.Route(m, r), Ev.Device(iface), Ev.Route(n, back.Route),
                            Ev.Sysctl(n, "net.ipv4.conf.all.rp_filter", n.Ns.Sysctl("net.ipv4.conf.all.rp_filter")),
                            Ev.Sysctl(n, $"net.ipv4.conf.{iface.Link.Name}.rp_filter", n.Ns.Sysctl($"net.ipv4.conf.{iface.Link.Name}.rp_filter"))],
                        Fix = [NsCommand.Step(n, [
                            NsCommand.Exec(n, "sysctl", "-w", "net.ipv4.conf.all.rp_filter=2"),
                            NsCommand.Exec(n, "sysctl", "-w", $"net.ipv4.conf.{iface.Link.Name}.rp_filter=2")])],
                        RootCause = $"rp:{n.Key}/{iface.Link.Name}",
                        Devices = [iface, n],
                    };
                }
            }
        }
    }
}
