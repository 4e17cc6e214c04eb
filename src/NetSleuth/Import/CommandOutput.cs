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

/// <summary>Warnings gathered while importing; each names file and line. A run of the same warning on
/// consecutive lines (a block of text no parser reads) is told once, with where the run ends.</summary>
public sealed partial class ImportLog
{
    private readonly List<Warning> _warnings = [];
    public IReadOnlyList<Warning> Warnings => _warnings;

    // the open run: the key of its message, its first warning, how many more, its last line
    private string? _runKey;
    private Warning? _runFirst;
    private int _runMore, _runLast;

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|(?<=^unrecognised line[^:]*): .*$")]
    private static partial System.Text.RegularExpressions.Regex Variable();

    public void Warn(SourceRef at, string message, string? ns = null)
    {
        if (_runFirst is { Source: { } first } && first.File == at.File && at.Line > _runLast && at.Line <= _runLast + 2 &&
            _warnings.Count > 0 && ReferenceEquals(_warnings[^1], _runLatest) && Variable().Replace(message, "") == _runKey)
        {
            _runMore++;
            _runLast = at.Line;
            _warnings[^1] = _runLatest = _runFirst with { Message = $"{_runFirst.Message} (and {_runMore} more such line{(_runMore == 1 ? "" : "s")}, to line {_runLast})" };
            return;
        }
        var w = new Warning(message, at, ns);
        _warnings.Add(w);
        _runKey = Variable().Replace(message, "");
        _runFirst = _runLatest = w;
        _runMore = 0;
        _runLast = at.Line;
    }

    private Warning? _runLatest;
    public void Warn(CommandOutput output, int index, string message) => Warn(output.At(index), message);
}

/// <summary>A parser: reads one command's output into the namespace it was run in.</summary>
public delegate void CommandParser(CommandOutput output, NetNamespace ns, ImportLog log);
