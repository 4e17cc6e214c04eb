using System.Globalization;
using System.Text;

namespace NetSleuth.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A lab or collect operation failed (prefix in use, missing program, a command it ran), or an internal error.</summary>
    public const int Internal = 1;
    public const int BadInput = 2;
    /// <summary>The command ran and found a problem (trace not delivered, diagnose error finding).</summary>
    public const int ProblemFound = 3;
    /// <summary>collect --ssh / --kubernetes: some hosts were collected, others not (each named on stderr).</summary>
    public const int Partial = 4;
}

/// <summary>Bad command-line usage; printed as one line plus a hint, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <param name="Name">long name without dashes ("format")</param>
/// <param name="ValueName">null for a flag; otherwise the placeholder shown in help ("FILE")</param>
internal sealed record OptionSpec(string Name, string? ValueName, string Help, char? Short = null, bool Repeatable = false)
{
    public bool IsFlag => ValueName is null;
    public string Display => (Short is null ? "    " : $"-{Short}, ") + $"--{Name}" + (ValueName is null ? "" : $" {ValueName}");
}

internal sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    public List<string> Positionals { get; } = [];

    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = [];
        list.Add(value);
    }

    public bool Has(string name) => _values.ContainsKey(name);
    public string? Get(string name) => _values.TryGetValue(name, out var l) ? l[^1] : null;
    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var l) ? l : [];

    public int? GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException($"--{name} wants a whole number between {min} and {max}, not '{s}'");
        return n;
    }

    public string GetChoice(string name, string defaultValue, params string[] choices)
    {
        var s = Get(name) ?? defaultValue;
        if (!choices.Contains(s))
            throw new UsageException($"--{name} must be one of {string.Join(", ", choices)}, not '{s}'");
        return s;
    }
}

internal sealed class CliContext(TextWriter stdout, TextWriter stderr, bool stderrIsTerminal)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;
    /// <summary>Progress lines go to stderr only when it is a terminal.</summary>
    public bool ShowProgress { get; } = stderrIsTerminal;

    public void Progress(string message)
    {
        if (ShowProgress) Err.Write("\r\u001b[K" + message);
    }

    public void EndProgress()
    {
        if (ShowProgress) Err.Write("\r\u001b[K");
    }

    public void Warn(string message) => Err.WriteLine("warning: " + message);

    /// <summary>Writes the command's output to -o FILE, or stdout.</summary>
    public void WriteOutput(ParsedArgs args, string text)
    {
        var file = args.Get("output");
        if (file is null || file == "-") Out.Write(text);
        else
        {
            try { File.WriteAllText(file, text); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write {file}: {e.Message}");
            }
        }
    }
}

/// <summary>A command of the command line. Thin: parses its options and calls the library.</summary>
internal abstract class CliCommand
{
    public abstract string Name { get; }
    public abstract string Summary { get; }
    /// <summary>The part of the usage line after the command name ("[options] INPUT...").</summary>
    public virtual string Usage => "[options]";
    /// <summary>Extra help text after the options (examples, notes).</summary>
    public virtual string? Details => null;
    public virtual IReadOnlyList<OptionSpec> Options => [];
    public virtual IReadOnlyList<CliCommand> Subcommands => [];
    /// <summary>The full command path ("lab up"), set by the parent.</summary>
    public string Path { get; set; } = "";

    public abstract int Execute(ParsedArgs args, CliContext ctx);

    public static readonly OptionSpec Help = new("help", null, "show this help", 'h');
    public static readonly OptionSpec Output = new("output", "FILE", "write to FILE instead of standard output", 'o');

    public static OptionSpec Format(params string[] formats) =>
        new("format", string.Join('|', formats), $"output format (default {formats[0]})");

    public virtual string HelpText()
    {
        var path = string.IsNullOrEmpty(Path) ? Name : Path;
        var sb = new StringBuilder();
        sb.Append("netsleuth ").Append(path).Append(" — ").Append(Summary).Append('\n').Append('\n');
        if (Subcommands.Count > 0)
        {
            sb.Append("Usage: netsleuth ").Append(path).Append(" COMMAND [options]\n\nCommands:\n");
            foreach (var c in Subcommands) sb.Append("  ").Append(c.Name.PadRight(12)).Append(c.Summary).Append('\n');
            sb.Append("\nRun 'netsleuth ").Append(path).Append(" COMMAND --help' for a command's options.\n");
            return sb.ToString();
        }
        sb.Append("Usage: netsleuth ").Append(path).Append(' ').Append(Usage).Append('\n');
        var opts = Options.Append(Help).ToList();
        sb.Append("\nOptions:\n");
        int width = opts.Max(o => o.Display.Length) + 2;
        foreach (var o in opts) sb.Append("  ").Append(o.Display.PadRight(width)).Append(o.Help).Append('\n');
        if (Details is { } d) sb.Append('\n').Append(d.TrimEnd()).Append('\n');
        return sb.ToString();
    }

    /// <summary>Parses GNU-style options: --name VALUE, --name=VALUE, -x VALUE, flags, and "--".</summary>
    public ParsedArgs Parse(IReadOnlyList<string> argv)
    {
        var result = new ParsedArgs();
        var opts = Options.Append(Help).ToList();
        bool onlyPositionals = false;
        for (int i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            if (onlyPositionals || a == "-" || !a.StartsWith('-'))
            {
                result.Positionals.Add(a);
                continue;
            }
            if (a == "--") { onlyPositionals = true; continue; }
            string? inline = null;
            OptionSpec? spec;
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var name = a[2..];
                int eq = name.IndexOf('=');
                if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
                spec = opts.FirstOrDefault(o => o.Name == name);
            }
            else
            {
                spec = a.Length == 2 ? opts.FirstOrDefault(o => o.Short == a[1]) : null;
            }
            if (spec is null) throw new UsageException($"unknown option '{a}' for '{Path}'");
            if (spec.IsFlag)
            {
                if (inline is not null) throw new UsageException($"--{spec.Name} takes no value");
                result.Add(spec.Name, "true");
                continue;
            }
            var value = inline ?? (i + 1 < argv.Count ? argv[++i] : throw new UsageException($"--{spec.Name} needs a value ({spec.ValueName})"));
            if (!spec.Repeatable && result.Has(spec.Name)) throw new UsageException($"--{spec.Name} given twice");
            result.Add(spec.Name, value);
        }
        return result;
    }
}
