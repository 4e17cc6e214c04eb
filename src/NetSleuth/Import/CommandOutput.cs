using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// The output of one command as the importer found it: the command's words (after `sudo`, `ip netns
/// exec NS`, `ip -n NS` were taken off and abbreviations expanded) and its output lines, each with
/// the file line it came from. Parsers read this, never files.
/// </summary>
/// <param name="Argv">the command's words, e.g. ["ip", "-d", "link", "show", "dev", "eth0"]</param>
/// <param name="Lines">output lines, without line ends</param>
/// <param name="File">the input file the output came from</param>
/// <param name="FirstLine">1-based file line of Lines[0]</param>
/// <param name="Partial">true when the output was cut (a pipe through grep/head, a "[snip]" marker):
/// what is absent is unknown, not missing</param>
public sealed record CommandOutput(IReadOnlyList<string> Argv, IReadOnlyList<string> Lines, string File, int FirstLine, bool Partial = false)
{
    public SourceRef At(int index) => new(File, FirstLine + index);
    public string CommandText => string.Join(' ', Argv);
}

/// <summary>Warnings gathered while importing; each names file and line.</summary>
public sealed class ImportLog
{
    private readonly List<Warning> _warnings = [];
    public IReadOnlyList<Warning> Warnings => _warnings;

    public void Warn(SourceRef at, string message, string? ns = null) => _warnings.Add(new Warning(message, at, ns));
    public void Warn(CommandOutput output, int index, string message) => Warn(output.At(index), message);
}

/// <summary>A parser: reads one command's output into the namespace it was run in.</summary>
public delegate void CommandParser(CommandOutput output, NetNamespace ns, ImportLog log);
