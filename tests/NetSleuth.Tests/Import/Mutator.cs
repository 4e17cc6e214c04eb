using System.Text;

namespace NetSleuth.Tests.Import;

/// <summary>Deterministic damage to real outputs: what truncation, copy-paste, bad disks and hostile input do.</summary>
internal static class Mutator
{
    public static readonly string[] Names =
    [
        "original", "truncated", "lines-deleted", "lines-duplicated", "lines-swapped", "bytes-flipped",
        "binary-injected", "huge-line", "unicode", "crlf", "empty", "shuffled", "indent-lost",
    ];

    public static List<string> Apply(string name, IReadOnlyList<string> lines, Random rnd)
    {
        var l = lines.ToList();
        int Pick() => l.Count == 0 ? 0 : rnd.Next(l.Count);
        switch (name)
        {
            case "original": break;
            case "truncated":
                var text = string.Join('\n', l);
                text = text[..rnd.Next(text.Length + 1)];
                l = text.Split('\n').ToList();
                break;
            case "lines-deleted":
                for (int i = 0; i < 1 + l.Count / 5 && l.Count > 0; i++) l.RemoveAt(Pick());
                break;
            case "lines-duplicated":
                for (int i = 0; i < 1 + l.Count / 5 && l.Count > 0; i++) { int k = Pick(); l.Insert(k, l[k]); }
                break;
            case "lines-swapped":
                for (int i = 0; i < 3 && l.Count > 1; i++) { int a = Pick(), b = Pick(); (l[a], l[b]) = (l[b], l[a]); }
                break;
            case "bytes-flipped":
                for (int i = 0; i < 1 + l.Count; i++)
                {
                    int k = Pick();
                    if (l.Count == 0 || l[k].Length == 0) continue;
                    var chars = l[k].ToCharArray();
                    chars[rnd.Next(chars.Length)] = (char)rnd.Next(0, 256);
                    l[k] = new string(chars);
                }
                break;
            case "binary-injected":
                var bin = new char[512];
                for (int i = 0; i < bin.Length; i++) bin[i] = (char)rnd.Next(0, 256);
                l.Insert(Pick(), new string(bin));
                l.Insert(Pick(), "\0\0\0\u0001\u00ff{[\"");
                break;
            case "huge-line":
                var sb = new StringBuilder(150_000);
                string[] tokens = ["a", " ", "{", "[", "\"", "=", ",", ":", "-A ", "port ", "}", "]", "\\"];
                while (sb.Length < 150_000) sb.Append(tokens[rnd.Next(tokens.Length)]);
                l.Insert(Pick(), sb.ToString());
                l.Insert(Pick(), new string('x', 150_000));
                break;
            case "unicode":
                for (int i = 0; i < l.Count; i++)
                    l[i] = l[i].Replace(' ', rnd.Next(3) == 0 ? '\u00a0' : ' ').Replace('-', rnd.Next(4) == 0 ? '\u2013' : '-');
                if (l.Count > 0) l[0] = "\ufeff" + l[0];
                l.Insert(Pick(), "\u202e\ud800 \udfff 🐧 é\u0301 ＝ ：");
                break;
            case "crlf":
                l = l.Select(x => x + "\r").ToList();
                break;
            case "empty":
                l.Clear();
                break;
            case "shuffled":
                l = l.OrderBy(_ => rnd.Next()).ToList();
                break;
            case "indent-lost":
                l = l.Select(x => x.TrimStart()).ToList();
                break;
        }
        return l;
    }
}
