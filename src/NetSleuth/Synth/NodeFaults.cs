using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>Faults in a node's own tables: links, routes, neighbours, sysctls.</summary>
internal static class NodeFaults
{
    /// <summary>#10: a pod's host-side veth is down; the pod's eth0 loses carrier.</summary>
    public static PlacedFault LinkDown(FaultContext c)
    {
        var pod = c.AnyPod();
        pod.HostVeth.Flags = ["BROADCAST", "MULTICAST"];
        pod.HostVeth.OperState = "DOWN";
        pod.Eth0.Flags = ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"];
        pod.Eth0.OperState = "LOWERLAYERDOWN";
        if (pod.OvsPort is { } port) port.Interfaces[0].LinkState = "down";
        return new PlacedFault(10, "link-down", c.Node, "root", pod.HostVeth.Name, null,
            $"{pod.HostVeth.Name} (host end of pod {Addressing.Ip(pod.Ip)}) is down");
    }

    /// <summary>#11: the route that carries traffic to other nodes' pods is gone (flannel: one peer's; OVN-K: the cluster route via mp0).</summary>
    public static PlacedFault MissingRoute(FaultContext c)
    {
        var root = c.Unit.Root.Ns;
        Route route;
        if (c.Plan.IsBridge)
        {
            uint net = c.Plan.HostSubnet(c.OtherNode());
            var dest = Addressing.Prefix(net, 24);
            route = root.Routes.First(r => r.Destination == dest && r.Device == "flannel.1");
        }
        else
        {
            var dest = Addressing.Prefix(Addressing.ClusterNetwork, Addressing.ClusterLength);
            route = root.Routes.First(r => r.Destination == dest && r.Table == RouteTables.Main);
        }
        root.Routes.Remove(route);
        return new PlacedFault(11, "missing-route", c.Node, "root", route.Device, route.ToString(),
            $"no route {route.Destination} via {route.Device}: that traffic leaves by the default route instead");
    }

    /// <summary>#11: a blackhole route for another node's pod subnet.</summary>
    public static PlacedFault Blackhole(FaultContext c)
    {
        int other = c.OtherNode();
        var route = new Route
        {
            Type = RouteTypes.Blackhole, Destination = Addressing.Prefix(c.Plan.HostSubnet(other), c.Plan.HostSubnetLength),
            Protocol = "static", Scope = "global", Source = CollectSources.Routes,
        };
        // as `ip route replace` does: a route to the same destination in the table (flannel's per-node route) gives way
        c.Unit.Root.Ns.Routes.RemoveAll(r => r.Table == route.Table && r.Destination == route.Destination);
        c.Unit.Root.Ns.Routes.Add(route);
        return new PlacedFault(11, "blackhole-route", c.Node, "root", null, route.ToString(),
            $"blackhole route swallows the pods of {Addressing.NodeName(other)}");
    }

    /// <summary>#12: flannel's permanent neighbour for one peer's flannel.1 address is missing.</summary>
    public static PlacedFault MissingPermanentNeighbour(FaultContext c)
    {
        int other = c.OtherNode();
        var ip = Addressing.Ip(c.Plan.HostSubnet(other));
        var n = c.Unit.Root.Ns.Neighbors.First(x => x.Device == "flannel.1" && x.Address.Equals(ip));
        c.Unit.Root.Ns.Neighbors.Remove(n);
        return new PlacedFault(12, "missing-permanent-neighbour", c.Node, "root", "flannel.1", n.ToString(),
            $"no permanent neighbour {ip} on flannel.1 (nolearning: no ARP answers over the tunnel)");
    }

    /// <summary>#13: the node's neighbour entry for a local pod is FAILED or INCOMPLETE.</summary>
    public static PlacedFault FailedNeighbour(FaultContext c)
    {
        var pod = c.AnyPod();
        var n = pod.RootNeighbor;
        n.Mac = null;
        n.State = [c.Rng.Next(2) == 0 ? "FAILED" : "INCOMPLETE"];
        return new PlacedFault(13, "failed-neighbour", c.Node, "root", n.Device, n.ToString(),
            $"neighbour entry for pod {n.Address} is {n.State[0]}");
    }

    /// <summary>#15: the node stops forwarding.</summary>
    public static PlacedFault IpForwardOff(FaultContext c)
    {
        var s = c.Unit.Root.Ns.Sysctls;
        foreach (var key in s.Keys.Where(k => k == "net.ipv4.ip_forward" || k.EndsWith(".forwarding", StringComparison.Ordinal)).ToList())
            s[key] = "0";
        return new PlacedFault(15, "ip-forward-off", c.Node, "root", null, "net.ipv4.ip_forward = 0",
            "the node does not forward between its pods and the rest of the cluster");
    }
}
