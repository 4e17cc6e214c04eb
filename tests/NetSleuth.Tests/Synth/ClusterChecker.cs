using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Tests.Synth;

/// <summary>
/// Independent consistency checks over generated snapshots (what a live collect of real machines
/// would satisfy). Each problem is reported with the host it was seen on, so tests can tell whether
/// it is explained by a placed fault.
/// </summary>
internal static class ClusterChecker
{
    public sealed record Problem(string Host, string Namespace, string What)
    {
        public override string ToString() => $"{Host} [{Namespace}] {What}";
    }

    public static List<Problem> Check(Snapshot snap)
    {
        var problems = new List<Problem>();
        var owner = new Dictionary<IPAddress, Host>();
        foreach (var h in snap.Hosts)
            foreach (var a in h.Root!.Links.SelectMany(l => l.Addresses))
                if (!a.Address.ToString().StartsWith("127.", StringComparison.Ordinal)) owner.TryAdd(a.Address, h);
        foreach (var h in snap.Hosts)
            foreach (var ns in h.Namespaces)
            {
                void Add(string what) => problems.Add(new Problem(h.Name, ns.Id, what));
                CheckLinks(h, ns, Add);
                if (h.Name != "underlay-router") CheckRoutes(ns, Add);
                CheckTunnels(snap, owner, h, ns, Add);
                if (ns.IsRoot) CheckPodMacs(snap, h, Add);
                if (ns.Sysctl("net.ipv4.ip_forward") is "0" && h.Name.StartsWith("node-", StringComparison.Ordinal) && ns.IsRoot)
                    Add("ip_forward is 0 on a node");
                foreach (var n in ns.Neighbors.Where(n => !n.IsUsable)) Add($"neighbour {n} unusable");
                foreach (var r in ns.Iptables.SelectMany(t => t.Rules).Where(r => r.Target is "DROP" or "REJECT")) Add($"firewall {r}");
            }
        return problems;
    }

    private static void CheckLinks(Host h, NetNamespace ns, Action<string> add)
    {
        foreach (var l in ns.Links)
        {
            if (ns.Links.Count(x => x.Index == l.Index) != 1) add($"ifindex {l.Index} used twice");
            if (l.Master is { } m && ns.FindLink(m) is null) add($"{l.Name}: master {m} missing");
            bool downByDesign = l.Name is "ovs-system" or "br-int"; // OVS shows its datapath and bridge devices down
            if (!downByDesign && (!l.IsUp || !l.HasCarrier)) add($"{l.Name} down");
            if (l.Kind == LinkKinds.Veth)
            {
                var peerNs = l.LinkNamespace is null ? null : h.FindNamespace(l.LinkNamespace);
                var peer = peerNs?.FindLink(l.LinkIndex ?? -1);
                if (peer is null || peer.LinkIndex != l.Index || peer.LinkNamespace != ns.Id) { add($"{l.Name}: veth peer does not resolve"); continue; }
                var byId = ns.NetnsIds.FirstOrDefault(e => e.Id == l.LinkNetnsId);
                if (byId?.Namespace != peerNs!.Id) add($"{l.Name}: link-netnsid {l.LinkNetnsId} is not {peerNs.Id}");
                if (l.Mtu != peer.Mtu) add($"{l.Name}: veth MTUs differ");
                bool hostEnd = ns.IsRoot;
                if (hostEnd && l.Master is null) add($"{l.Name}: pod veth has no master");
                if (hostEnd && l.Master == "ovs-system" && ns.Ovs!.Bridges[0].Ports.All(p => p.Name != l.Name)) add($"{l.Name}: not an OVS port");
            }
        }
        if (ns.Ovs is { } ovs)
            foreach (var i in ovs.Bridges.SelectMany(b => b.Ports).SelectMany(p => p.Interfaces))
                if (ns.FindLink(i.Name) is null || i.Error is not null) add($"OVS interface {i.Name} has no device");
        foreach (var f in ns.Filters)
            foreach (var a in f.Actions.Where(a => a.TargetDevice is not null))
                if (ns.FindLink(a.TargetDevice!) is null) add($"tc redirect to missing {a.TargetDevice}");
        foreach (var vx in ns.Links.Where(l => l.Kind == LinkKinds.Vxlan && l.LinkNetnsId is not null))
        {
            // x-netns: both directions glued by mirred
            bool inbound = ns.Filters.Any(f => f.Device == vx.Name && f.Actions.Any(a => a.TargetDevice == "eth0"));
            bool outbound = ns.Filters.Any(f => f.Device == "eth0" && f.Actions.Any(a => a.TargetDevice == vx.Name));
            if (!ns.IsRoot && ns.FindLink("eth0") is not null && !(inbound && outbound)) add($"{vx.Name}: mirred glue incomplete");
        }
    }

