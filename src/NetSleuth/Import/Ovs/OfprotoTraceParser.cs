using System.Text.RegularExpressions;

namespace NetSleuth.Import.Ovs;

/// <summary>One flow an `ovs-appctl ofproto/trace` went through: `10. ip,reg0=0x1,nw_dst=198.18.2.0/23, priority 100, cookie 0x16`
/// (a table with no match: `73. No match.`, <see cref="Matched"/> false).</summary>
internal sealed record OfprotoTraceStep(int Table, string Match, int Priority, string? Cookie, bool Matched, int Line);

/// <summary>`ovs-appctl ofproto/trace BRIDGE FLOW` as Open vSwitch 3.x prints it (ofproto/ofproto-dpif-trace.c): the
/// flow, the bridge, each table's flow, the final flow and the datapath actions (`drop`, or port numbers of the datapath).</summary>
internal sealed partial record OfprotoTrace(string Flow, string? Bridge, List<OfprotoTraceStep> Steps, string? DatapathActions)
{
    [GeneratedRegex(@"^\s*(?<t>\d+)\.\s+(?:(?<m>.*?),\s*)?priority (?<p>\d+)(?:,\s*cookie (?<c>0x[0-9a-f]+))?\s*$")] private static partial Regex StepLine();
    [GeneratedRegex(@"^\s*(?<t>\d+)\.\s+No match\.")] private static partial Regex NoMatch();
    [GeneratedRegex(@"^bridge\(""(?<b>[^""]+)""\)")] private static partial Regex BridgeLine();

    /// <summary>The output read, or null when it is not one.</summary>
    public static OfprotoTrace? Read(IReadOnlyList<string> lines)
    {
        string? flow = null, bridge = null, actions = null;
        var steps = new List<OfprotoTraceStep>();
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            if (l.StartsWith("Flow: ", StringComparison.Ordinal)) flow ??= l[6..].Trim();
            else if (BridgeLine().Match(l) is { Success: true } b) bridge ??= b.Groups["b"].Value;
            else if (l.StartsWith("Datapath actions: ", StringComparison.Ordinal)) actions = l[18..].Trim();
            else if (StepLine().Match(l) is { Success: true } s)
                steps.Add(new OfprotoTraceStep(int.Parse(s.Groups["t"].Value), s.Groups["m"].Value, int.Parse(s.Groups["p"].Value),
                    s.Groups["c"].Success ? s.Groups["c"].Value : null, true, i + 1));
            else if (NoMatch().Match(l) is { Success: true } n)
                steps.Add(new OfprotoTraceStep(int.Parse(n.Groups["t"].Value), "", 0, null, false, i + 1));
        }
        return flow is null ? null : new OfprotoTrace(flow, bridge, steps, actions);
    }

    /// <summary>The datapath dropped the packet (`Datapath actions: drop`).</summary>
    public bool Dropped => DatapathActions is "drop" or "";
}
