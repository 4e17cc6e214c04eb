namespace NetSleuth.Tests.Import;

/// <summary>One stated fact of a corpus fixture: where it holds ("HOST", "HOST:NS", "HOST:*" or "*"), its
/// kind ("neigh", "route", …), its positional words and its key=value options.</summary>
internal sealed record CorpusFact(string Scope, string Kind, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Options, int Line)
{
    public string Opt(string key) => Options.TryGetValue(key, out var v) ? v : "";
    public override string ToString() => $"expect.txt:{Line}: [{Scope}] {Kind} {string.Join(' ', Args)}" +
        (Options.Count == 0 ? "" : " " + string.Join(' ', Options.Select(kv => kv.Key + "=" + kv.Value)));
}

/// <summary>The parsed expect.txt of a corpus fixture (format: Fixtures/real/NOTE.md).</summary>
internal sealed class CorpusExpectations
{
    public List<string> Sources { get; } = [];
    public string? Cause { get; private set; }
    /// <summary>A cause the thread states but the input does not show (`cause-unshown:`): nothing to rank, said why.</summary>
    public string? CauseUnshown { get; private set; }
    public List<CorpusFact> Facts { get; } = [];
    public List<string> TopMentions { get; } = [];

    public static CorpusExpectations Read(string path)
    {
        var e = new CorpusExpectations();
        string scope = "*";
        int n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("source:", StringComparison.Ordinal)) { e.Sources.Add(line[7..].Trim()); continue; }
            if (line.StartsWith("about:", StringComparison.Ordinal)) continue;
            if (line.StartsWith("cause:", StringComparison.Ordinal)) { e.Cause = line[6..].Trim(); continue; }
            if (line.StartsWith("cause-unshown:", StringComparison.Ordinal)) { e.CauseUnshown = line[14..].Trim(); continue; }
            if (line.StartsWith('[') && line.EndsWith(']')) { scope = line[1..^1]; continue; }
            var words = Words(line);
            var args = new List<string>();
            var opts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var w in words.Skip(1))
            {
                int eq = w.IndexOf('=');
                // key=value, unless the word is a quoted argument or an operator like ">="
                if (eq > 0 && !w.StartsWith('\u0001') && IsKey(w.AsSpan(0, eq))) opts[w[..eq]] = w[(eq + 1)..];
                else args.Add(w.TrimStart('\u0001'));
            }
            var fact = new CorpusFact(scope, words[0], args, opts, n);
            if (fact.Kind == "top-mentions") e.TopMentions.AddRange(args);
            else e.Facts.Add(fact);
        }
        return e;
    }

    private static bool IsKey(ReadOnlySpan<char> s)
    {
        if (!char.IsLetter(s[0])) return false;
        foreach (var c in s)
            if (!char.IsLetterOrDigit(c) && c is not ('_' or '-')) return false;
        return true;
    }

    // splits on blanks, keeping "quoted text" whole (\" inside is a quote); a quoted word is marked so that
    // an '=' inside it is not read as an option
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < line.Length && line[i + 1] == '"') { cur.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cur.Append(c);
                continue;
            }
            if (c == '"') { quoted = true; if (!any) cur.Append('\u0001'); any = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (any) { words.Add(cur.ToString()); cur.Clear(); any = false; }
                continue;
            }
            cur.Append(c);
            any = true;
        }
        if (any) words.Add(cur.ToString());
        return words;
    }
}
