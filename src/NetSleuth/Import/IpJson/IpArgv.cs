namespace NetSleuth.Import.IpJson;

/// <summary>
/// Reads an iproute2 command line (ip, tc, bridge) the way iproute2 does: global options first
/// (some take a value), then the object, matched by prefix ("ip a" = address, "ip r" = route).
/// </summary>
internal static class IpArgv
{
    private static readonly string[] OptionsWithValue = ["-n", "-netns", "-f", "-family", "-b", "-batch", "-rc", "-rcvbuf", "-l", "-loops", "-c", "-color"];

    /// <summary>The words after the global options: [object, verb, args…]; empty when there is no object.</summary>
    public static IReadOnlyList<string> Rest(IReadOnlyList<string> argv)
    {
        int i = 1;
        while (i < argv.Count && argv[i].StartsWith('-'))
        {
            var o = argv[i].TrimStart('-');
            i += OptionsWithValue.Any(x => x.TrimStart('-') == o) && !argv[i].Contains('=') ? 2 : 1;
        }
        return i < argv.Count ? argv.Skip(i).ToList() : [];
    }

    public static bool HasOption(IReadOnlyList<string> argv, params string[] names)
    {
        int i = 1;
        while (i < argv.Count && argv[i].StartsWith('-'))
        {
            var o = argv[i].TrimStart('-');
            if (names.Any(n => n.TrimStart('-') == o)) return true;
            bool takesValue = OptionsWithValue.Any(x => x.TrimStart('-') == o);
            // short options may be glued: "-jd", "-dj"
            if (!takesValue && !argv[i].StartsWith("--", StringComparison.Ordinal) && o.Length is > 1 and <= 4 && o.All(char.IsLetter) &&
                names.Any(n => n.TrimStart('-').Length == 1 && o.Contains(n.TrimStart('-')[0])))
                return true;
            i += takesValue && !argv[i].Contains('=') ? 2 : 1;
        }
        return false;
    }

    public static bool IsJson(IReadOnlyList<string> argv) => HasOption(argv, "-j", "-json");
    public static bool IsDetails(IReadOnlyList<string> argv) => HasOption(argv, "-d", "-details");

    /// <summary>4, 6, or 0 (unspecified) from -4/-6/-f inet/-family inet6.</summary>
    public static int Family(IReadOnlyList<string> argv)
    {
        if (HasOption(argv, "-4")) return 4;
        if (HasOption(argv, "-6")) return 6;
        for (int i = 1; i + 1 < argv.Count; i++)
            if (argv[i] is "-f" or "-family")
                return argv[i + 1] switch { "inet" => 4, "inet6" => 6, _ => 0 };
        return 0;
    }

    /// <summary>"bridge" when -f bridge / -family bridge.</summary>
    public static string? FamilyName(IReadOnlyList<string> argv)
    {
        for (int i = 1; i + 1 < argv.Count; i++)
            if (argv[i] is "-f" or "-family") return argv[i + 1];
        return null;
    }

    /// <summary>True when the object word abbreviates <paramref name="full"/> (at least <paramref name="min"/> letters).</summary>
    public static bool IsObject(IReadOnlyList<string> argv, string tool, string full, int min = 1)
    {
        if (argv.Count == 0 || Path.GetFileName(argv[0]) != tool) return false;
        var rest = Rest(argv);
        return rest.Count > 0 && rest[0].Length >= min && full.StartsWith(rest[0], StringComparison.Ordinal);
    }

    /// <summary>The value after <paramref name="key"/> in the command's arguments ("dev eth0" → eth0).</summary>
    public static string? Arg(IReadOnlyList<string> argv, string key)
    {
        var rest = Rest(argv);
        for (int i = 0; i + 1 < rest.Count; i++)
            if (rest[i] == key) return rest[i + 1];
        return null;
    }

    public static bool HasWord(IReadOnlyList<string> argv, string word) => Rest(argv).Contains(word);
}
