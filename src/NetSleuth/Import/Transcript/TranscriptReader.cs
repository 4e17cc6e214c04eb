using System.Text.RegularExpressions;
using NetSleuth.Import.Saved;
using NetSleuth.Model;

namespace NetSleuth.Import.Transcript;

/// <summary>
/// Splits a pasted terminal session into commands and their outputs:
/// <code>
/// [root@worker ~]# NS=cni-5f3c…
/// [root@worker ~]# ip netns exec $NS ip -d link show vxlan1
/// 7: vxlan1@if7: &lt;BROADCAST,MULTICAST,UP,LOWER_UP&gt; mtu 1500 …
/// [root@worker ~]# ip neigh | grep 198.18.2.46        ← output cut: partial
/// </code>
/// Tracks shell variables, `ip netns exec NS bash` / `nsenter … bash` shells until `exit`, a netns shown
/// in the prompt, "\"-continued command lines, and "[snip]"/"[snap]"-style markers (the output becomes partial).
/// </summary>
internal static partial class TranscriptReader
{
    [GeneratedRegex(@"^\s*(?:[\[\(<]\s*)?(?:-+\s*)?(?:sn[ia]p(?:ped)?|truncated|cut|\.\.\.|output (?:omitted|truncated)|\d+ lines? (?:omitted|snipped))(?:\s*-+)?(?:\s*[\]\)>])?\s*$|^\s*\.\.\..*\.\.\.\s*$|^--$", RegexOptions.IgnoreCase)]
    private static partial Regex SnipMarker();

    // every snip marker contains one of these (most output lines contain none: no regex for them)
    private static readonly System.Buffers.SearchValues<string> SnipWords =
        System.Buffers.SearchValues.Create(["snip", "snap", "trunc", "cut", "...", "omitted", "--"], StringComparison.OrdinalIgnoreCase);

    private static bool IsSnipMarker(string line) => line.AsSpan().ContainsAny(SnipWords) && SnipMarker().IsMatch(line);

    /// <summary>True when the text holds at least one prompt line with a command (or a command netsleuth
    /// reads typed with no prompt).</summary>
    public static bool LooksLikeTranscript(IReadOnlyList<string> lines) =>
        lines.Take(400).Any(l => CommandAt(l) is { Command.Length: > 0 });

    /// <summary>The command typed on this line: after a prompt, or alone (see <see cref="Prompt.TryTyped"/>).</summary>
    private static Prompt? CommandAt(string line) => Prompt.TryMatch(line) ?? Prompt.TryTyped(line);

    [GeneratedRegex(@"^\s*```")]
    private static partial Regex Fence();

