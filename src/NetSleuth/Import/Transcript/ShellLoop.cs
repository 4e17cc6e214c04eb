using System.Text.RegularExpressions;
using NetSleuth.Model;

namespace NetSleuth.Import.Transcript;

/// <summary>
/// A `for` loop whose output says which iteration printed what, because the body echoes the loop
/// variable before the one command it runs:
/// <code>
/// # for ns in $(ip netns ls | cut -d' ' -f1); do echo "== $ns"; ip netns exec $ns ip -br a; done
/// == 5f0e8c3a-9d2b-4c61-a7e4-2b9f1c6d8e30
/// lo               UNKNOWN        127.0.0.1/8
/// eth0@if6         UP             198.18.2.46/23
/// </code>
/// Each block that follows an echoed line is read as that command with the variable set to the echoed
/// value. A loop of any other shape, or one whose output holds no echoed line, is not read here (the
/// caller skips its output with a warning): output is never given to an iteration it cannot be tied to.
/// </summary>
internal static partial class ShellLoop
{
    [GeneratedRegex(@"^for\s+(?<var>[A-Za-z_]\w*)\s+in\s+.+?;\s*do\s+echo\s+(?<q>[""']?)(?<echo>[^""';]*)\k<q>\s*;\s*(?<cmd>[^;&|]+(?:\|[^;&|]+)*?)\s*;?\s*done\s*$")]
    private static partial Regex EchoThenCommand();

    /// <summary>Reads the loop's output per iteration; false when the loop is not of that shape or its output shows no iteration.</summary>
    public static bool TryRead(string command, IReadOnlyList<string> lines, int start, int end, string file,
        Dictionary<string, string> vars, Func<string, Dictionary<string, string>, CommandLine> parse, Action<CommandLine, CommandOutput> add, ImportUnit unit)
    {
        var m = EchoThenCommand().Match(command.Trim());
        if (!m.Success) return false;
        var name = m.Groups["var"].Value;
        var echo = m.Groups["echo"].Value;
        var cmd = m.Groups["cmd"].Value;
        // the echoed text holds the variable once: the rest of it marks where an iteration starts
        var use = Regex.Match(echo, @"\$(?:\{" + name + @"\}|" + name + @"\b)");
        if (!use.Success || echo.IndexOf('$', use.Index + use.Length) >= 0) return false;
        if (!Regex.IsMatch(cmd, @"\$(?:\{" + name + @"\}|" + name + @"\b)")) return false;
        var marker = new Regex("^" + Regex.Escape(echo[..use.Index]) + @"(?<v>\S+)" + Regex.Escape(echo[(use.Index + use.Length)..]) + @"\s*$");
        var blocks = new List<(string Value, int From, int To)>();
        for (int k = start; k < end; k++)
        {
            var mm = marker.Match(lines[k]);
            if (!mm.Success) continue;
            if (blocks.Count > 0) blocks[^1] = blocks[^1] with { To = k };
            blocks.Add((mm.Groups["v"].Value, k + 1, end));
        }
        if (blocks.Count == 0) return false;
        if (blocks[0].From - 1 > start && Enumerable.Range(start, blocks[0].From - 1 - start).Any(k => lines[k].Trim().Length > 0))
            unit.Warnings.Add(new Warning("output before the loop's first echoed line skipped: no iteration can be tied to it", new SourceRef(file, start + 1)));
        foreach (var (value, from, to) in blocks)
        {
            var local = new Dictionary<string, string>(vars, StringComparer.Ordinal) { [name] = value };
            var cl = parse(cmd, local);
            var at = new SourceRef(file, from);
            if (cl.Problem is not null || cl.Argv.Count == 0 || CommandTable.Find(cl.Argv) is null)
            {
                unit.Warnings.Add(new Warning($"loop iteration {name}={value}: output of '{cmd}' skipped: {cl.Problem ?? "not a command netsleuth reads"}", at));
                continue;
            }
            var body = new List<string>(to - from);
            for (int k = from; k < to; k++) body.Add(lines[k]);
            while (body.Count > 0 && body[^1].Trim().Length == 0) body.RemoveAt(body.Count - 1);
            add(cl, new CommandOutput(cl.Argv, body, file, from + 1, cl.Partial));
        }
        return true;
    }
}