    private static void CheckRoutes(NetNamespace ns, Action<string> add)
    {
        foreach (var a in ns.Links.SelectMany(l => l.Addresses))
            if (!ns.Routes.Any(r => r.Type == RouteTypes.Local && r.Table == RouteTables.Local && r.Destination == IpPrefix.Host(a.Address)))
                add($"no local route for {a}");
        foreach (var r in ns.Routes)
        {
            if (r.Type == RouteTypes.Blackhole) { add($"blackhole {r.Destination}"); continue; }
            if (r.Device is { } d && ns.FindLink(d) is null) add($"route {r} via missing device");
            if (r.Gateway is { } g && !r.Flags.Contains("onlink") &&
                !ns.Links.Where(l => l.Name == r.Device).SelectMany(l => l.Addresses).Any(a => a.Prefix.Contains(g)))
                add($"route {r}: gateway not on link");
        }
        if (!ns.Routes.Any(r => r.Destination.IsDefault && r.Table == RouteTables.Main) && ns.Links.Count(l => l.Name.StartsWith("eth", StringComparison.Ordinal)) == 1)
            add("no default route");
        var cluster = IpPrefix.Parse("10.128.0.0/9");
        if (ns.IsRoot && ns.Links.Any(l => l.Name is "ovn-k8s-mp0") && !ns.Routes.Any(r => r.Destination == cluster && r.Device == "ovn-k8s-mp0"))
            add("no cluster route via ovn-k8s-mp0");
    }

    /// <summary>The node's neighbour entry for each pod holds the pod eth0's MAC, and a peer pod's VM vxlan0 has that MAC too.</summary>
    private static void CheckPodMacs(Snapshot snap, Host h, Action<string> add)
    {
        var podMac = h.Namespaces.Where(n => !n.IsRoot).SelectMany(n => n.Links).Where(l => l.Name == "eth0")
            .SelectMany(l => l.Addresses.Select(a => (a.Address, l.Mac))).ToDictionary(x => x.Address, x => x.Mac);
        foreach (var n in h.Root!.Neighbors.Where(n => n.Device is "ovn-k8s-mp0" or "cni0" && n.Mac is not null))
        {
            if (!podMac.TryGetValue(n.Address, out var mac)) continue;
            if (mac != n.Mac) add($"neighbour {n} ≠ eth0 MAC {mac}");
            var vm = snap.Hosts.FirstOrDefault(x => x.Name.StartsWith("podvm-" + h.Name[5..] + "-", StringComparison.Ordinal) &&
                x.FindNamespace("podns")!.Links.Any(l => l.Addresses.Any(a => a.Address.Equals(n.Address))));
            var vx = vm?.FindNamespace("podns")!.FindLink("vxlan0");
            if (vx is not null && vx.Mac != n.Mac) add($"neighbour {n} ≠ {vm!.Name} vxlan0 MAC {vx.Mac}");
        }
    }

    private static void CheckTunnels(Snapshot snap, Dictionary<IPAddress, Host> owner, Host h, NetNamespace ns, Action<string> add)
    {
        foreach (var vx in ns.Links.Where(l => l.Vxlan?.Remote is not null))
        {
            if (!owner.TryGetValue(vx.Vxlan!.Remote!, out var far)) { add($"{vx.Name}: remote {vx.Vxlan.Remote} owned by no host"); continue; }
            var myIp = h.Root!.FindLink("eth0")!.Addresses[0].Address;
            var ends = far.Namespaces.SelectMany(n => n.Links).Where(l => l.Vxlan?.Remote?.Equals(myIp) == true).ToList();
            if (!ends.Any(e => e.Vxlan!.Vni == vx.Vxlan.Vni && e.Vxlan.DstPort == vx.Vxlan.DstPort))
                add($"{vx.Name}: no far end with VNI {vx.Vxlan.Vni} port {vx.Vxlan.DstPort} on {far.Name}");
            if ((vx.Mtu ?? 0) + 50 > 1500) add($"{vx.Name}: MTU {vx.Mtu} too big");
        }
        var flannel = ns.FindLink("flannel.1");
        if (flannel is null) return;
        if ((flannel.Mtu ?? 0) + 50 > 1500) add("flannel.1: MTU too big");
        var macOf = snap.Hosts.Where(x => x.Root!.FindLink("flannel.1") is not null)
            .ToDictionary(x => x.Root!.FindLink("flannel.1")!.Mac!.Value, x => x);
        foreach (var f in ns.Fdb.Where(f => f.Device == "flannel.1"))
        {
            var peer = macOf[f.Mac];
            var peerTunnel = peer.Root!.FindLink("flannel.1")!.Vxlan!;
            if (!owner.TryGetValue(f.Dst!, out var o) || o != peer) add($"fdb {f.Mac} dst {f.Dst} is not {peer.Name}");
            if (peerTunnel.Vni != flannel.Vxlan!.Vni || peerTunnel.DstPort != flannel.Vxlan.DstPort) add($"flannel.1 differs from {peer.Name}'s");
        }
        int peers = macOf.Count - 1;
        if (ns.Neighbors.Count(n => n.Device == "flannel.1" && n.State.Contains("PERMANENT")) != peers) add("flannel.1: permanent neighbour missing");
        if (ns.Routes.Count(r => r.Device == "flannel.1" && r.Table == RouteTables.Main) != peers) add("flannel.1: route missing");
    }
}
