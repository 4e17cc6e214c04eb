using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads `ovs-vsctl show` (utilities/ovs-vsctl.c cmd_show): a tree indented by four spaces.
/// <code>
/// c3bbbf6d-ba27-468c-a0a5-43694cdb6157
///     Bridge br-int
///         fail_mode: secure
///         datapath_type: netdev
///         Port vxlan1
///             tag: 100
///             Interface vxlan1
///                 type: vxlan
///                 options: {dst_port="4789", key="555005", remote_ip="198.51.100.201"}
///         Port "8b7266486ea2861"
///             Interface "8b7266486ea2861"
///                 error: "could not open network device missing0 (No such device)"
///     ovs_version: "3.1.0"
/// </code>
/// A key line belongs to the nearest object above it that is indented less; when copy-paste lost
/// the indentation, to the innermost open object.
/// </summary>
internal static class OvsVsctlShowParser
{
    public static bool Matches(IReadOnlyList<string> argv) => OvsCommand.Parse(argv) is { Tool: "ovs-vsctl" } c && c.Word(0) == "show";
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var state = OvsBuilder.State(ns, output.At(0));
        OvsBridge? bridge = null;
        OvsPort? port = null;
        OvsInterface? iface = null;
        int bridgeIndent = -1, portIndent = -1, ifaceIndent = -1, otherIndent = -1;
        bool sawBridgeOrVersion = false;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var raw = output.Lines[i];
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int indent = raw.Length - raw.TrimStart().Length;
            var at = output.At(i);
            if (otherIndent >= 0 && indent > otherIndent) continue; // inside a Manager/Controller block
            otherIndent = -1;
            if (TryObject(line, "Bridge ", out var name))
            {
                bridge = OvsBuilder.Bridge(state, name, at);
                port = null; iface = null;
                bridgeIndent = indent; portIndent = ifaceIndent = -1;
                sawBridgeOrVersion = true;
            }
            else if (TryObject(line, "Port ", out name))
            {
                if (bridge is null) { log.Warn(output, i, "ovs-vsctl show: Port outside a Bridge, skipped"); continue; }
                port = OvsBuilder.Port(state, bridge, name, at);
                iface = null;
                portIndent = indent; ifaceIndent = -1;
            }
            else if (TryObject(line, "Interface ", out name))
            {
                if (port is null) { log.Warn(output, i, "ovs-vsctl show: Interface outside a Port, skipped"); continue; }
                iface = OvsBuilder.Interface(state, port, name, at);
                iface.Type ??= ""; // show prints "type:" only for non-system interfaces
                ifaceIndent = indent;
            }
            else if (line.StartsWith("Manager ", StringComparison.Ordinal) || line.StartsWith("Controller ", StringComparison.Ordinal))
            {
                otherIndent = indent;
            }
            else if (bridge is null && !sawBridgeOrVersion && Guid.TryParse(line, out _))
            {
                // the Open_vSwitch row's UUID
            }
            else if (TryKey(line, out var key, out var value))
            {
                bool lost = indent == 0 && bridgeIndent == 0;
                if (iface is not null && (lost || indent > ifaceIndent)) SetInterface(iface, key, value, output, i, log);
                else if (port is not null && (lost || indent > portIndent)) SetPort(port, key, value, output, i, log);
                else if (bridge is not null && (lost || indent > bridgeIndent)) SetBridge(bridge, key, value, output, i, log);
                else if (key == "ovs_version") { state.OvsVersion = Atom(value); sawBridgeOrVersion = true; }
            }
            else log.Warn(output, i, $"ovs-vsctl show: unrecognised line '{Short(line)}'");
        }
        if (!output.Partial && sawBridgeOrVersion) ns.Known.Add(Sections.Ovs);
        OvsBuilder.AddBridgeDevices(ns, state);
    }

    private static bool TryObject(string line, string keyword, out string name)
    {
        name = "";
        if (!line.StartsWith(keyword, StringComparison.Ordinal)) return false;
        var rest = line[keyword.Length..].Trim();
        name = Atom(rest) ?? "";
        return name.Length > 0;
    }

    private static bool TryKey(string line, out string key, out string value)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        key = colon > 0 ? line[..colon] : "";
        value = colon > 0 ? line[(colon + 2)..] : "";
        return colon > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    private static string? Atom(string text) =>
        OvsdbDatum.TryParseText(text, out var d) ? d.Single : null;

    private static void SetBridge(OvsBridge bridge, string key, string value, CommandOutput output, int i, ImportLog log)
    {
        // ovs-vsctl prints these keys in lower case: another case is paste damage ("fAIl_mode"), read with a warning
        var canonical = key.ToLowerInvariant();
        if (canonical != key && canonical is "fail_mode" or "datapath_type")
            log.Warn(output, i, $"ovs-vsctl show: key '{key}' read as '{canonical}' (ovs-vsctl prints it in lower case)");
        if (canonical == "fail_mode") bridge.FailMode = Atom(value);
        else if (canonical == "datapath_type") bridge.DatapathType = Atom(value);
    }

    private static void SetPort(OvsPort port, string key, string value, CommandOutput output, int i, ImportLog log)
    {
        if (!OvsdbDatum.TryParseText(value, out var d)) { log.Warn(output, i, $"ovs-vsctl show: bad value for {key}"); return; }
        if (key == "tag") port.Tag = d.Int;
        else if (key == "trunks") port.Trunks = d.Atoms.Select(a => int.TryParse(a, out var n) ? n : -1).Where(n => n >= 0).ToList();
    }

    private static void SetInterface(OvsInterface iface, string key, string value, CommandOutput output, int i, ImportLog log)
    {
        if (!OvsdbDatum.TryParseText(value, out var d)) { log.Warn(output, i, $"ovs-vsctl show: bad value for {key}"); return; }
        switch (key)
        {
            case "type": iface.Type = d.Single ?? ""; break;
            case "options": iface.Options = d.ToDictionary(); break;
            case "error": iface.Error = d.Single; break;
        }
    }

    internal static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
