using System.Text;

namespace NetSleuth.Import;

/// <summary>Splits a shell command line into words (quotes, backslashes, $VAR / ${VAR}) and pipeline parts.</summary>
internal static class ShellWords
{
    /// <summary>One simple command of a line: its words, and what separated it from the next one.</summary>
    public sealed record Part(List<string> Words, string? Next);

    /// <summary>Splits <paramref name="line"/> at unquoted |, ;, &amp;&amp;, ||; expands variables from <paramref name="vars"/>.
    /// Unknown variables stay as written ("$NS"); <paramref name="unknown"/> collects their names.</summary>
    public static List<Part> Split(string line, IReadOnlyDictionary<string, string> vars, ICollection<string>? unknown = null)
    {
        var parts = new List<Part>();
        var words = new List<string>();
        var cur = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0'; else cur.Append(c);
                continue;
            }
            if (c == '\\' && i + 1 < line.Length && quote == '\0') { cur.Append(line[++i]); inWord = true; continue; }
            if (c == '"') { quote = quote == '"' ? '\0' : '"'; inWord = true; continue; }
            if (c == '\'' && quote == '\0') { quote = '\''; inWord = true; continue; }
            if (c == '$' && i + 1 < line.Length && (line[i + 1] == '{' || IsNameStart(line[i + 1])))
            {
                int start = i + 1, end;
                string name;
                if (line[start] == '{')
                {
                    end = line.IndexOf('}', start);
                    if (end < 0) { cur.Append(c); inWord = true; continue; }
                    name = line[(start + 1)..end];
                    i = end;
                }
                else
                {
                    end = start;
                    while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_')) end++;
                    name = line[start..end];
                    i = end - 1;
                }
                if (vars.TryGetValue(name, out var v)) cur.Append(v);
                else { cur.Append('$').Append(name); unknown?.Add(name); }
                inWord = true;
                continue;
            }
            if (quote == '\0')
            {
                if (c is ' ' or '\t')
                {
                    if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                    continue;
                }
                if (c == '#' && !inWord) break; // comment
                string? sep = c switch
                {
                    '|' when i + 1 < line.Length && line[i + 1] == '|' => "||",
                    '|' => "|",
                    '&' when i + 1 < line.Length && line[i + 1] == '&' => "&&",
                    ';' => ";",
                    _ => null,
                };
                if (sep is not null)
                {
                    if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                    parts.Add(new Part(words, sep));
                    words = [];
                    i += sep.Length - 1;
                    continue;
                }
            }
            cur.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(cur.ToString());
        if (words.Count > 0 || parts.Count == 0) parts.Add(new Part(words, null));
        return parts;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    /// <summary>True for "NAME=value" (a shell variable assignment).</summary>
    public static bool IsAssignment(string word, out string name, out string value)
    {
        name = value = "";
        int eq = word.IndexOf('=');
        if (eq <= 0 || !IsNameStart(word[0])) return false;
        for (int i = 1; i < eq; i++)
            if (!char.IsAsciiLetterOrDigit(word[i]) && word[i] != '_') return false;
        name = word[..eq];
        value = word[(eq + 1)..];
        return true;
    }
}
