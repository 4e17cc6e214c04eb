using System.Text;
using NetSleuth.Diagnosis;

namespace NetSleuth.Render;

/// <summary>Renders a diagnosis for a terminal: a summary line, then each finding, most severe first.</summary>
public static class DiagnosisText
{
    private const int Width = 100;

    public static string Render(DiagnosisReport report)
    {
        var sb = new StringBuilder();
        int errors = report.Findings.Count(f => f.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Severity == Severity.Warning);
        int infos = report.Findings.Count(f => f.Severity == Severity.Info);
        sb.Append($"diagnosis of {Plural(report.Hosts.Count, "host")} ({string.Join(", ", report.Hosts.Take(8))}{(report.Hosts.Count > 8 ? ", …" : "")}): ");
        sb.Append($"{Plural(errors, "error")}, {Plural(warnings, "warning")}, {Plural(infos, "note")}");
        sb.Append(report.PathsPlanned > report.PathsChecked
            ? $"; {report.PathsChecked} of {Plural(report.PathsPlanned, "path")} traced before the time budget ran out, {report.PathsBroken} broken{Undecided(report)}\n"
            : $"; {Plural(report.PathsChecked, "path")} traced, {report.PathsBroken} broken{Undecided(report)}\n");
        if (report.InputWarnings.Count > 0)
            sb.Append($"({Plural(report.InputWarnings.Count, "input warning")}: the model may be incomplete where they point)\n");
        if (report.Findings.Count == 0) sb.Append("\nNo problems found.\n");
        foreach (var f in report.Findings) Finding(sb, f);
        return sb.ToString();
    }

    private static string Undecided(DiagnosisReport r) => r.PathsUndecided == 0 ? "" : $", {r.PathsUndecided} undecided (input missing)";

    private static void Finding(StringBuilder sb, Finding f)
    {
        sb.Append('\n').Append(f.Severity.ToString().ToUpperInvariant()).Append(' ').Append(f.Id).Append('\n');
        sb.Append("  ").Append(f.Title).Append('\n');
        sb.Append('\n');
        foreach (var line in Wrap(f.Explanation, Width - 2)) sb.Append("  ").Append(line).Append('\n');
        if (f.Evidence.Count > 0)
        {
            sb.Append("\n  Evidence:\n");
            int w1 = f.Evidence.Max(e => e.Where.Length), w2 = f.Evidence.Max(e => e.Kind.Length);
            foreach (var e in f.Evidence)
                sb.Append("    ").Append(e.Where.PadRight(w1)).Append("  ").Append(e.Kind.PadRight(w2)).Append("  ").Append(e.Text)
                  .Append(e.Source is null ? "" : $"  [{e.Source}]").Append('\n');
        }
        if (f.BrokenPaths.Count > 0)
        {
            sb.Append("\n  Broken paths: ").Append(string.Join(", ", f.BrokenPaths.Take(5)));
            if (f.BrokenPaths.Count > 5) sb.Append($" and {f.BrokenPaths.Count - 5} more");
            sb.Append('\n');
        }
        foreach (var step in f.Fix)
        {
            sb.Append($"\n  Fix on {step.Host}{(step.Namespace is null ? "" : $", namespace {step.Namespace}")}:\n");
            foreach (var c in step.Commands) sb.Append("    ").Append(c).Append('\n');
            if (step.Note is { } note) sb.Append("    # ").Append(note).Append('\n');
        }
        if (f.Verification is { } v) sb.Append("\n  Fix ").Append(v.Summary()).Append('\n');
        if (f.Counterfactual is { } cf)
        {
            sb.Append("\n  Counterfactual search (").Append(cf.Tried).Append(" of ").Append(cf.Generated).Append(" candidate edits tried")
                .Append(cf.GaveUp is { } g ? "; " + g : "").Append("):\n");
            if (cf.Best.Count == 0) sb.Append("    no candidate restores a path without breaking another\n");
            foreach (var c in cf.Best) sb.Append("    ").Append(c.Summary()).Append('\n');
        }
        foreach (var d in f.Decide)
            sb.Append($"\n  To decide, run on {d.Host}{(d.Namespace is null ? "" : $" (namespace {d.Namespace})")}: {d.Command}\n    ({d.Why})\n");
        if (f.Trace is { } t)
        {
            sb.Append($"\n  Trace {t.From} → {t.To}: ");
            if (t.At is { } at) sb.Append("dies at ").Append(at).Append(" — ");
            sb.Append(t.Disposition).Append('\n');
            for (int i = 0; i < t.Hops.Count; i++)
                sb.Append(t.At is not null && i == t.Hops.Count - 1 ? "  ✗ " : "    ").Append(t.Hops[i]).Append('\n');
        }
        if (f.AlsoSeenAs.Count > 0) sb.Append("\n  Same cause also found by: ").Append(string.Join(", ", f.AlsoSeenAs)).Append('\n');
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
