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
        Write(sb, "forward", result.Forward);
        if (result.Reply is { } reply) Write(sb, "reply", reply);
        else if (r.TraceReply) sb.Append("\nreply: not traced (the request was not delivered)\n");
        sb.Append('\n').Append(result.Delivered ? "RESULT: delivered both ways\n" : "RESULT: NOT delivered — " + Verdict(result) + "\n");
        return sb.ToString();
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
