using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// The bridge of an Open vSwitch device that no bridge lists (a `ovs-vsctl show` cut by "[snip]", only
/// `list-br`): a device of kind openvswitch that is not a bridge is an internal port of one, and a
/// device enslaved to ovs-system (openvswitch_slave) a port of one. The bridges the OVSDB evidence names
/// (show, list-br, list-ports, port-to-br, dump-ports), less those a tool said do not have the port
/// ("unknown port"), are the candidates; one left is that port's bridge, stated as an assumption with the
/// evidence. More than one: the device stays unlinked and the trace asks `ovs-vsctl port-to-br`.
/// </summary>
internal static class OvsMembership
{
    public static void LinkRemaining(Topology t, NsRef ns)
    {
        var ovs = ns.Ns.Ovs!;
        if (ovs.Bridges.Count == 0) return;
        foreach (var link in ns.Ns.Links)
        {
            bool internalPort = link.Kind == LinkKinds.OpenVSwitch && link.Name != "ovs-system" && !IsBridge(ovs, link.Name);
            bool slave = link.SlaveKind == LinkKinds.OpenVSwitch || link.Master == "ovs-system";
            if (!internalPort && !slave) continue;
            if (t.Device(ns, link.Name) is not { } d || t.EdgesFrom(d).Any(e => e.Kind == EdgeKind.OvsPort)) continue;
            var candidates = new List<OvsBridge>();
            var ruledOut = new List<OvsAbsentPort>();
            foreach (var br in ovs.Bridges)
            {
                var absent = ovs.AbsentPorts.FirstOrDefault(a => a.Bridge == br.Name && a.Port == link.Name);
                if (absent is not null) ruledOut.Add(absent);
                else candidates.Add(br);
            }
            if (candidates.Count != 1) continue;
            var bridge = candidates[0];
            var brDev = t.Device(ns, bridge.Name);
            var what = internalPort ? "an internal port (kind openvswitch, not a bridge)" : "a port (enslaved to ovs-system)";
            var why = $"{link.Name} is {what} of an Open vSwitch bridge; the input names the bridges {string.Join(", ", ovs.Bridges.Select(b => b.Name))}";
            foreach (var a in ruledOut)
                why += $"; {a.Bridge} does not have it (\"unknown port\"{(a.Source is { } src ? " at " + src : "")})";
            why += $": assumed a port of {bridge.Name} (`ovs-vsctl port-to-br {link.Name}` on {ns.Host.Name} would confirm)";
            Linker.AddEdge(t, new Edge(EdgeKind.OvsPort, d, brDev, "ovs port",
                brDev is null ? why + $"; OVS bridge {bridge.Name} has no internal device in the input" : why));
        }
    }

    private static bool IsBridge(OvsState ovs, string name)
    {
        foreach (var b in ovs.Bridges)
            if (b.Name == name) return true;
        return false;
    }
}
