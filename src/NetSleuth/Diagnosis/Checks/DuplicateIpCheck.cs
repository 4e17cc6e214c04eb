using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #14: one address held by two devices in one L2 domain (joined by veth, bridge ports,
/// tunnels, tc redirects and underlay subnets). A device whose ingress tc redirects away never answers
/// for its address (the pod eth0 of peer pods), so it is not counted as an owner.
/// </summary>
internal sealed class DuplicateIpCheck : ICheck
{
    public string Id => "duplicate-ip";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        UnionFind? domains = null;
        foreach (var (ip, owners) in ctx.Topology.Owners)
        {
            if (owners.Count < 2 || IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal) continue;
            var live = owners.Where(o => !o.Device.Link.IsLoopback && DiagnosisContext.IsGlobal(o.Address) && !ctx.IngressRedirectedAway(o.Device) && !Glued(ctx, o.Device)).ToList();
            if (live.Count < 2) continue;
            domains ??= Build(ctx);
            foreach (var group in live.GroupBy(o => domains.Find(o.Device)))
            {
                var g = group.ToList();
                if (g.Count < 2 || g.Select(o => o.Device.Namespace.Key).Distinct().Count() < 2) continue;
                var keep = g[0];
                var drop = g[1];
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{ip} is held by {string.Join(" and ", g.Select(o => o.Device.ToString()))} in one L2 domain",
                    Explanation = $"Several devices that can hear each other's ARP hold {ip}. Whoever answers ARP last wins, so traffic to {ip} " +
                        "flaps between them. Remove the address from all but one (the commands remove the second one listed).",
                    Evidence = g.Select(o => Ev.Address(o.Device, o.Address)).ToList(),
                    Fix = [NsCommand.Step(drop.Device.Namespace, [NsCommand.Ip(drop.Device.Namespace, "addr", "del", drop.Address.Prefix.ToString(), "dev", drop.Device.Link.Name)])],
                    RootCause = $"dup:{ip}/{keep.Device.Key}",
                    Devices = g.Select(o => (NetSleuth.Topology.Place)o.Device).ToList(),
                };
            }
        }
    }

    /// <summary>A device that tc mirred glues to another (either way) is half of one logical link, whatever state the redirect back is in.</summary>
    private static bool Glued(DiagnosisContext ctx, DeviceRef d) =>
        ctx.Topology.EdgesFrom(d).Concat(ctx.Topology.EdgesTo(d)).Any(e => e.Kind == EdgeKind.TcRedirect);

    private static UnionFind Build(DiagnosisContext ctx)
    {
        var uf = new UnionFind();
        foreach (var e in ctx.Topology.Edges)
            if (e.To is { } to && e.Kind is EdgeKind.Veth or EdgeKind.BridgePort or EdgeKind.OvsPort or EdgeKind.Tunnel or EdgeKind.TcRedirect or EdgeKind.Underlay)
                uf.Union(e.From, to);
        return uf;
    }

    private sealed class UnionFind
    {
        private readonly Dictionary<DeviceRef, DeviceRef> _parent = new();

        public DeviceRef Find(DeviceRef d)
        {
            if (!_parent.TryGetValue(d, out var p)) return d;
            if (p == d) return d;
            var root = Find(p);
            _parent[d] = root;
            return root;
        }

        public void Union(DeviceRef a, DeviceRef b)
        {
            var ra = Find(a);
            var rb = Find(b);
            if (ra != rb) _parent[ra] = rb;
            _parent.TryAdd(rb, rb);
        }
    }
}
