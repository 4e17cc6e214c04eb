using System.Text;

namespace NetSleuth.Util;

/// <summary>POSIX shell quoting for every command NetSleuth prints or runs through a shell.</summary>
public static class Shell
{
    /// <summary>Quotes one word so `sh` reads it back unchanged; plain words stay bare.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsSafe)) return word;
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Joins words into one command line, quoting each as needed.</summary>
    public static string Join(params IEnumerable<string> words)
    {
        var sb = new StringBuilder();
        foreach (var w in words)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Quote(w));
        }
        return sb.ToString();
    }

    private static bool IsSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or
            '-' or '_' or '.' or '/' or ':' or '@' or '%' or '+' or '=' or ',';
}