    // a fan-out tool's line naming the host the next lines come from: "=== 10.0.0.1 ===", "----- node1 -----",
    // "node1 | CHANGED | rc=0 >>" (ansible), "node1: " alone is too common in outputs to count
    [GeneratedRegex(@"^\s*(?:(?<m>[=#*-]){3,}\s*(?<host>[\w.:-]+)\s*\k<m>{3,}|(?<host>[\w.-]+)\s+\|\s+(?:CHANGED|SUCCESS|FAILED)\s+\|\s+rc=\d+\s+>>)\s*$")]
    private static partial Regex Banner();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static ImportUnit Read(IReadOnlyList<string> lines, string file)
    {
        var unit = new ImportUnit();
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var shells = new Stack<(string? Netns, int? Pid)>();
        var hostsSeen = new List<string>();
        int i = 0;
        // output before the first prompt: the paste lost its first line(s)
        int firstPrompt = 0;
        while (firstPrompt < lines.Count && CommandAt(lines[firstPrompt]) is null) firstPrompt++;
        var fenced = FenceMap(lines);
        // a document (markdown fences, or a code block indented by four spaces): its prose before the first command is no output
        bool document = fenced is not null || (firstPrompt < lines.Count && Indent(lines[firstPrompt]) >= 4);
        if (firstPrompt > 0 && lines.Take(firstPrompt).Any(l => l.Trim().Length > 0) &&
            !(document && Enumerable.Range(0, firstPrompt).All(k => lines[k].Trim().Length == 0 || fenced is null ? Indent(lines[k]) < 4 : !fenced[k])))
            ReadOrphan(lines, 0, firstPrompt, file, fenced, unit);
        i = firstPrompt;
        var next = i < lines.Count ? CommandAt(lines[i]) : null;
        while (i < lines.Count)
        {
            var prompt = next!;
            int cmdLine = i + 1; // 1-based line of the prompt
            var command = prompt.Command;
            i++;
            while (command.EndsWith('\\') && i < lines.Count)
            {
                command = command[..^1] + " " + Regex.Replace(lines[i], @"^\s*>\s?", "");
                i++;
            }
            int start = i;
            next = null;
            while (i < lines.Count && (next = CommandAt(lines[i])) is null) i++;
            if (prompt.Host is { } h && !hostsSeen.Contains(h)) hostsSeen.Add(h);
            ReadCommand(command, prompt, lines, start, i, cmdLine, file, vars, shells, fenced, Indent(lines[cmdLine - 1]), unit);
        }
        unit.HostName = hostsSeen.FirstOrDefault();
        foreach (var other in hostsSeen.Skip(1))
        {
            if (ShortName(other) == ShortName(unit.HostName!)) continue;
            unit.OtherHostNames.Add(other);
            unit.Warnings.Add(new Warning($"the prompts also name host '{other}'; the whole transcript is read as host '{unit.HostName}'", new SourceRef(file)));
        }
        return unit;
    }

    private static string ShortName(string host) => host.Split('.')[0];

    private static void ReadCommand(string command, Prompt prompt, IReadOnlyList<string> lines, int start, int end, int cmdLine,
        string file, Dictionary<string, string> vars, Stack<(string? Netns, int? Pid)> shells, bool[]? fenced, int indent, ImportUnit unit)
    {
        var at = new SourceRef(file, cmdLine);
        bool hasOutput = false;
        for (int k = start; k < end && !hasOutput; k++) hasOutput = !string.IsNullOrWhiteSpace(lines[k]);
        var trimmed = command.Trim();
        if (trimmed.Length == 0) return;
        if (trimmed is "exit" or "logout" || trimmed.StartsWith("exit ", StringComparison.Ordinal))
        {
            if (shells.Count > 0) shells.Pop();
            return;
        }
        if (hasOutput && trimmed.StartsWith("for ", StringComparison.Ordinal) &&
            ShellLoop.TryRead(trimmed, lines, start, end, file, vars, CommandLine.Parse, (loop, output) =>
            {
                var (ns, p) = (loop.Netns, loop.NsPid);
                if (ns is null && p is null && shells.Count > 0) (ns, p) = shells.Peek();
                unit.Commands.Add(new ParsedCommand(output, ns, p));
            }, unit))
            return;
        var cl = CommandLine.Parse(trimmed, vars);
        if (cl.EntersShell) { shells.Push((cl.Netns, cl.NsPid)); return; }
        if (cl.Argv.Count == 0) return;
        if (cl.Problem is not null)
        {
            if (hasOutput) unit.Warnings.Add(new Warning($"output of '{trimmed}' skipped: {cl.Problem}", at));
            return;
        }
        if (cl.NoOutput) return;
        if (CommandTable.Find(cl.Argv) is null)
        {
            if (!hasOutput) return;
            unit.Warnings.Add(new Warning($"output of '{trimmed}' skipped: not a command netsleuth reads", at));
            return;
        }
        var (outLines, partial) = Body(lines, start, end, fenced, indent);
        string? netns = cl.Netns;
        int? pid = cl.NsPid;
        if (netns is null && pid is null && prompt.Netns is not null) netns = prompt.Netns;
        if (netns is null && pid is null && shells.Count > 0) (netns, pid) = shells.Peek();
        foreach (var (host, from, to) in BannerSections(outLines))
        {
            var output = new CommandOutput(cl.Argv, outLines.GetRange(from, to - from), file, start + 1 + from, cl.Partial || partial);
            unit.Commands.Add(new ParsedCommand(output, netns, pid, host));
        }
    }

