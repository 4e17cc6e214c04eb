using NetSleuth.Model;

namespace NetSleuth.Import.Saved;

/// <summary>
/// Saved command outputs: a file holding one command's output, named after the command or not
/// (`ip_a.txt`, `ip-route-show-table-all`, `ip_-d_link`, `ip_netns_exec_podns_ip_-d_address`), and
/// directories of such files. Files under `netns/NS/` or `namespaces/NS/` ran in namespace NS. The
/// command is taken from the file name when it names one the content agrees with; otherwise from the
/// content (<see cref="ContentSniffer"/>).
/// </summary>
internal static class SavedOutputReader
{
    private static readonly string[] Extensions = [".txt", ".out", ".log", ".output", ".cmd", ".json"];

    /// <summary>The command a file name spells, normalised; null when it spells none.</summary>
    public static CommandLine? CommandFromFileName(string fileName)
    {
        var stem = Path.GetFileName(fileName);
        foreach (var ext in Extensions)
            if (stem.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { stem = stem[..^ext.Length]; break; }
        string[] words = stem.Contains('_') ? stem.Split('_', StringSplitOptions.RemoveEmptyEntries) : SplitDashed(stem);
        if (words.Length == 0) return null;
        var cl = CommandLine.Normalise(words);
        return cl.Argv.Count > 0 && CommandTable.Find(cl.Argv) is not null ? cl : null;
    }

    // "ip-route-show-table-all" → ip route show table all; "ip--d-link" → ip -d link
    private static string[] SplitDashed(string stem)
    {
        var result = new List<string>();
        var parts = stem.Split('-');
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 && i + 1 < parts.Length) { result.Add("-" + parts[++i]); continue; }
            if (parts[i].Length > 0) result.Add(parts[i]);
        }
        return [.. result];
    }

    /// <summary>Reads one file's lines as one command's output.</summary>
    public static ImportUnit ReadFile(IReadOnlyList<string> lines, string file, string? netns = null)
    {
        var unit = new ImportUnit();
        var fromName = CommandFromFileName(file);
        var sniffed = ContentSniffer.Guess(lines);
        var at = new SourceRef(file, 1);
        CommandLine? chosen = fromName;
        if (fromName is not null && sniffed is not null && Disagree(fromName.Argv, sniffed) &&
            lines.Any(l => l.Trim().Length > 0 && !Facts.IsToolError(l)))
        {
            unit.Warnings.Add(new Warning($"the file name says '{fromName.Text}' but the content looks like '{string.Join(' ', sniffed)}'; read as the latter", at));
            chosen = new CommandLine(sniffed, fromName.Netns, fromName.NsPid);
        }
        else if (fromName is null && sniffed is not null) chosen = new CommandLine(sniffed);
        if (chosen is null)
        {
            if (lines.Any(l => l.Trim().Length > 0))
                unit.Warnings.Add(new Warning("not recognised: neither the file name nor the content tells which command printed it", at));
            return unit;
        }
        var output = new CommandOutput(chosen.Argv, lines, file, 1, chosen.Partial);
        unit.Commands.Add(new ParsedCommand(output, chosen.Netns ?? netns, chosen.NsPid));
        return unit;
    }

    // the content tells another command than the name; the name wins when both say the same tool and
    // object (ip route get vs ip route show), except for -brief, which changes the whole format
    private static bool Disagree(IReadOnlyList<string> named, IReadOnlyList<string> sniffed)
    {
        if (CommandTable.Find(sniffed)?.Name == CommandTable.Find(named)?.Name) return false;
        var a = CommandArgs.Of(named);
        var b = CommandArgs.Of(sniffed);
        bool sameObject = a.Tool == b.Tool && (a.Object == b.Object || (a.Object is "address" or "link" && b.Object is "address" or "link"));
        return !sameObject || a.Has("-brief") != b.Has("-brief");
    }

    /// <summary>Every file of a directory of saved outputs (sub-directories netns/NS and namespaces/NS too).</summary>
    public static IEnumerable<(string Path, string? Netns)> Files(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal)) yield return (f, null);
        foreach (var sub in new[] { "netns", "namespaces" })
        {
            var d = Path.Combine(dir, sub);
            if (!Directory.Exists(d)) continue;
            foreach (var nsDir in Directory.EnumerateDirectories(d).Order(StringComparer.Ordinal))
                foreach (var f in Directory.EnumerateFiles(nsDir).Order(StringComparer.Ordinal))
                    yield return (f, Path.GetFileName(nsDir));
        }
    }
}
