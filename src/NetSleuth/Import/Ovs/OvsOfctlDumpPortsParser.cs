using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads `ovs-ofctl dump-ports BRIDGE [PORT]` (lib/ofp-port.c ofputil_format_port_stats). Ports are
/// numbers, or names with `--names` (quoted when not a plain word); a counter the datapath does not
/// keep prints "?"; OpenFlow 1.4+ adds a duration line, DPDK ports "CUSTOM Statistics" lines.
/// <code>
/// OFPST_PORT reply (xid=0x2): 6 ports
///   port  4: rx pkts=0, bytes=0, drop=?, errs=?, frame=?, over=?, crc=?
///            tx pkts=0, bytes=0, drop=?, errs=?, coll=?
///            duration=2.160s
///   port LOCAL: rx pkts=5, bytes=426, drop=0, errs=0, frame=0, over=0, crc=0
///   port  "8b7266486ea2861": rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0
/// </code>
/// A paste that lost the line break runs the rx and tx counters together ("crc=0tx pkts=…"): they are
/// split there. `dump-ports BR PORT` that answers is evidence that PORT is a port of BR; the error
/// "ovs-ofctl: BR: unknown port `PORT'" is evidence that it is not (<see cref="OvsState.AbsentPorts"/>).
/// </summary>
internal static class OvsOfctlDumpPortsParser
{
    public static bool Matches(IReadOnlyList<string> argv) => OvsCommand.Parse(argv) is { Tool: "ovs-ofctl" } c && c.Word(0) == "dump-ports";
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = OvsCommand.Parse(output.Argv);
        var bridge = cmd?.Word(1) ?? "";
        if (bridge.Length == 0) { log.Warn(output, 0, "ovs-ofctl dump-ports: no bridge named on the command line"); return; }
        var state = OvsBuilder.State(ns, output.At(0));
        var asked = cmd!.Word(2);
        OvsPortStats? current = null;
        var readHere = new List<OvsPortStats>();
        int announced = -1, read = 0;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("ovs-ofctl: ", StringComparison.Ordinal))
            {
                if (UnknownPort(line, bridge) is { } absent)
                {
                    state.AbsentPorts.RemoveAll(a => a.Bridge == bridge && a.Port == absent);
                    state.AbsentPorts.Add(new OvsAbsentPort { Bridge = bridge, Port = absent, Source = output.At(i) });
                }
                else log.Warn(output, i, $"'{output.CommandText}' printed an error: {OvsVsctlShowParser.Short(line)}");
                continue;
            }
            if (line.StartsWith("OFPST_PORT reply", StringComparison.Ordinal) || line.StartsWith("OFPST_PORT_STATS reply", StringComparison.Ordinal))
            {
                announced = AnnouncedCount(line);
                continue;
            }
            if (line.StartsWith("port ", StringComparison.Ordinal))
            {
                var name = PortName(line, out int rest);
                if (name is null) { log.Warn(output, i, $"ovs-ofctl dump-ports: cannot read the port of '{OvsVsctlShowParser.Short(line)}'"); current = null; continue; }
                current = new OvsPortStats { Bridge = bridge, Port = name };
                state.PortStats.RemoveAll(s => s.Bridge == bridge && s.Port == name);
                state.PortStats.Add(current);
                readHere.Add(current);
                read++;
                line = line[rest..].Trim();
            }
            if (line.StartsWith("rx ", StringComparison.Ordinal) || line.StartsWith("tx ", StringComparison.Ordinal))
            {
                if (current is null) { log.Warn(output, i, "ovs-ofctl dump-ports: counters without a port line"); continue; }
                // "… crc=0tx pkts=…": the rx and tx lines run together
                int tx = line.StartsWith("rx ", StringComparison.Ordinal) ? line.IndexOf("tx pkts=", 3, StringComparison.Ordinal) : -1;
                if (tx > 0)
                {
                    Counters(current, "rx", line[3..tx]);
                    Counters(current, "tx", line[(tx + 3)..]);
                }
                else Counters(current, line[..2], line[3..]);
            }
            else if (line.StartsWith("duration=", StringComparison.Ordinal) || line.StartsWith("CUSTOM Statistics", StringComparison.Ordinal) ||
                     (current is not null && line.Contains('=')))
            {
                // OpenFlow 1.4+ duration and custom (DPDK) counters: not modelled
            }
            else log.Warn(output, i, $"ovs-ofctl dump-ports: unrecognised line '{OvsVsctlShowParser.Short(line)}'");
        }
        if (announced >= 0 && read != announced && !output.Partial)
            log.Warn(output, 0, $"ovs-ofctl dump-ports: the reply announces {announced} ports but {read} were read (output cut?)");
        Membership(state, bridge, asked, readHere, output);
    }

    /// <summary>The ports the reply shows to be on the bridge: the one named on the command line when the reply
    /// has its counters (shown by number or name), and every port shown by name (`--names`, LOCAL aside).</summary>
    private static void Membership(OvsState state, string bridge, string asked, List<OvsPortStats> stats, CommandOutput output)
    {
        if (stats.Count == 0) return;
        var br = OvsBuilder.Bridge(state, bridge, output.At(0));
        if (asked.Length > 0 && asked != "LOCAL" && !IsNumber(asked) && stats.Count == 1)
        {
            // `dump-ports BR PORT` prints the port's number: it is PORT's OpenFlow port
            if (IsNumber(stats[0].Port))
            {
                int? ofport = int.TryParse(stats[0].Port, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
                state.PortStats.RemoveAll(p => p != stats[0] && p.Bridge == bridge && p.Port == asked);
                stats[0].Port = asked;
                AddPort(state, br, asked, output);
                if (OvsBuilder.FindOpenFlowInterface(br, asked) is { OfPort: null } iface) iface.OfPort = ofport;
            }
            else AddPort(state, br, asked, output);
        }
        foreach (var st in stats)
            if (st.Port != "LOCAL" && st.Port != bridge && !IsNumber(st.Port)) AddPort(state, br, st.Port, output);
        state.AbsentPorts.RemoveAll(a => a.Bridge == bridge && br.Ports.Any(p => p.Name == a.Port));
    }

    private static void AddPort(OvsState state, OvsBridge br, string name, CommandOutput output)
    {
        if (br.Ports.Any(p => p.Name == name)) return;
        var at = output.At(0);
        var port = OvsBuilder.Port(state, br, name, at);
        if (port.Interfaces.Count == 0) OvsBuilder.Interface(state, port, name, at);
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    /// <summary>"ovs-ofctl: br-ex: unknown port `ovn-k8s-mp0'" → ovn-k8s-mp0 (quotes ` ' or " as pasted).</summary>
    internal static string? UnknownPort(string line, string bridge)
    {
        var prefix = $"ovs-ofctl: {bridge}: unknown port ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var name = line[prefix.Length..].Trim().Trim('`', '\'', '"', '\u2018', '\u2019', '\u201c', '\u201d');
        return name.Length > 0 && !name.Contains(' ') ? name : null;
    }

    private static int AnnouncedCount(string line)
    {
        int end = line.LastIndexOf(" ports", StringComparison.Ordinal);
        if (end < 0) end = line.LastIndexOf(" port", StringComparison.Ordinal);
        int start = end < 0 ? -1 : line.LastIndexOf(' ', end - 1);
        return end > 0 && start >= 0 && int.TryParse(line.AsSpan(start + 1, end - start - 1), out var n) ? n : -1;
    }

    /// <summary>"port  4: rx …", "port LOCAL: …", "port  \"a b\": …" → the name; <paramref name="rest"/> = index after the colon.</summary>
    private static string? PortName(string line, out int rest)
    {
        rest = 0;
        int i = "port".Length;
        while (i < line.Length && line[i] == ' ') i++;
        if (i >= line.Length) return null;
        if (line[i] == '"')
        {
            if (!OvsdbDatum.TryAtom(line.AsSpan(), ref i, out var quoted, stopAtEquals: false)) return null;
            if (i >= line.Length || line[i] != ':') return null;
            rest = i + 1;
            return quoted;
        }
        int colon = line.IndexOf(':', i);
        if (colon <= i) return null;
        rest = colon + 1;
        return line[i..colon].Trim();
    }

    private static void Counters(OvsPortStats s, string dir, string pairs)
    {
        foreach (var part in pairs.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) continue;
            long? v = long.TryParse(part.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
            switch (dir, part[..eq])
            {
                case ("rx", "pkts"): s.RxPackets = v; break;
                case ("rx", "drop"): s.RxDropped = v; break;
                case ("rx", "errs"): s.RxErrors = v; break;
                case ("tx", "pkts"): s.TxPackets = v; break;
                case ("tx", "drop"): s.TxDropped = v; break;
                case ("tx", "errs"): s.TxErrors = v; break;
            }
        }
    }
}
