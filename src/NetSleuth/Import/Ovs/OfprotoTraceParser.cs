using System.Text.RegularExpressions;

namespace NetSleuth.Import.Ovs;

/// <summary>One flow an `ovs-appctl ofproto/trace` went through: `10. ip,reg0=0x1,nw_dst=198.18.2.0/23, priority 100, cookie 0x16`
/// (a table with no match: `73. No match.`, <see cref="Matched"/> false).</summary>
internal sealed record OfprotoTraceStep(int Table, string Match, int Priority, string? Cookie, bool Matched, int Line);

/// <summary>`ovs-appctl ofproto/trace BRIDGE FLOW` as Open vSwitch 3.x prints it (ofproto/ofproto-dpif-trace.c): the
/// flow, the bridge, each table's flow, the final flow and the datapath actions (`drop`, or port numbers of the datapath).</summary>
internal sealed partial record OfprotoTrace(string Flow, string? Bridge, List<OfprotoTraceStep> Steps, string? DatapathActions)
{
    /// <summary>The OpenFlow ports the flows output to (`output:3`, `output:"name"`, `IN_PORT`, `LOCAL`), in order, without
    /// those Open vSwitch skipped (`-> skipping output to input port`); a tunnel port counts even when its native tunnel
    /// could not send yet (`-> neighbor cache miss …`: see <see cref="TunnelNotes"/>).</summary>
    public List<string> Outputs { get; init; } = [];

    /// <summary>What the trace says about native tunnels (`-> tunneling to 203.0.113.2 via breth1`, `-> neighbor cache miss …`).</summary>
    public List<string> TunnelNotes { get; init; } = [];

    [GeneratedRegex(@"^\s*(?<t>\d+)\.\s+(?:(?<m>.*?),\s*)?priority (?<p>\d+)(?:,\s*cookie (?<c>0x[0-9a-f]+))?\s*$")] private static partial Regex StepLine();
    [GeneratedRegex(@"^\s*(?<t>\d+)\.\s+No match\.")] private static partial Regex NoMatch();
    [GeneratedRegex(@"^bridge\(""(?<b>[^""]+)""\)")] private static partial Regex BridgeLine();
    [GeneratedRegex(@"^\s+(?:output:(?<p>\S+)|(?<p>IN_PORT|LOCAL|NORMAL|FLOOD|ALL))\s*$")] private static partial Regex OutputLine();

    /// <summary>The output read, or null when it is not one.</summary>
    public static OfprotoTrace? Read(IReadOnlyList<string> lines)
    {
        string? flow = null, bridge = null, actions = null;
        var steps = new List<OfprotoTraceStep>();
        var outputs = new List<string>();
        var notes = new List<string>();
        int nested = -1; // the indentation of another bridge's section (a native tunnel's underlay bridge), while inside it
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            int indent = l.Length - l.TrimStart().Length;
            if (nested >= 0 && l.Trim().Length > 0 && indent < nested) nested = -1;
            if (indent > 0 && l.TrimStart().StartsWith("bridge(\"", StringComparison.Ordinal)) { nested = indent; continue; }
            if (nested >= 0) continue; // its flows and outputs are that bridge's, not this one's
            if (OutputLine().Match(l) is { Success: true } o)
            {
                bool skipped = i + 1 < lines.Count && lines[i + 1].Contains("-> skipping output", StringComparison.Ordinal);
                if (!skipped) outputs.Add(o.Groups["p"].Value.Trim('"'));
                continue;
            }
            var t = l.Trim();
            if (t.StartsWith("-> ", StringComparison.Ordinal) && (t.Contains("tunnel", StringComparison.Ordinal) || t.Contains("neighbor cache", StringComparison.Ordinal)))
                notes.Add(t[3..]);
            if (l.StartsWith("Flow: ", StringComparison.Ordinal)) flow ??= l[6..].Trim();
            else if (BridgeLine().Match(l) is { Success: true } b) bridge ??= b.Groups["b"].Value;
            else if (l.StartsWith("Datapath actions: ", StringComparison.Ordinal)) actions = l[18..].Trim();
            else if (StepLine().Match(l) is { Success: true } s)
                steps.Add(new OfprotoTraceStep(int.Parse(s.Groups["t"].Value), s.Groups["m"].Value, int.Parse(s.Groups["p"].Value),
                    s.Groups["c"].Success ? s.Groups["c"].Value : null, true, i + 1));
            else if (NoMatch().Match(l) is { Success: true } n)
                steps.Add(new OfprotoTraceStep(int.Parse(n.Groups["t"].Value), "", 0, null, false, i + 1));
        }
        return flow is null ? null : new OfprotoTrace(flow, bridge, steps, actions) { Outputs = outputs, TunnelNotes = notes };
    }

    /// <summary>The datapath dropped the packet (`Datapath actions: drop`).</summary>
    public bool Dropped => DatapathActions is "drop" or "";
}
