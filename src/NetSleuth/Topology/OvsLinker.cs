using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// What joins Open vSwitch bridges, from the OVSDB: patch port pairs (`options: {peer=…}`) between two bridges of
/// one host (br-int ↔ br-tun, br-int ↔ br-ex), and tunnel ports (vxlan, geneve, gre with `remote_ip`) to the
/// tunnel port on another host whose `local_ip`/`remote_ip` name this one — drawn between the bridges' devices.
/// The kernel's datapath device of a tunnel port (`vxlan_sys_4789`, `genev_sys_6081`: named after the UDP port)
/// is joined to the bridge holding the tunnel ports of that port.
/// </summary>
internal static class OvsLinker
{
    private static readonly HashSet<string> TunnelTypes = ["vxlan", "geneve", "gre", "stt"];

    private sealed record TunnelPort(NsRef Ns, OvsBridge Bridge, OvsInterface Iface, IPAddress? Local, IPAddress? Remote);

    public static void LinkPatchesAndTunnels(Topology t)
    {
        var tunnels = new List<TunnelPort>();
        foreach (var host in t.Hosts)
            foreach (var n in host.Namespaces)
                if (n.Ovs is not null) tunnels.AddRange(Bridges(t, host, n));
        // the join across hosts reads every tunnel port: made again in every re-link (the original's edges noted as changed)
        AcrossReplay.Join<object>(t, JoinKind.OvsTunnels, TunnelsKey, null, _ => false, _ =>
        {
            LinkTunnels(t, tunnels);
            return TunnelsKey;
        });
    }

    private static readonly object TunnelsKey = new();

    /// <summary>A namespace's patch and datapath ports are its own: replayed for a host a re-link left alone (a method of
    /// its own: the closure is made for the namespaces with OVS only, not for each of a cluster's hundred thousand).</summary>
    private static List<TunnelPort> Bridges(Topology t, Host host, NetNamespace n) =>
        AcrossReplay.Run(t, host, n, () => LinkBridges(t, new NsRef(host, n)));

    /// <summary>The namespace's patch port pairs and datapath devices; its tunnel ports, for the join across hosts.</summary>
    private static List<TunnelPort> LinkBridges(Topology t, NsRef ns)
    {
        var ovs = ns.Ns.Ovs!;
        var tunnels = new List<TunnelPort>();
        var bridgeOf = new Dictionary<string, OvsBridge>(StringComparer.Ordinal);
        foreach (var br in ovs.Bridges)
            foreach (var p in br.Ports)
                foreach (var i in p.Interfaces) bridgeOf.TryAdd(i.Name, br);
        var datapathLinked = new HashSet<(string, string)>();
        foreach (var br in ovs.Bridges)
            foreach (var p in br.Ports)
                foreach (var i in p.Interfaces)
                {
                    if (i.Type == "patch") LinkPatch(t, ns, br, i, bridgeOf);
                    else if (i.Type is { } type && TunnelTypes.Contains(type))
                    {
                        tunnels.Add(new TunnelPort(ns, br, i, Ip(i, "local_ip"), Ip(i, "remote_ip")));
                        LinkDatapathDevice(t, ns, br, i, type, datapathLinked);
                    }
                }
        return tunnels;
    }

    private static IPAddress? Ip(OvsInterface i, string key) =>
        i.Options.TryGetValue(key, out var v) && IPAddress.TryParse(v.Trim('"'), out var ip) ? ip : null;

