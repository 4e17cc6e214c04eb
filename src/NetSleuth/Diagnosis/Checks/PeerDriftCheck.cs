using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #11 and #15 seen across a cluster: hosts that play the same role (the same virtual devices in
/// their root namespace — br-int and ovn-k8s-mp0, cni0 and flannel.1, …) route the cluster's traffic the
/// same way. When all but one (or 10%) of at least four such hosts have a route (table, type, destination,
/// device) and one host has no route to that destination at all, its traffic goes elsewhere — a fault
/// its own tables cannot show. The same for net.ipv4.ip_forward. The fix is the peers' route, with the
/// gateway moved into this host's subnet when the peers' gateways sit at one offset of theirs.
/// </summary>
internal sealed class PeerDriftCheck : ICheck
{
    private const int MinGroup = 4;

    /// <summary>A value is the group's norm when the hosts without it are at most one, or at most 10% of the group.</summary>
    private static bool IsNorm(int have, int group) => have < group && group - have <= Math.Max(1, group / 10);

    public string Id => "differs-from-peers";

    private readonly record struct RouteKey(uint Table, string Type, IpPrefix Destination, string? Device);

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var groups = ctx.Topology.Hosts.Where(h => h.Root is not null)
            .GroupBy(h => Signature(h.Root!), StringComparer.Ordinal)
            .Where(g => g.Key.Length > 0 && g.Count() >= MinGroup);
        foreach (var g in groups)
        {
            var hosts = g.Select(h => new NsRef(h, h.Root!)).ToList();
            foreach (var f in Forwarding(hosts)) yield return f;
            foreach (var f in Routes(ctx, hosts)) yield return f;
        }
    }

    /// <summary>The kinds and names of the root namespace's virtual devices (not veths, which are per pod).</summary>
    private static string Signature(NetNamespace root) => string.Join(' ', root.Links
        .Where(l => l.Kind is { } k && k != LinkKinds.Veth && !l.IsLoopback)
        .Select(l => $"{l.Kind}:{l.Name}").Order(StringComparer.Ordinal));

    private static IEnumerable<Finding> Forwarding(List<NsRef> hosts)
    {
        const string key = "net.ipv4.ip_forward";
        int on = hosts.Count(h => h.Ns.Sysctl(key) == "1");
        if (!IsNorm(on, hosts.Count)) yield break;
        var peers = hosts.Where(h => h.Ns.Sysctl(key) == "1").Take(2).ToList();
        foreach (var h in hosts.Where(h => h.Ns.Sysctl(key) == "0"))
        {
            yield return new Finding
            {
                Id = "ip-forward-disabled",
                Severity = Severity.Error,
                Title = $"{h} has IP forwarding off, unlike {on} of the {hosts.Count} hosts with the same devices",
                Explanation = $"{h} has {key} = 0, so it drops every packet it would route between its devices — from its pods to the rest " +
                    $"of the network, and to its pods from elsewhere — while {on} of the {hosts.Count} hosts that have the same devices " +
                    $"({string.Join(", ", peers.Select(p => p.Host.Name))}, …) forward. Turn forwarding on.",
                Evidence = [Ev.Sysctl(h, key, "0"), .. peers.Select(p => Ev.Sysctl(p, key, "1"))],
                Fix = [NsCommand.Step(h, [NsCommand.Exec(h, "sysctl", "-w", key + "=1")])],
                RootCause = $"fwd:{h.Key}",
                Devices = [h],
            };
        }
    }

    private static IEnumerable<Finding> Routes(DiagnosisContext ctx, List<NsRef> hosts)
    {
        var count = new Dictionary<RouteKey, List<(NsRef Host, Route Route)>>();
        foreach (var h in hosts)
        foreach (var r in h.Ns.Routes)
        {
            if (r.Table == RouteTables.Local || !r.Destination.IsV4 || r.Flags.Contains("linkdown")) continue;
            var k = new RouteKey(r.Table, r.Type, r.Destination.Network, r.Device);
            if (!count.TryGetValue(k, out var l)) count[k] = l = [];
            if (l.Count == 0 || l[^1].Host != h) l.Add((h, r));
        }
        // the subnets each host has an address on, once (a host whose own subnet holds a destination reaches it another
        // way); looked up per route by the destination masked to each length present, not host by host per route
        var covering = new Dictionary<IpPrefix, List<int>>();
        var lengths = new SortedSet<int>();
        for (int i = 0; i < hosts.Count; i++)
        foreach (var l in hosts[i].Ns.Links)
        foreach (var a in l.Addresses)
        {
            if (!a.Prefix.IsV4) continue;
            var net = a.Prefix.Network;
            if (!covering.TryGetValue(net, out var on)) covering[net] = on = [];
            if (on.Count == 0 || on[^1] != i) on.Add(i);
            lengths.Add(net.Length);
        }
        var connected = new HashSet<int>();
        foreach (var (k, have) in count)
        {
            var holders = have.Select(x => x.Host.Ns).ToHashSet();
            connected.Clear();
            foreach (int len in lengths)
            {
                if (len > k.Destination.Length) break;
                if (covering.TryGetValue(new IpPrefix(IpPrefix.Mask(k.Destination.Address, len), len), out var on)) connected.UnionWith(on);
            }
            // the group is the hosts that could have the route: not those whose own subnet holds the destination (a node
            // reaches its own pod subnet on its bridge, the others through the tunnel), so on five nodes one node without
            // the route to another's pods is still one of four, not two of five
            int group = hosts.Count;
            foreach (int i in connected) if (!holders.Contains(hosts[i].Ns)) group--;
            if (group < MinGroup || !IsNorm(have.Count, group)) continue;
            for (int i = 0; i < hosts.Count; i++)
            {
                var h = hosts[i];
                if (holders.Contains(h.Ns) || !h.Ns.IsKnown(Sections.Routes4)) continue;
                if (h.Ns.Routes.Any(r => r.Table == k.Table && r.Destination.Network == k.Destination)) continue;
                if (connected.Contains(i)) continue; // its own subnet: routed another way on purpose
                var probe = Probe(ctx, h, k.Destination);
                var instead = ctx.Route(h, probe);
                if (instead.Route is { Type: RouteTypes.Unicast } same && same.Device == k.Device && k.Device is not null) continue;
                yield return Missing(h, k, have, instead, group);
            }
        }
    }

    /// <summary>An address inside the prefix to ask the FIB about: a pod address of another host there (what
    /// the route is for), else the first host address.</summary>
    private static IPAddress Probe(DiagnosisContext ctx, NsRef h, IpPrefix p)
    {
        foreach (var (dev, addr) in ctx.PodsIn(p))
            if (dev.Host != h.Host) return addr.Address;
        uint lo = NetSleuth.Forwarding.Fib.ToUint(p.Network.Address);
        return FromUint(p.Length >= 31 ? lo : lo + 1);
    }

    private static IPAddress FromUint(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);

    private static Finding Missing(NsRef h, RouteKey k, List<(NsRef Host, Route Route)> have, NetSleuth.Forwarding.FibResult instead, int groupSize)
    {
        var sample = have[0];
        var route = Translate(h, k, have);
        var commands = route is null ? [] : new List<string> { NsCommand.Ip(h, ["route", "add", .. NsCommand.RouteArgs(route)[2..]]) };
        string goes = instead.Route is { } r ? $"that traffic follows `{r}` instead"
            : instead.Rule is { Action: not "to_tbl" } rule ? $"rule `{rule}` decides that traffic instead"
            : "no route matches that traffic (Network is unreachable)";
        var evidence = new List<Evidence> { Ev.Route(sample.Host, sample.Route) };
        if (have.Count > 1) evidence.Add(Ev.Route(have[1].Host, have[1].Route));
        if (instead.Route is { } ir) evidence.Add(Ev.Route(h, ir));
        return new Finding
        {
            Id = "missing-route",
            Severity = Severity.Error,
            Title = $"{h} has no route {k.Destination}{(k.Device is null ? "" : " dev " + k.Device)}, which {have.Count} of the {groupSize} hosts with the same devices have",
            Explanation = $"{have.Count} of the {groupSize} hosts that have the same devices as {h.Host.Name} route {k.Destination} " +
                $"{(k.Device is null ? "" : $"through {k.Device} ")}(e.g. {sample.Host.Host.Name}: `{sample.Route}`); {h.Host.Name} has no route " +
                $"to that destination, so {goes}. " +
                (route is null ? "Add the route the peers have, with this host's own gateway." : "Add the route, with this host's gateway."),
            Evidence = evidence,
            Fix = commands.Count > 0 ? [NsCommand.Step(h, commands)] : [],
            RootCause = $"peer-route:{h.Key}/{k.Table}/{k.Destination}",
            Devices = k.Device is not null && h.Ns.FindLink(k.Device) is { } link ? [h, new NetSleuth.Topology.Place(h.Host, h.Ns, link)] : [h],
        };
    }

    /// <summary>The peers' route for this host: the same gateway when they all use one, else the gateway at
    /// the same offset in this host's subnet of the device; null when neither can be told.</summary>
    private static Route? Translate(NsRef h, RouteKey k, List<(NsRef Host, Route Route)> have)
    {
        var r0 = have[0].Route;
        IPAddress? gw = null;
        var gateways = have.Select(x => x.Route.Gateway).Distinct().ToList();
        if (gateways is [var only]) gw = only;
        else if (k.Device is { } dev && Offset(have, dev) is { } offset && DeviceNetwork(h.Ns, dev) is { } net)
            gw = FromUint(net + offset);
        else return null;
        if (k.Device is not null && h.Ns.FindLink(k.Device) is null) return null;
        return new Route
        {
            Type = r0.Type, Destination = k.Destination, Table = k.Table, Gateway = gw, Device = k.Device, Protocol = r0.Protocol,
            Scope = r0.Scope, Metric = r0.Metric, Mtu = r0.Mtu, Flags = r0.Flags.Where(f => f == "onlink").ToList(),
        };
    }

    /// <summary>The gateway's offset in the subnet of the device's address, when it is one for every peer.</summary>
    private static uint? Offset(List<(NsRef Host, Route Route)> have, string dev)
    {
        uint? offset = null;
        foreach (var (host, route) in have.Take(50))
        {
            if (route.Gateway is not { } gw || DeviceNetwork(host.Ns, dev) is not { } net) return null;
            uint o = NetSleuth.Forwarding.Fib.ToUint(gw) - net;
            if (offset is { } known && known != o) return null;
            offset = o;
        }
        return offset;
    }

    private static uint? DeviceNetwork(NetNamespace ns, string dev) =>
        ns.FindLink(dev)?.Addresses.FirstOrDefault(a => a.Prefix.IsV4 && a.Prefix.Length < 32) is { } a
            ? NetSleuth.Forwarding.Fib.ToUint(a.Prefix.Network.Address) : null;
}
