using NetSleuth.Import.Ovn;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads a saved `ovs-appctl ofproto/trace BRIDGE FLOW` (<see cref="OfprotoTrace"/>) into <see cref="OvsState.Traces"/>:
/// the packet, the OpenFlow ports it went out of and the datapath actions, shown beside the tracer's own verdict.
/// <code>
/// Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=0a:58:c6:12:02:02,dl_dst=0a:58:0a:84:02:2e,nw_src=198.18.2.2,…
///
/// bridge("br-int")
/// ----------------
///  0. in_port=2, priority 100, cookie 0x42c37582
///     …
/// Datapath actions: drop
/// </code>
/// </summary>
internal static class OfprotoTraceImport
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 2 && argv[0] == "ovs-appctl" && argv.Skip(1).Any(a => a is "ofproto/trace" or "ofproto-trace");

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var t = OfprotoTrace.Read(output.Lines);
        if (t is null)
        {
            log.Warn(output, 0, $"{output.CommandText}: no 'Flow:' line: not an ofproto/trace output, not read");
            return;
        }
        int flowLine = output.Lines.ToList().FindIndex(l => l.StartsWith("Flow: ", StringComparison.Ordinal));
        if (t.DatapathActions is null)
        {
            log.Warn(output, output.Lines.Count - 1, $"{output.CommandText}: no 'Datapath actions:' line (the output is cut): not read");
            return;
        }
        foreach (var s in t.Steps.Where(s => s.Matched && s.Table > 255))
            log.Warn(output, s.Line - 1, $"{output.CommandText}: table {s.Table} is not an OpenFlow table");
        var state = OvsBuilder.State(ns, output.At(flowLine));
        state.Traces.Add(new RecordedTrace
        {
            Tool = "ofproto/trace", Bridge = t.Bridge ?? BridgeFromArgv(output.Argv), Flow = t.Flow, Outputs = t.Outputs,
            Dropped = t.Dropped, Verdict = "Datapath actions: " + t.DatapathActions, Source = output.At(flowLine),
        });
    }

    private static string? BridgeFromArgv(IReadOnlyList<string> argv)
    {
        int i = argv.ToList().FindIndex(a => a is "ofproto/trace" or "ofproto-trace");
        return i >= 0 && i + 1 < argv.Count ? argv[i + 1] : null;
    }
}
