using System.Text;

namespace NetSleuth.Forwarding;

/// <summary>
/// Renders a trace as an engineer's notes: the packet, then one line per step grouped by the namespace
/// it happened in, the deciding step marked (✗ dies, ✓ delivered), the verdict, and the assumptions.
/// </summary>
public static class TraceText
{
    public static string Render(TraceResult result)
    {
        var sb = new StringBuilder();
        var r = result.Request;
        sb.Append("trace ").Append(r.Protocol).Append(" from ").Append(r.Host)
          .Append(r.Namespace is null or "root" ? "" : ":" + r.Namespace)
          .Append(r.Device is null ? "" : ":" + r.Device)
          .Append(" to ").Append(r.Destination).Append('\n');
        if (result.Endpoint is { } ep) sb.Append("endpoint: ").Append(ep).Append('\n');
        Body(sb, result);
        sb.Append('\n').Append(result.Delivered ? "RESULT: delivered both ways\n" : "RESULT: NOT delivered — " + Verdict(result) + "\n");
        if (result.Alternatives is { Count: > 0 } alts)
        {
            sb.Append("\nthe other endpoints the packet can reach (").Append(alts.Count).Append("):\n");
            foreach (var a in alts)
            {
                sb.Append("\n--- endpoint: ").Append(a.Endpoint).Append('\n');
                Body(sb, a);
                sb.Append('\n').Append(a.Delivered ? "RESULT (this endpoint): delivered both ways\n" : "RESULT (this endpoint): NOT delivered — " + Verdict(a) + "\n");
            }
        }
        return sb.ToString();
    }

    private static void Body(StringBuilder sb, TraceResult result)
    {
        Write(sb, "forward", result.Forward);
        if (result.Reply is { } reply) Write(sb, "reply", reply);
        else if (result.Request.TraceReply) sb.Append("\nreply: not traced (the request was not delivered)\n");
    }

    private static string Verdict(TraceResult r) =>
        !r.Forward.Delivered ? $"request {r.Forward.Disposition} at {r.Forward.At}" : $"reply {r.Reply?.Disposition} at {r.Reply?.At}";

    private static void Write(StringBuilder sb, string title, Trace t)
    {
        sb.Append('\n').Append(title).Append(": ").Append(t.Flow).Append('\n');
        int n = 0;
        foreach (var hop in t.Hops)
        {
            sb.Append("  [").Append(hop.Node).Append("]\n");
            foreach (var step in hop.Steps)
            {
                n++;
                bool last = ReferenceEquals(step, t.FinalStep);
                var mark = !last ? "  " : t.Delivered ? "✓ " : "✗ ";
                sb.Append("   ").Append(mark).Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2)).Append(". ").Append(step.Text);
                if (step.Evidence is { } ev) sb.Append("   ‹").Append(ev).Append('›');
                sb.Append('\n');
            }
        }
        sb.Append("  => ").Append(t.Disposition);
        if (t.Delivered) sb.Append(": ").Append(t.Reason);
        else if (t.At is not null) sb.Append(" at ").Append(t.At);
        sb.Append('\n');
        if (t.Missing is { } m) sb.Append("  missing input: ").Append(m).Append('\n');
        foreach (var a in t.Assumptions) sb.Append("  assumed: ").Append(a).Append('\n');
    }
}
