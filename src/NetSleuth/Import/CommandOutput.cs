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

/// <summary>
/// Warnings gathered while importing; each names file and line. Bounded, whatever the input: one
/// warning per input line at most and <see cref="MaxPerFile"/> per file; what is left out is counted
/// and summarised ("and 499,990 more like it"), never kept. A run of the same warning on consecutive
/// lines (a block of text no parser reads) is told once, with where the run ends.
/// </summary>
public sealed partial class ImportLog
{
    /// <summary>Warnings kept per input file; the rest are counted.</summary>
    public const int MaxPerFile = 100;

    private readonly List<Warning> _warnings = [];
    /// <summary>Per file: warnings kept, warnings left out, and the first line left out.</summary>
    private readonly Dictionary<string, (int Kept, long Dropped, SourceRef First)> _perFile = new(StringComparer.Ordinal);
    /// <summary>Warnings left out on a line that has a kept warning (index into _warnings → count).</summary>
    private readonly Dictionary<int, long> _sameLine = [];
    private SourceRef? _lastAt;
    private int _lastIndex = -1;
    private List<Warning>? _view;

    /// <summary>The kept warnings, then one summary per line and per file that had more.</summary>
    public IReadOnlyList<Warning> Warnings => _view ??= Summarised();

    public void Warn(SourceRef at, string message, string? ns = null)
    {
        _view = null;
        if (_lastIndex >= 0 && at.Line > 0 && at == _lastAt)
        {
            _sameLine[_lastIndex] = _sameLine.GetValueOrDefault(_lastIndex) + 1;
            return;
        }
        if (_lastIndex >= 0 && _lastIndex == _warnings.Count - 1 && _runFirst is { Source: { } first } && first.File == at.File &&
            at.Line > _runLast && at.Line <= _runLast + 2 && Variable().Replace(message, "") == _runKey)
        {
            _runMore++;
            _runLast = at.Line;
            _warnings[^1] = _runFirst with { Message = $"{_runFirst.Message} (and {_runMore} more such line{(_runMore == 1 ? "" : "s")}, to line {_runLast})" };
            _lastAt = at;
            _runs.Add(_lastIndex);
            return;
        }
        var file = at.File ?? "";
        var f = _perFile.GetValueOrDefault(file, (0, 0, at));
        if (f.Kept >= MaxPerFile)
        {
            _perFile[file] = (f.Kept, f.Dropped + 1, f.Dropped == 0 ? at : f.First);
            _lastIndex = -1;
            return;
        }
        _perFile[file] = (f.Kept + 1, f.Dropped, f.First);
        var w = new Warning(message, at, ns);
        _warnings.Add(w);
        _lastAt = at;
        _lastIndex = _warnings.Count - 1;
        _runKey = Variable().Replace(message, "");
        _runFirst = w;
        _runMore = 0;
        _runLast = at.Line;
    }

    // the open run of one warning on consecutive lines: the key of its message, its first warning, how many more, its last line
    private string? _runKey;
    private readonly HashSet<int> _runs = [];
    private Warning? _runFirst;
    private int _runMore, _runLast;

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|(?<=^unrecognised line[^:]*): .*$")]
    private static partial System.Text.RegularExpressions.Regex Variable();

    public void Warn(CommandOutput output, int index, string message) => Warn(output.At(index), message);

    private List<Warning> Summarised()
    {
        if (_sameLine.Count == 0 && _perFile.Values.All(f => f.Dropped == 0)) return _warnings;
        var all = new List<Warning>(_warnings.Count + _perFile.Count);
        for (int i = 0; i < _warnings.Count; i++)
        {
            var w = _warnings[i];
            all.Add(_sameLine.TryGetValue(i, out var n)
                ? w with { Message = $"{w.Message} (and {n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} more like it on {(_runs.Contains(i) ? "these lines" : "this line")})" }
                : w);
        }
        foreach (var (_, f) in _perFile)
            if (f.Dropped > 0)
                all.Add(new Warning($"and {f.Dropped.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} more warnings in this file from here on (only the first {MaxPerFile} are kept)", f.First));
        return all;
    }
}

/// <summary>A parser: reads one command's output into the namespace it was run in.</summary>
public delegate void CommandParser(CommandOutput output, NetNamespace ns, ImportLog log);
