using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads the port list of `ovs-ofctl show BRIDGE` and `ovs-ofctl dump-ports-desc BRIDGE`
/// (lib/ofp-port.c ofputil_phy_port_format): OpenFlow port number, interface name (cut to 15
/// characters), the device MAC, then config/state lines.
/// <code>
/// OFPT_FEATURES_REPLY (xid=0x2): dpid:0000d28f7d1c004f
/// n_tables:254, n_buffers:0
///  1(8b7266486ea2861): addr:9a:30:cd:db:db:e1
///      config:     0
///      state:      LINK_DOWN
///      speed: 10000 Mbps now, 0 Mbps max
///  5(patch-br-int-to): addr:ce:0d:93:9d:bb:c8
///  LOCAL(br-int): addr:d2:8f:7d:1c:00:4f
///      config:     PORT_DOWN
/// OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=0
/// </code>
/// An OpenFlow port is an OVSDB interface; one not known yet is added to the bridge under a port of
/// the same name (what ovs-vsctl add-port makes).
/// </summary>
internal static class OvsOfctlShowParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        OvsCommand.Parse(argv) is { Tool: "ovs-ofctl" } c && c.Word(0) is "show" or "dump-ports-desc";
    /// <summary>OFPP_LOCAL, the bridge's own internal port.</summary>
    private const int LocalPort = 65534;

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = OvsCommand.Parse(output.Argv);
        var bridgeName = cmd?.Word(1) ?? "";
        if (bridgeName.Length == 0) { log.Warn(output, 0, $"{output.CommandText}: no bridge named on the command line"); return; }
        var state = OvsBuilder.State(ns, output.At(0));
        var bridge = OvsBuilder.Bridge(state, bridgeName, output.At(0));
        OvsInterface? iface = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var raw = output.Lines[i];
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int addr = line.LastIndexOf("): addr:", StringComparison.Ordinal);
            int open = addr > 0 ? line.IndexOf('(') : -1;
            if (addr > 0 && open > 0 && open < addr)
            {
                iface = Port(state, bridge, line[..open], line[(open + 1)..addr], line[(addr + "): addr:".Length)..], output, i, log);
                continue;
            }
            if (iface is not null && line.StartsWith("config:", StringComparison.Ordinal))
                iface.AdminState = line.Contains("PORT_DOWN", StringComparison.Ordinal) ? "down" : "up";
            else if (iface is not null && line.StartsWith("state:", StringComparison.Ordinal))
                iface.LinkState = line.Contains("LINK_DOWN", StringComparison.Ordinal) ? "down" : "up";
            // feature, capability, speed and other lines carry nothing the model keeps
        }
    }

    private static OvsInterface? Port(OvsState state, OvsBridge bridge, string number, string name, string mac,
        CommandOutput output, int i, ImportLog log)
    {
        int? ofport = number == "LOCAL" ? LocalPort : int.TryParse(number, out var n) && n > 0 ? n : null;
        if (ofport is null || name.Length == 0)
        {
            log.Warn(output, i, $"{output.CommandText}: cannot read port '{OvsVsctlShowParser.Short(number + "(" + name + ")")}'");
            return null;
        }
        var iface = OvsBuilder.FindOpenFlowInterface(bridge, name);
        if (iface is null)
        {
            var port = OvsBuilder.Port(state, bridge, name, output.At(i));
            iface = OvsBuilder.Interface(state, port, name, output.At(i));
        }
        iface.OfPort = ofport;
        if (MacAddress.TryParse(mac, out var m)) iface.MacInUse = m;
        else log.Warn(output, i, $"{output.CommandText}: bad MAC address '{OvsVsctlShowParser.Short(mac)}'");
        return iface;
    }
}
