using System.Text;
using System.Text.RegularExpressions;

namespace NetSleuth.Import;

/// <summary>
/// Undoes what copy-paste does to terminal text: CRLF, ANSI colours, non-breaking and other Unicode
/// spaces, "smart" dashes and quotes, zero-width characters, a byte-order mark, backspace overstrikes.
/// </summary>
internal static partial class TextCleaner
{
    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)|[@-Z\\-_])")]
    private static partial Regex Ansi();

    /// <summary>True when <paramref name="line"/> has nothing to clean: printable ASCII and tabs only (almost every line).</summary>
    private static bool IsClean(string line)
    {
        var s = line.AsSpan();
        for (int i = s.IndexOfAnyExceptInRange(' ', '~'); i >= 0 && i < s.Length; i++)
            if (s[i] is (< ' ' and not '\t') or > '~') return false;
        return true;
    }

    /// <summary>The lines of <paramref name="reader"/>'s text after <paramref name="head"/> (text already read from it),
    /// split at '\n' and passed through <paramref name="clean"/> (default <see cref="CleanLine"/>) — the lines
    /// <see cref="Lines"/> gives for the whole text, without holding the whole text as one string.</summary>
    public static List<string> ReadLines(TextReader reader, ReadOnlySpan<char> head = default, Func<string, string>? clean = null)
    {
        clean ??= CleanLine;
        var result = new List<string>();
        var pending = new StringBuilder();
        void Feed(ReadOnlySpan<char> chunk)
        {
            int start = 0;
            for (int nl; (nl = chunk[start..].IndexOf('\n')) >= 0; start += nl + 1)
            {
                var segment = chunk.Slice(start, nl);
                string line;
                if (pending.Length > 0)
                {
                    line = pending.Append(segment).ToString();
                    pending.Clear();
                }
                else line = new string(segment);
                result.Add(clean(line));
            }
            pending.Append(chunk[start..]);
        }
        Feed(head);
        var buf = System.Buffers.ArrayPool<char>.Shared.Rent(1 << 14); // a sosreport is thousands of small files
        try
        {
            for (int n; (n = reader.Read(buf, 0, buf.Length)) > 0;) Feed(buf.AsSpan(0, n));
        }
        finally { System.Buffers.ArrayPool<char>.Shared.Return(buf); }
        result.Add(clean(pending.ToString()));
        if (result[^1].Length == 0) result.RemoveAt(result.Count - 1);
        return result;
    }

    /// <summary>Splits text into cleaned lines (no line ends).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static List<string> Lines(string text)
    {
        var lines = text.Split('\n');
        var result = new List<string>(lines.Length);
        foreach (var l in lines) result.Add(CleanLine(l));
        if (result.Count > 0 && result[^1].Length == 0) result.RemoveAt(result.Count - 1);
        return result;
    }

    public static string CleanLine(string line)
    {
        if (IsClean(line)) return line;
        if (line.Contains('\x1B')) line = Ansi().Replace(line, "");
        var sb = new StringBuilder(line.Length);
        foreach (var c in line)
        {
            switch (c)
            {
                case '\r' or '\uFEFF' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\x07': break;
                case '\b': if (sb.Length > 0) sb.Length--; break;
                case '\u00A0' or '\u2007' or '\u202F' or '\u2009' or '\u200A' or '\u2002' or '\u2003' or '\u3000': sb.Append(' '); break;
                case '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2212' or '\uFE63' or '\uFF0D': sb.Append('-'); break;
                case '\u2014' or '\u2015': sb.Append("--"); break;
                case '\u2018' or '\u2019' or '\u201B': sb.Append('\''); break;
                case '\u201C' or '\u201D' or '\u201F': sb.Append('"'); break;
                case '\u2026': sb.Append("..."); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
