using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>Puts the rows of `ovs-vsctl list bridge|port|interface|open_vswitch` into the namespace's OVS state.
/// Rows are joined to each other by their UUID references (bridge.ports, port.interfaces), and to rows
/// that `ovs-vsctl show` gave by name.</summary>
internal static class OvsListApplier
{
    public static void Apply(string table, List<OvsdbRow> rows, CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var state = OvsBuilder.State(ns, output.At(0));
        foreach (var row in rows)
        {
            var at = output.At(row.LineIndex);
            if (table == "open_vswitch")
            {
                state.OvsVersion = row["ovs_version"]?.Single ?? state.OvsVersion;
                continue;
            }
            var name = row["name"]?.Single;
            if (name is null)
            {
                log.Warn(at, $"ovs-vsctl list {table}: a row without a name column, skipped");
                continue;
            }
            switch (table)
            {
                case "bridge": ApplyBridge(state, row, name, at); break;
                case "port": ApplyPort(state, row, name, at); break;
                case "interface": ApplyInterface(state, row, name, at); break;
            }
        }
    }

    private static void ApplyBridge(OvsState state, OvsdbRow row, string name, SourceRef at)
    {
        var br = OvsBuilder.Bridge(state, name, at);
        br.Uuid = row["_uuid"]?.Single ?? br.Uuid;
        if (row["datapath_type"] is { } dp) br.DatapathType = dp.Single ?? "";
        if (row["fail_mode"] is { } fm) br.FailMode = fm.Single;
        if (row["external_ids"] is { IsMap: true } ids) br.ExternalIds = ids.ToDictionary();
        if (row["ports"] is { } ports) foreach (var uuid in ports.Atoms) OvsBuilder.BridgeHasPort(state, br, uuid);
    }

    private static void ApplyPort(OvsState state, OvsdbRow row, string name, SourceRef at)
    {
        var uuid = row["_uuid"]?.Single;
        var port = FindPort(state, name, uuid);
        var bridge = uuid is null ? null : OvsBuilder.BridgeOfPort(state, uuid);
        if (bridge is not null) port = OvsBuilder.Port(state, bridge, name, at);
        if (port is null)
        {
            port = new OvsPort { Name = name, Source = at };
            state.UnplacedPorts.Add(port);
        }
        port.Uuid = uuid ?? port.Uuid;
        if (row["tag"] is { } tag) port.Tag = tag.Int;
        if (row["trunks"] is { } trunks) port.Trunks = trunks.Atoms.Select(a => int.TryParse(a, out var n) ? n : -1).Where(n => n >= 0).ToList();
        if (row["interfaces"] is { } ifaces) foreach (var u in ifaces.Atoms) OvsBuilder.PortHasInterface(state, port, u);
    }

    private static void ApplyInterface(OvsState state, OvsdbRow row, string name, SourceRef at)
    {
        var uuid = row["_uuid"]?.Single;
        var iface = OvsBuilder.AllInterfaces(state).FirstOrDefault(i => (uuid is not null && i.Uuid == uuid) || i.Name == name);
        var port = uuid is null ? null : OvsBuilder.PortOfInterface(state, uuid);
        if (port is not null) iface = OvsBuilder.Interface(state, port, name, at);
        if (iface is null)
        {
            iface = new OvsInterface { Name = name, Source = at };
            state.UnplacedInterfaces.Add(iface);
        }
        iface.Uuid = uuid ?? iface.Uuid;
        if (row["type"] is { } type) iface.Type = type.Single ?? "";
        if (row["ofport"] is { } ofport) iface.OfPort = ofport.Int;
        if (row["mac_in_use"] is { } miu) iface.MacInUse = Mac(miu);
        if (row["mac"] is { } mac) iface.Mac = Mac(mac);
        if (row["external_ids"] is { IsMap: true } ids) iface.ExternalIds = ids.ToDictionary();
        if (row["options"] is { IsMap: true } opts) iface.Options = opts.ToDictionary();
        if (row["error"] is { } err) iface.Error = err.Single;
        if (row["link_state"] is { } ls) iface.LinkState = ls.Single;
        if (row["admin_state"] is { } ad) iface.AdminState = ad.Single;
        if (row["bfd_status"] is { IsMap: true } bfd) iface.BfdStatus = bfd.ToDictionary();
        if (row["status"] is { IsMap: true } st) iface.Status = st.ToDictionary();
    }

    private static OvsPort? FindPort(OvsState state, string name, string? uuid) =>
        state.Bridges.SelectMany(b => b.Ports).Concat(state.UnplacedPorts)
            .FirstOrDefault(p => (uuid is not null && p.Uuid == uuid) || p.Name == name);

    private static MacAddress? Mac(OvsdbDatum d) => MacAddress.TryParse(d.Single, out var m) ? m : null;
}
