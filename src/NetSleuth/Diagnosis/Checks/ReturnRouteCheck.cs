using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #11, the way back: a router R sends traffic for prefix Q (its route `Q via G`) on to its
/// other subnets; a namespace N on one of those subnets has no route covering Q (and no default), so
/// N's answers to Q have nowhere to go.
/// </summary>
internal sealed class ReturnRouteCheck : ICheck
{
    public string Id => "no-return-route";

    /// <summary>Follows gateways from a namespace holding an address of the prefix toward the target, up to 8 routers: does it pass R?</summary>
    private static bool PassesThrough(DiagnosisContext ctx, IpPrefix prefix, System.Net.IPAddress? target, NsRef r)
    {
        if (target is null) return false;
        // the start is the first holder of an address of the prefix outside R's namespace: the prefix's first holder, or
        // for R's own namespace the first holder outside it; the gateways followed depend on the start and the target
        // only, so each chain is followed once for every router that asks (a cluster's every node routes every other
        // node's pod subnet)
        var starts = ctx.Cache("return-route-starts", () => new Dictionary<IpPrefix, (DeviceRef? First, DeviceRef? Other)>());
        if (!starts.TryGetValue(prefix, out var s))
        {
            var first = PodIn(ctx, prefix, except: null);
            starts[prefix] = s = (first, first is { } f ? PodIn(ctx, prefix, except: f.Ns) : null);
        }
        var start = s.First is { } one && one.Ns != r.Ns ? one : s.First is null ? null : s.Other;
        if (start is not { } from) return false;
        var chains = ctx.Cache("return-route-chains", () => new Dictionary<(NetNamespace, System.Net.IPAddress), HashSet<NetNamespace>>());
        if (!chains.TryGetValue((from.Ns, target), out var visited))
        {
            visited = [];
            NsRef? ns = from.Namespace;
            for (int hop = 0; ns is not null && hop < 8 && visited.Add(ns.Ns); hop++)
            {
                var res = ctx.Route(ns, target);
                if (res.Route?.Gateway is not { } gw || res.Blackholes) break;
                ns = ctx.Topology.OwnersOf(gw).FirstOrDefault().Device?.Namespace;
            }
            chains[(from.Ns, target)] = visited;
        }
        return visited.Contains(r.Ns);
    }

    /// <summary>A device holding an address inside the prefix (the topology's address index) outside
    /// <paramref name="except"/>, among the first 64 of that namespace.</summary>
    private static DeviceRef? PodIn(DiagnosisContext ctx, IpPrefix prefix, NetNamespace? except)
    {
        int seen = 0;
        foreach (var (d, _) in ctx.Topology.AddressesIn(prefix))
        {
            if (d.Ns != except) return d;
            if (++seen >= 64) break;
        }
        return null;
    }

    private static (uint Network, int Length) Key(IfAddress a) =>
        (Forwarding.Fib.ToUint(a.Address) & (a.Prefix.Length == 0 ? 0 : uint.MaxValue << (32 - a.Prefix.Length)), a.Prefix.Length);

    /// <summary>A pod has one device on one subnet; a node or router has two or more (most namespaces of a cluster are pods).</summary>
    private static bool HasTwoSubnets(NetNamespace ns)
    {
        int n = 0;
        foreach (var l in ns.Links)
        {
            if (l.IsLoopback || !l.IsUp) continue;
            foreach (var a in l.Addresses)
                if (a.Prefix.IsV4 && a.Prefix.Length < 31 && DiagnosisContext.IsGlobal(a) && ++n >= 2) return true;
        }
        return false;
    }

