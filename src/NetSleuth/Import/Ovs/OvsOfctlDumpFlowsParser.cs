using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads `ovs-ofctl dump-flows BRIDGE` (any -O version, --names or not, --no-stats) into the bridge's
/// <see cref="OvsBridge.Flows"/> (lib/ofp-flow.c ofputil_flow_stats_format):
/// <code>
/// NXST_FLOW reply (xid=0x4):
///  cookie=0x16, duration=1.710s, table=10, n_packets=0, n_bytes=0, idle_age=1, priority=100,ip,reg0=0x1,nw_dst=198.18.2.0/23 actions=resubmit(,20)
///  priority=0 actions=drop                       (--no-stats: table 0, cookie 0 left out)
/// </code>
/// Statistics and flags (duration, n_bytes, idle_age, reset_counts, …) are skipped; cookie, table, n_packets and
/// priority are kept; the rest before " actions=" are match fields. Every match field and action the tracer does not
/// model (<see cref="Forwarding.OpenFlow"/>) is named in a warning with its line. The table is known (the tracer
/// follows it) when the whole table was dumped: no flow filter on the command line and an output not cut.
/// </summary>
internal static class OvsOfctlDumpFlowsParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        OvsCommand.Parse(argv) is { Tool: "ovs-ofctl" } c && c.Word(0) is "dump-flows";

    private const int MaxNamed = 8;

    private static readonly HashSet<string> Stats = new(StringComparer.Ordinal)
    {
        "duration", "n_bytes", "idle_age", "hard_age", "idle_timeout", "hard_timeout", "importance",
        "send_flow_rem", "check_overlap", "reset_counts", "no_packet_counts", "no_byte_counts", "out_port", "out_group",
    };

    /// <summary>The bridge a dump-flows command names: "br-int", or the management socket "unix:/run/openvswitch/br-int.mgmt".</summary>
    public static string? BridgeName(string word)
    {
        if (word.Length == 0) return null;
        var w = word.StartsWith("unix:", StringComparison.Ordinal) ? word[5..] : word;
        if (w.EndsWith(".mgmt", StringComparison.Ordinal)) return Path.GetFileName(w)[..^5];
        return w.Contains('/') || w.Contains(':') ? null : w;
    }

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = OvsCommand.Parse(output.Argv);
        var name = BridgeName(cmd?.Word(1) ?? "");
        var state = OvsBuilder.State(ns, output.At(0));
        if (name is null)
        {
            if (state.Bridges.Count == 1) name = state.Bridges[0].Name;
            else
            {
                log.Warn(output, 0, $"{output.CommandText}: no bridge named on the command line and {(state.Bridges.Count == 0 ? "no bridge" : "several bridges")} known: " +
                    "the flows are not read (name the file ovs-ofctl_dump-flows_BRIDGE.txt or give the command line)");
                return;
            }
        }
        var bridge = OvsBuilder.Bridge(state, name, output.At(0));
        bridge.Flows.Clear();
        bool whole = !output.Partial && (cmd?.Words.Count ?? 0) <= 2;
        int notModelled = 0, lastNotModelled = 0;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("NXST_FLOW reply", StringComparison.Ordinal) || line.StartsWith("OFPST_FLOW reply", StringComparison.Ordinal)) continue;
            if (Flow(line) is not { } flow)
            {
                log.Warn(output, i, $"{output.CommandText}: not a flow: '{OvsVsctlShowParser.Short(line)}'");
                whole = false;
                continue;
            }
            flow.Source = output.At(i);
            bridge.Flows.Add(flow);
            if (Forwarding.OpenFlow.NotUnderstood(flow) is { } unknown)
            {
                // each of the first few named with its line; the rest counted (OVN's br-int has a hundred ct() and IPv6 flows)
                if (++notModelled <= MaxNamed)
                    log.Warn(output, i, $"{output.CommandText}: flow table={flow.Table} priority={flow.Priority}: {unknown} not modelled: a trace that reaches it is uncertain");
                else lastNotModelled = i;
            }
        }
        if (notModelled > MaxNamed)
            log.Warn(output, lastNotModelled, $"{output.CommandText}: {notModelled - MaxNamed} more flows (the last on this line) have match fields or actions not modelled; a trace that reaches one is uncertain and names it");
        bridge.FlowsKnown = whole;
    }

    /// <summary>One flow line, or null when it is not one.</summary>
    public static OvsFlow? Flow(string line)
    {
        int act = line.StartsWith("actions=", StringComparison.Ordinal) ? 0 : line.IndexOf(" actions=", StringComparison.Ordinal) + 1;
        if (act <= 0 && !line.StartsWith("actions=", StringComparison.Ordinal)) return null;
        var flow = new OvsFlow();
        // statistics are separated by ", ", flags by a space ("reset_counts priority=200"), match fields by ","
        foreach (var raw in Split(line[..act]).SelectMany(p => p.Trim().Contains('"') ? [p] : p.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var item = raw.Trim();
            if (item.Length == 0) continue;
            int eq = item.IndexOf('=');
            var key = eq < 0 ? item : item[..eq];
            var value = eq < 0 ? "" : item[(eq + 1)..];
            switch (key)
            {
                case "cookie": flow.Cookie = value is "0x0" or "0" ? null : value; continue;
                case "table":
                    if (!int.TryParse(value, out var t)) return null;
                    flow.Table = t;
                    continue;
                case "n_packets":
                    if (!long.TryParse(value, out var n)) return null;
                    flow.Packets = n;
                    continue;
                case "priority":
                    if (!int.TryParse(value, out var pr)) return null;
                    flow.Priority = pr;
                    continue;
            }
            if (Stats.Contains(key)) continue;
            flow.Match.Add(item);
        }
        var actions = line[(act + "actions=".Length)..].Trim();
        foreach (var a in Split(actions))
            if (a.Trim() is { Length: > 0 } s) flow.Actions.Add(s);
        if (flow.Actions.Count == 1 && flow.Actions[0] == "drop") flow.Actions.Clear();
        return flow;
    }

    /// <summary>Splits at the commas outside parentheses, brackets and quotes.</summary>
    public static List<string> Split(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"') quoted = !quoted;
            else if (quoted) continue;
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            else if (c == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }
}
