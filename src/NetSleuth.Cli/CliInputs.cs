using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Cli;

/// <summary>
/// The inputs of the analysis commands (import, topology, trace, diagnose): loads them, says what
/// was read when some input gave nothing, and refuses (exit 2, with the reason per input) when
/// nothing at all could be read.
/// </summary>
internal static class CliInputs
{
    /// <summary>How many input warnings a command that is not about its input (diagnose) shows.</summary>
    public const int ShortList = 10;

    /// <summary>Loads SPECS; WARNINGS: every warning, a short list, or none on standard error.</summary>
    public static Snapshot Load(IReadOnlyList<string> specs, CliContext ctx, WarningList warnings = WarningList.All)
    {
        LoadedInputs loaded;
        if (specs.Count(s => InputLoader.SplitSpec(s).Path == "-") > 1) throw new UsageException("'-' (standard input) can be given once");
        loaded = InputLoader.LoadInputs(specs);
        var all = loaded.Snapshot.Warnings.Concat(loaded.Snapshot.Hosts.SelectMany(h => h.Warnings.Select(w => (h.Name, w))).Select(x => x.w)).ToList();
        if (warnings == WarningList.All)
            foreach (var w in all) ctx.Warn(w.ToString());
        else if (warnings == WarningList.Short && all.Count > 0)
        {
            ctx.EndProgress();
            foreach (var w in all.Take(ShortList)) ctx.Warn(w.ToString());
            if (all.Count > ShortList)
                ctx.Err.WriteLine($"… and {all.Count - ShortList} more input warnings; all of them: netsleuth import {string.Join(' ', specs.Select(Util.Shell.Quote))} -o /dev/null");
        }
        if (loaded.NothingRead)
        {
            ctx.EndProgress();
            var lines = new List<string> { "nothing could be read from the inputs:" };
            foreach (var r in loaded.Reads) lines.Add($"  {r.Path}: {(r.Nothing ? Reason(r.Path, all) : r.What + ", but no namespace")}");
            throw new BadInputException(string.Join('\n', lines));
        }
        if (loaded.Reads.Any(r => r.Nothing))
        {
            ctx.EndProgress();
            foreach (var r in loaded.Reads.Where(r => r.Nothing)) ctx.Warn($"nothing read from {r.Path}: {Reason(r.Path, all)}");
            ctx.Err.WriteLine("read: " + string.Join("; ", loaded.Reads.Where(r => !r.Nothing).Select(r => $"{r.Path} ({r.What})")));
        }
        return loaded.Snapshot;
    }

    /// <summary>Why PATH gave nothing: its first warning, or a general word.</summary>
    private static string Reason(string path, IReadOnlyList<Warning> warnings)
    {
        foreach (var w in warnings)
            if (w.Source is { } at && (at.File == path || at.File.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal)))
                return (at.File == path ? "" : at.ToString() + ": ") + w.Message;
        return "no command output or snapshot that netsleuth reads";
    }
}

/// <summary>Which input warnings a command prints on standard error.</summary>
internal enum WarningList
{
    All,
    Short,
    None,
}

/// <summary>Input that gave nothing to work on: printed as given, exit code 2.</summary>
internal sealed class BadInputException(string message) : Exception(message);