    private static bool HasDefault(DiagnosisContext ctx, NetNamespace ns)
    {
        var memo = ctx.Cache("has-default-route", () => new Dictionary<NetNamespace, bool>());
        if (!memo.TryGetValue(ns, out var has))
            memo[ns] = has = ns.Routes.Any(r => r.Destination.IsDefault && r.IsV4 && r.Type == RouteTypes.Unicast);
        return has;
    }

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        // only the subnets of namespaces that route between two or more of them (nodes, routers) matter; keys
        // are (network, length) as integers, so the pass over every address of a cluster allocates nothing
        var routers = ctx.Namespaces.Where(r => HasTwoSubnets(r.Ns)).ToList();
        var wanted = new HashSet<(uint, int)>();
        foreach (var r in routers)
            foreach (var l in r.Ns.Links)
                foreach (var a in l.Addresses)
                    if (a.Prefix.IsV4 && a.Prefix.Length < 31) wanted.Add(Key(a));
        var bySubnet = new Dictionary<(uint, int), List<(DeviceRef Dev, IfAddress Addr)>>();
        foreach (var d in ctx.Devices)
        foreach (var a in d.Link.Addresses)
        {
            if (!a.Prefix.IsV4 || a.Prefix.Length >= 31 || !wanted.Contains(Key(a)) || !DiagnosisContext.IsGlobal(a)) continue;
            if (!bySubnet.TryGetValue(Key(a), out var l)) bySubnet[Key(a)] = l = [];
            l.Add((d, a));
        }
        // per subnet, once: its members without a default route (a cluster's underlay subnet holds every node, and
        // every node is a router on it)
        var routeless = new Dictionary<(uint, int), List<(DeviceRef Dev, IfAddress Addr)>>();
        List<(DeviceRef Dev, IfAddress Addr)> Routeless((uint, int) key)
        {
            if (routeless.TryGetValue(key, out var found)) return found;
            found = bySubnet.TryGetValue(key, out var m) ? m.Where(o => o.Dev.Ns.IsKnown(Sections.Routes4) && !HasDefault(ctx, o.Dev.Ns)).ToList() : [];
            routeless[key] = found;
            return found;
        }
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in routers)
        {
            var subnets = r.Ns.Links.Where(l => !l.IsLoopback && l.IsUp).SelectMany(l => l.Addresses.Select(a => (Link: l, Addr: a)))
                .Where(x => x.Addr.Prefix.IsV4 && x.Addr.Prefix.Length < 31 && DiagnosisContext.IsGlobal(x.Addr)).ToList();
            if (subnets.Count < 2) continue;
            // only namespaces without a default route can lack the way back: find them first (cheap), then look at R's routes
            var needy = subnets.Select(x => (x.Link, x.Addr, Members: Routeless(Key(x.Addr)).Where(o => o.Dev.Ns != r.Ns).ToList()))
                .Where(x => x.Members.Count > 0).ToList();
            if (needy.Count == 0) continue;
            foreach (var route in r.Ns.Routes)
            {
                if (route.Gateway is not { } gw || !route.IsV4 || route.Destination.IsDefault || route.Table == RouteTables.Local) continue;
                foreach (var (link, addr, members) in needy)
                {
                    if (Forwarding.Fib.Contains(addr.Prefix, gw)) continue; // the side the prefix lives on
                    foreach (var (dev, _) in members)
                    {
                        var n = dev.Namespace;
                        var back = ctx.Route(n, route.Destination.Address);
                        if (back.Route is not null) continue;
                        // only when traffic from the prefix goes to N through R (the pods' way out passes R)
                        if (!PassesThrough(ctx, route.Destination, dev.Link.Addresses.FirstOrDefault(a => a.Prefix.IsV4)?.Address, r)) continue;
                        if (!reported.Add($"{n.Key}/{route.Destination}")) continue;
                        yield return new Finding
                        {
                            Id = Id,
                            Severity = Severity.Error,
                            Title = $"{n} has no route back to {route.Destination} (reached through {r})",
                            Explanation = $"{r} routes `{route}` and forwards that traffic onto {addr.Prefix.Network} ({link.Name}), where {n} is. " +
                                $"{n} has no route to {route.Destination} and no default route, so its answers fail with \"Network is unreachable\": " +
                                $"requests arrive, replies never leave. Route {route.Destination} back through {r} ({addr.Address}).",
                            Evidence = [Ev.Route(r, route), Ev.Address(ctx.Topology.Device(r, link.Name)!, addr), Ev.Device(dev, $"in {n}, no route to {route.Destination}")],
                            Fix = [NsCommand.Step(n, [NsCommand.Ip(n, "route", "replace", route.Destination.ToRouteString(), "via", addr.Address.ToString())])],
                            RootCause = $"route:{n.Key}/{route.Destination}",
                            Devices = [dev, n],
                        };
                    }
                }
            }
        }
    }
}
