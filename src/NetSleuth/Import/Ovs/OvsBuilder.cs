using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Finds or adds OVS objects in a namespace's <see cref="OvsState"/>, so that `ovs-vsctl show`,
/// `ovs-vsctl list …` and `ovs-ofctl …` outputs read in any order describe the same objects.
/// </summary>
internal static class OvsBuilder
{
    /// <summary>OVSDB references seen in `list bridge` / `list port` whose target rows were not read yet.</summary>
    private sealed class Pending
    {
        public readonly Dictionary<string, OvsBridge> BridgeOfPort = new(StringComparer.Ordinal);
        public readonly Dictionary<string, OvsPort> PortOfInterface = new(StringComparer.Ordinal);
    }

    private static readonly ConditionalWeakTable<OvsState, Pending> PendingRefs = new();

    /// <summary>OpenFlow port names are cut to 15 characters (OFP_MAX_PORT_NAME_LEN 16 with the NUL).</summary>
    public const int OpenFlowNameMax = 15;

    public static OvsState State(NetNamespace ns, SourceRef at) => ns.Ovs ??= new OvsState { Source = at };

    public static OvsBridge Bridge(OvsState state, string name, SourceRef at)
    {
        var br = state.Bridges.FirstOrDefault(b => b.Name == name);
        if (br is null)
        {
            br = new OvsBridge { Name = name, Source = at };
            state.Bridges.Add(br);
        }
        return br;
    }

    public static OvsPort Port(OvsState state, OvsBridge bridge, string name, SourceRef at)
    {
        var port = bridge.Ports.FirstOrDefault(p => p.Name == name);
        if (port is not null) return port;
        port = state.UnplacedPorts.FirstOrDefault(p => p.Name == name);
        if (port is not null) state.UnplacedPorts.Remove(port);
        else
        {
            port = FindPortAnywhere(state, name, except: bridge);
            if (port is not null) foreach (var b in state.Bridges) b.Ports.Remove(port);
        }
        port ??= CutByOpenFlow(bridge.Ports, p => p.Name, name);
        if (port is not null)
        {
            port.Name = name; // read from `ovs-ofctl show` before the full name was known
            return port;
        }
        port = new OvsPort { Name = name, Source = at };
        bridge.Ports.Add(port);
        return port;
    }

    public static OvsInterface Interface(OvsState state, OvsPort port, string name, SourceRef at)
    {
        var iface = port.Interfaces.FirstOrDefault(i => i.Name == name);
        if (iface is not null) return iface;
        iface = state.UnplacedInterfaces.FirstOrDefault(i => i.Name == name);
        if (iface is not null) state.UnplacedInterfaces.Remove(iface);
        iface ??= CutByOpenFlow(port.Interfaces, i => i.Name, name);
        if (iface is not null && port.Interfaces.Contains(iface))
        {
            iface.Name = name;
            return iface;
        }
        iface ??= new OvsInterface { Name = name, Source = at };
        port.Interfaces.Add(iface);
        return iface;
    }

    /// <summary>All interfaces, placed or not.</summary>
    public static IEnumerable<OvsInterface> AllInterfaces(OvsState state) =>
        state.Bridges.SelectMany(b => b.Ports).Concat(state.UnplacedPorts)
            .SelectMany(p => p.Interfaces).Concat(state.UnplacedInterfaces);

    /// <summary>Finds an interface of a bridge by the name OpenFlow printed (maybe cut to 15 characters).</summary>
    public static OvsInterface? FindOpenFlowInterface(OvsBridge bridge, string shown)
    {
        var all = bridge.Ports.SelectMany(p => p.Interfaces).ToList();
        return all.FirstOrDefault(i => i.Name == shown) ??
               (shown.Length == OpenFlowNameMax ? all.FirstOrDefault(i => i.Name.StartsWith(shown, StringComparison.Ordinal)) : null);
    }

    /// <summary>An object named with the first 15 characters of <paramref name="name"/>, as OpenFlow shows it.</summary>
    private static T? CutByOpenFlow<T>(List<T> items, Func<T, string> nameOf, string name) where T : class =>
        name.Length > OpenFlowNameMax ? items.FirstOrDefault(x => nameOf(x) == name[..OpenFlowNameMax]) : null;

    private static OvsPort? FindPortAnywhere(OvsState state, string name, OvsBridge except) =>
        state.Bridges.Where(b => b != except).SelectMany(b => b.Ports).FirstOrDefault(p => p.Name == name);