    private static void LinkPatch(Topology t, NsRef ns, OvsBridge br, OvsInterface i, Dictionary<string, OvsBridge> bridgeOf)
    {
        if (!i.Options.TryGetValue("peer", out var peerName)) return;
        peerName = peerName.Trim('"');
        if (!bridgeOf.TryGetValue(peerName, out var other))
        {
            t.AllAssumptions.Add(new Assumption($"OVS patch port {i.Name} of {br.Name} has peer {peerName}, which is in no bridge of the input",
                t.Device(ns, br.Name), i.Source));
            return;
        }
        // each pair once: from the side whose name sorts first, when the other side names this one back
        var peer = other.Ports.SelectMany(x => x.Interfaces).FirstOrDefault(x => x.Name == peerName);
        if (string.CompareOrdinal(i.Name, peerName) > 0 && peer?.Type == "patch" && peer.Options.TryGetValue("peer", out var back) && back.Trim('"') == i.Name) return;
        var a = t.Device(ns, br.Name);
        var b = t.Device(ns, other.Name);
        if (a is null || b is null)
        {
            t.AllAssumptions.Add(new Assumption($"OVS bridges {br.Name} and {other.Name} are joined by patch ports {i.Name} ↔ {peerName}, " +
                $"but {(a is null ? br.Name : other.Name)} has no device in the input", a ?? b, i.Source));
            return;
        }
        Linker.AddEdge(t, new Edge(EdgeKind.OvsPatch, a, b, $"patch {i.Name} ↔ {peerName}"));
    }

    // vxlan_sys_4789 carries the frames of every vxlan port with that UDP port: it is the datapath's end of them
    private static void LinkDatapathDevice(Topology t, NsRef ns, OvsBridge br, OvsInterface i, string type, HashSet<(string, string)> done)
    {
        int port = i.Options.TryGetValue("dst_port", out var dp) && int.TryParse(dp.Trim('"'), out var n) ? n
            : type switch { "vxlan" => 4789, "geneve" => 6081, _ => 0 };
        var name = type switch { "vxlan" => $"vxlan_sys_{port}", "geneve" => $"genev_sys_{port}", "gre" => "gre_sys", _ => null };
        if (name is null || t.Device(ns, name) is not { } dev || t.Device(ns, br.Name) is not { } brDev) return;
        if (!done.Add((name, br.Name))) return;
        Linker.AddEdge(t, new Edge(EdgeKind.OvsPort, dev, brDev, $"datapath of {type} port {i.Name}" + (port > 0 ? $" (udp {port})" : "")));
    }

    // a tunnel port and the one on another host that points back: remote ↔ local (or the far host owns the remote address)
    private static void LinkTunnels(Topology t, List<TunnelPort> ports)
    {
        foreach (var p in ports)
        {
            if (p.Remote is not { } remote) continue; // remote_ip=flow: the far end is chosen per packet
            TunnelPort? far = null;
            foreach (var q in ports)
            {
                if (q.Ns.Host == p.Ns.Host || q.Iface.Type != p.Iface.Type) continue;
                bool qIsRemote = remote.Equals(q.Local) || (q.Local is null && t.OwnersOf(remote).Any(o => o.Device.Host == q.Ns.Host));
                bool pointsBack = q.Remote is null || p.Local is null ? q.Remote is null || t.OwnersOf(q.Remote).Any(o => o.Device.Host == p.Ns.Host) || p.Local is null
                    : q.Remote.Equals(p.Local);
                if (qIsRemote && pointsBack) { far = q; break; }
            }
            if (far is null)
            {
                t.AllAssumptions.Add(new Assumption($"OVS {p.Iface.Type} port {p.Iface.Name} of {p.Bridge.Name} goes to {remote}: no host of the input has the tunnel port there",
                    t.Device(p.Ns, p.Bridge.Name), p.Iface.Source));
                continue;
            }
            // each pair once: from the side whose host name sorts first
            if (string.CompareOrdinal(p.Ns.Host.Name, far.Ns.Host.Name) > 0) continue;
            var a = t.Device(p.Ns, p.Bridge.Name);
            var b = t.Device(far.Ns, far.Bridge.Name);
            if (a is null || b is null) continue;
            Linker.AddEdge(t, new Edge(EdgeKind.OvsTunnel, a, b,
                $"{p.Iface.Type} {p.Iface.Name} ↔ {far.Iface.Name} ({p.Local?.ToString() ?? "?"} ↔ {remote})"));
        }
    }
}
