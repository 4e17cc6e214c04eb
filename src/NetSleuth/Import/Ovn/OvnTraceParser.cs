using System.Text.RegularExpressions;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovn;

/// <summary>
/// Reads a saved `ovn-trace DATAPATH MICROFLOW` (the default detailed format, OVN 23.x) into <see cref="OvnState.Traces"/>:
/// the packet, the logical ports it is output to, or the stage that drops it.
/// <code>
/// # icmp,reg14=0x2,vlan_tci=0x0000,dl_src=0a:58:c6:12:02:02,dl_dst=7e:e5:f7:e6:f5:1a,nw_src=198.18.2.2,…
///
/// ingress(dp="worker", inport="k8s-worker")
/// -----------------------------------------
///  0. ls_in_check_port_sec (northd.c:8432): 1, priority 50, uuid 45694c83
///     reg0[15] = check_in_port_sec();
///     next;
/// …
///  9. ls_out_apply_port_sec (northd.c:5775): reg0[15] == 1, priority 50, uuid decc32e7
///     drop;
/// </code>
/// A delivered packet ends with `/* output to "default_peerpod", type "" */`.
/// </summary>
internal static partial class OvnTraceParser
{
    [GeneratedRegex(@"^(?:ingress|egress)\(dp=""(?<dp>[^""]+)""")] private static partial Regex Pipeline();
    [GeneratedRegex(@"^\s*\d+\.\s+(?<stage>[a-z0-9_]+)\s+\(")] private static partial Regex Stage();
    [GeneratedRegex(@"^\s*/\* output to ""(?<port>[^""]+)""")] private static partial Regex OutputTo();

    public static bool Matches(IReadOnlyList<string> argv) => argv.Count >= 1 && argv[0] == "ovn-trace";

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        string? flow = null, dp = null, firstDp = null, stage = null, dropAt = null;
        int flowLine = -1;
        bool pipelines = false;
        var outputs = new List<string>();
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var l = output.Lines[i];
            if (flow is null && l.StartsWith("# ", StringComparison.Ordinal)) { flow = l[2..].Trim(); flowLine = i; continue; }
            if (Pipeline().Match(l) is { Success: true } p) { dp = p.Groups["dp"].Value; firstDp ??= dp; pipelines = true; continue; }
            if (Stage().Match(l) is { Success: true } s) { stage = s.Groups["stage"].Value; continue; }
            if (OutputTo().Match(l) is { Success: true } o) { outputs.Add(o.Groups["port"].Value); continue; }
            if (l.Trim() == "drop;" && stage is not null) dropAt = $"{stage} ({dp})";
        }
        if (flow is null || !pipelines)
        {
            log.Warn(output, flow is null ? 0 : flowLine, $"{output.CommandText}: {(flow is null ? "no '# FLOW' header line" : "no ingress(dp=…) pipeline")}: not an ovn-trace output, not read");
            return;
        }
        var state = OvnNbctl.State(ns, output.At(flowLine));
        state.Traces.Add(new RecordedTrace
        {
            Tool = "ovn-trace", Bridge = firstDp, Flow = flow, Outputs = outputs,
            Dropped = outputs.Count == 0 && dropAt is not null,
            Verdict = outputs.Count > 0 ? "output to " + string.Join(", ", outputs) : dropAt is not null ? "drop at " + dropAt : "no output and no drop shown",
            Source = output.At(flowLine),
        });
    }
}
