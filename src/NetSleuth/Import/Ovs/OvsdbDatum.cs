using NetSleuth.Model.Collections;
using System.Text;

namespace NetSleuth.Import.Ovs;

/// <summary>One OVSDB column value as ovs-vsctl prints it: an atom, a set (a set of one is printed as
/// its atom) or a map. Atoms are kept as text without their quotes.</summary>
internal sealed class OvsdbDatum
{
    public List<string> Atoms { get; } = [];
    public List<KeyValuePair<string, string>> Map { get; } = [];
    public bool IsMap { get; set; }

    public string? Single => !IsMap && Atoms.Count == 1 ? Atoms[0] : null;

    public int? Int => int.TryParse(Single, System.Globalization.NumberStyles.Integer,
        System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    public StringMap ToDictionary()
    {
        var d = new StringMap();
        foreach (var (k, v) in Map) d[k] = v;
        return d;
    }

    // Text form (lib/db-ctl-base.c prints datums with ovsdb_datum_to_string):
    //   []   {}   up   "0a:58:0a:84:02:2e"   [10, 20]   {key="555005", remote_ip="198.51.100.201"}
    /// <summary>Parses the text form; false when the text is not a well-formed value.</summary>
    public static bool TryParseText(string text, out OvsdbDatum datum)
    {
        datum = new OvsdbDatum();
        var s = text.AsSpan().Trim();
        if (s.IsEmpty) return false;
        if (s[0] == '{')
        {
            datum.IsMap = true;
            if (s[^1] != '}') return false;
            var body = s[1..^1];
            int i = 0;
            while (true)
            {
                SkipSpaces(body, ref i);
                if (i >= body.Length) return true;
                if (!TryAtom(body, ref i, out var key, stopAtEquals: true)) return false;
                SkipSpaces(body, ref i);
                if (i >= body.Length || body[i] != '=') return false;
                i++;
                SkipSpaces(body, ref i);
                if (!TryAtom(body, ref i, out var value, stopAtEquals: false)) return false;
                datum.Map.Add(new(key, value));
                if (!SkipComma(body, ref i)) return false;
            }
        }
        if (s[0] == '[')
        {
            if (s[^1] != ']') return false;
            var body = s[1..^1];
            int i = 0;
            while (true)
            {
                SkipSpaces(body, ref i);
                if (i >= body.Length) return true;
                if (!TryAtom(body, ref i, out var atom, stopAtEquals: false)) return false;
                datum.Atoms.Add(atom);
                if (!SkipComma(body, ref i)) return false;
            }
        }
        int j = 0;
        if (!TryAtom(s, ref j, out var single, stopAtEquals: false)) return false;
        SkipSpaces(s, ref j);
        if (j != s.Length) return false;
        datum.Atoms.Add(single);
        return true;
    }

    /// <summary>Reads one atom: a C-style quoted string or a bare word up to ',' (or '=' in map keys).</summary>
    public static bool TryAtom(ReadOnlySpan<char> s, ref int i, out string atom, bool stopAtEquals)
    {
        atom = "";
        if (i >= s.Length) return false;
        if (s[i] == '"')
        {
            var sb = new StringBuilder();
            for (i++; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '"') { i++; atom = sb.ToString(); return true; }
                if (c == '\\' && i + 1 < s.Length)
                {
                    char e = s[++i];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                }
                else sb.Append(c);
            }
            return false;
        }
        int start = i;
        while (i < s.Length && s[i] != ',' && !(stopAtEquals && s[i] == '=')) i++;
        atom = s[start..i].TrimEnd().ToString();
        return atom.Length > 0;
    }

    private static void SkipSpaces(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && s[i] == ' ') i++;
    }

    private static bool SkipComma(ReadOnlySpan<char> s, ref int i)
    {
        SkipSpaces(s, ref i);
        if (i >= s.Length) return true;
        if (s[i] != ',') return false;
        i++;
        return true;
    }
}