    /// <summary>
    /// One command's output split where a fan-out tool's banner names the host the next lines come from
    /// ("=========== 10.14.7.42 ==========="): (host, first line, end) per section, the lines before the first
    /// banner with a null host (the transcript's own). Without banners: the whole output, host null.
    /// Banner lines become blank lines so that line numbers stay those of the file.
    /// </summary>
    private static List<(string? Host, int From, int To)> BannerSections(List<string> lines)
    {
        var result = new List<(string?, int, int)>();
        string? host = null;
        int from = 0;
        for (int k = 0; k < lines.Count; k++)
        {
            if (lines[k].Length < 7 || Banner().Match(lines[k]) is not { Success: true } m) continue;
            if (k > from || host is not null) result.Add((host, from, k));
            host = m.Groups["host"].Value;
            lines[k] = "";
            from = k;
        }
        if (result.Count == 0 && host is null) return [(null, 0, lines.Count)];
        result.Add((host, from, lines.Count));
        return result;
    }

    /// <summary>For a text with markdown fences (```), which lines are inside a fenced block; null when it has none.</summary>
    private static bool[]? FenceMap(IReadOnlyList<string> lines)
    {
        bool[]? map = null;
        bool inside = false;
        for (int k = 0; k < lines.Count; k++)
        {
            if (lines[k].Contains("```", StringComparison.Ordinal) && Fence().IsMatch(lines[k]))
            {
                map ??= new bool[lines.Count];
                inside = !inside;
                continue; // the fence line itself is in no block
            }
            if (map is not null) map[k] = inside;
        }
        return map;
    }

    /// <summary>The output lines; "[snip]"-style markers become blank lines and make the output partial.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    private static int Indent(string line)
    {
        int n = 0;
        while (n < line.Length && line[n] == ' ') n++;
        return n;
    }

    private static (List<string> Lines, bool Partial) Body(IReadOnlyList<string> lines, int start, int end, bool[]? fenced, int indent = 0)
    {
        // a command in a code block indented by four spaces (markdown): its output ends at the first less indented line
        if (indent >= 4 && (fenced is null || !fenced[Math.Max(0, start - 1)]))
            for (int k = start; k < end; k++)
                if (lines[k].Trim().Length > 0 && Indent(lines[k]) < indent) { end = k; break; }
        var body = new List<string>(end - start);
        bool partial = false;
        // in a document with fences, the output is what the fences hold: prose and headings between them are not
        bool fences = false;
        if (fenced is not null)
            for (int k = start; k < end && !fences; k++) fences = fenced[k] || Fence().IsMatch(lines[k]);
        for (int k = start; k < end; k++)
        {
            if (fences && !fenced![k]) body.Add("");
            else if (IsSnipMarker(lines[k]) || (fences && lines[k].Trim() == "(...)")) { body.Add(""); partial = true; }
            else body.Add(lines[k]);
        }
        while (body.Count > 0 && body[^1].Trim().Length == 0) body.RemoveAt(body.Count - 1);
        return (body, partial);
    }

    private static void ReadOrphan(IReadOnlyList<string> lines, int start, int end, string file, bool[]? fenced, ImportUnit unit)
    {
        var (body, _) = Body(lines, start, end, fenced);
        var argv = ContentSniffer.Guess(body);
        var at = new SourceRef(file, start + 1);
        if (argv is null)
        {
            unit.Warnings.Add(new Warning("output before the first prompt skipped: its command line is missing and the content is not recognised", at));
            return;
        }
        unit.Warnings.Add(new Warning($"output before the first prompt read as '{string.Join(' ', argv)}' (recognised from its content; the command line is missing, so it is partial)", at));
        unit.Commands.Add(new ParsedCommand(new CommandOutput(argv, body, file, start + 1, Partial: true)));
    }
}