    /// <summary>Records that bridge row <paramref name="bridge"/> lists port row <paramref name="portUuid"/>.</summary>
    public static void BridgeHasPort(OvsState state, OvsBridge bridge, string portUuid)
    {
        var port = state.UnplacedPorts.FirstOrDefault(p => p.Uuid == portUuid);
        if (port is not null)
        {
            state.UnplacedPorts.Remove(port);
            if (!bridge.Ports.Contains(port)) bridge.Ports.Add(port);
        }
        else if (!bridge.Ports.Any(p => p.Uuid == portUuid)) PendingRefs.GetOrCreateValue(state).BridgeOfPort[portUuid] = bridge;
    }

    /// <summary>Records that port row <paramref name="port"/> lists interface row <paramref name="ifaceUuid"/>.</summary>
    public static void PortHasInterface(OvsState state, OvsPort port, string ifaceUuid)
    {
        var iface = state.UnplacedInterfaces.FirstOrDefault(i => i.Uuid == ifaceUuid);
        if (iface is not null)
        {
            state.UnplacedInterfaces.Remove(iface);
            if (!port.Interfaces.Contains(iface)) port.Interfaces.Add(iface);
        }
        else if (!port.Interfaces.Any(i => i.Uuid == ifaceUuid)) PendingRefs.GetOrCreateValue(state).PortOfInterface[ifaceUuid] = port;
    }

    /// <summary>The bridge a port row belongs to, when a `list bridge` read earlier named it.</summary>
    public static OvsBridge? BridgeOfPort(OvsState state, string portUuid) =>
        PendingRefs.TryGetValue(state, out var p) && p.BridgeOfPort.Remove(portUuid, out var b) ? b : null;

    public static OvsPort? PortOfInterface(OvsState state, string ifaceUuid) =>
        PendingRefs.TryGetValue(state, out var p) && p.PortOfInterface.Remove(ifaceUuid, out var port) ? port : null;

    /// <summary>
    /// A bridge's own internal interface ("Interface br-int, type: internal") is a kernel device of that name in the
    /// namespace ovs-vswitchd runs in. When the input lists no such device (only the OVSDB was shown), it is added as
    /// present with what is unknown left unknown (no ifindex, no flags, no MAC), so the bridge can be drawn and linked.
    /// Not when the namespace's devices were listed without it: then the input says it is not there.
    /// </summary>
    public static void AddBridgeDevices(NetNamespace ns, OvsState state)
    {
        if (ns.IsKnown(Sections.Links)) return;
        foreach (var br in state.Bridges)
        {
            var own = br.Ports.SelectMany(p => p.Interfaces).FirstOrDefault(i => i.Name == br.Name);
            if (own is null || own.Type is not ("internal" or null) || ns.FindLink(br.Name) is not null) continue;
            var link = Facts.GetOrAddLink(ns, null, br.Name, own.Source ?? br.Source ?? new SourceRef("ovs-vsctl"));
            link.Kind ??= LinkKinds.OpenVSwitch;
        }
    }

    /// <summary>The OpenFlow tables of SECOND (a `dump-flows` file given beside a snapshot of the same host) added to
    /// the same bridges of FIRST. True when SECOND held nothing but OVS state, so nothing else of it is lost.</summary>
    public static bool MergeFlows(NetNamespace first, NetNamespace second)
    {
        bool any = false;
        if (second.Ovs is { } from && (from.Traces.Count > 0 || from.Bridges.Any(b => b.Flows.Count > 0 || b.FlowsKnown)))
        {
            var into = State(first, from.Source ?? new SourceRef(""));
            foreach (var b in from.Bridges)
            {
                if (b.Flows.Count == 0 && !b.FlowsKnown) continue;
                var target = Bridge(into, b.Name, b.Source ?? new SourceRef(""));
                target.Flows = b.Flows;
                target.FlowsKnown = b.FlowsKnown;
            }
            into.Traces.AddRange(from.Traces); // saved ofproto/trace outputs
            any = true;
        }
        if (second.Ovn is { Traces.Count: > 0 } ovn)
        {
            (first.Ovn ??= new OvnState { Source = ovn.Source }).Traces.AddRange(ovn.Traces); // saved ovn-trace outputs
            any = true;
        }
        if (!any) return false;
        return second.Links.Count == 0 && second.Routes.Count == 0 && second.Neighbors.Count == 0;
    }
}
