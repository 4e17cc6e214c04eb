using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>A view of a normalised iproute2 argv: tool, options, object, verb and the words after the verb.</summary>
internal sealed record CommandArgs(string Tool, IReadOnlyList<string> Options, string? Object, string? Verb, IReadOnlyList<string> Rest)
{
    /// <summary>The view of <paramref name="argv"/>, normalised first when it is not yet (`ip -d a` → `ip -details address show`),
    /// so callers that build argv by hand (a sosreport's file names) get the same view.</summary>
    public static CommandArgs Of(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return new("", [], null, null, []);
        argv = Iproute2Syntax.Expand(argv, out _) ?? argv;
        int i = 1;
        var opts = new List<string>();
        while (i < argv.Count && argv[i].StartsWith('-')) opts.Add(argv[i++]);
        string? obj = i < argv.Count ? argv[i++] : null;
        string? verb = i < argv.Count ? argv[i++] : null;
        return new(argv[0], opts, obj, verb, argv.Skip(i).ToList());
    }

    public bool Is(string tool, string obj, string verb = "show") => Tool == tool && Object == obj && Verb == verb;
    public bool Has(string option) => Options.Contains(option);
    public bool V6 => Has("-6");
    public bool V4 => Has("-4");

    /// <summary>The word after <paramref name="keyword"/> in the arguments ("dev" → "eth0").</summary>
    public string? Arg(string keyword)
    {
        for (int i = 0; i + 1 < Rest.Count; i++)
            if (Rest[i] == keyword) return Rest[i + 1];
        return null;
    }

    /// <summary>True when the arguments select only part of the table (a device, a prefix, …) — other than
    /// the words in <paramref name="allowed"/>.</summary>
    public bool Selects(params string[] allowed) => Rest.Any(w => !allowed.Contains(w));
}

/// <summary>Small helpers every parser shares.</summary>
internal static class Facts
{
    private static readonly char[] Blanks = [' ', '\t'];

    public static string[] Words(string line) => line.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Marks <paramref name="section"/> known unless the output was cut (then what is absent is unknown).</summary>
    public static void MarkKnown(CommandOutput output, NetNamespace ns, params string[] sections)
    {
        if (output.Partial) return;
        foreach (var s in sections) ns.Known.Add(s);
    }

    /// <summary>The link named <paramref name="name"/> (or with that index), created when first seen.</summary>
    public static Link GetOrAddLink(NetNamespace ns, int? index, string name, SourceRef at)
    {
        var link = ns.FindLink(name);
        if (link is null && index is > 0) link = ns.Links.FirstOrDefault(l => l.Index == index && l.Name.Length == 0);
        if (link is null)
        {
            link = new Link { Index = index ?? 0, Name = name, Source = at };
            ns.Links.Add(link);
        }
        else if (index is > 0) link.Index = index.Value;
        return link;
    }

    /// <summary>Adds to <paramref name="list"/>, an entry for the same object (same key) replacing the older one:
    /// a later output of the same table wins, the state may have changed between two commands.
    /// Linear in the number of entries (a full BGP table is a million routes).</summary>
    public static Upserter<T> Upsert<T>(List<T> list, Func<T, string> key) => new(list, key);

    public static int? Int(string? s) =>
        int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    public static uint? UInt(string? s)
    {
        if (s is null) return null;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : null;
        return uint.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public static System.Net.IPAddress? Ip(string? s)
    {
        if (s is null) return null;
        int pct = s.IndexOf('%');
        if (pct > 0) s = s[..pct];
        if (!System.Net.IPAddress.TryParse(s, out var a)) return null;
        if (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && s.Count(c => c == '.') != 3) return null;
        return a;
    }

    /// <summary>An error line the tool printed instead of output ("RTNETLINK answers: …", "Cannot find device …").</summary>
    public static bool IsToolError(string line)
    {
        var t = line.TrimStart();
        return t.StartsWith("RTNETLINK answers:", StringComparison.Ordinal) || t.StartsWith("Error:", StringComparison.Ordinal) ||
            t.StartsWith("Cannot find device", StringComparison.Ordinal) || t.StartsWith("Device \"", StringComparison.Ordinal) ||
            t.StartsWith("Command \"", StringComparison.Ordinal) || t.StartsWith("Object \"", StringComparison.Ordinal) ||
            t.StartsWith("Cannot open network namespace", StringComparison.Ordinal) || t.StartsWith("setting the network namespace", StringComparison.Ordinal) ||
            t.StartsWith("Usage:", StringComparison.Ordinal) || t.Contains("command not found", StringComparison.Ordinal) ||
            t.StartsWith("We have an error talking to the kernel", StringComparison.Ordinal) || t.StartsWith("Exiting", StringComparison.Ordinal);
    }

    /// <summary>Warns for each error line of the output and says whether every non-empty line was one.</summary>
    public static bool OnlyErrors(CommandOutput output, ImportLog log)
    {
        bool any = false, allErrors = true;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(output.Lines[i])) continue;
            any = true;
            if (IsToolError(output.Lines[i])) log.Warn(output, i, $"'{output.CommandText}' printed an error: {output.Lines[i].Trim()}");
            else allErrors = false;
        }
        return any && allErrors;
    }
}

/// <summary>See <see cref="Facts.Upsert"/>.</summary>
internal sealed class Upserter<T>(List<T> list, Func<T, string> key)
{
    private Dictionary<string, int>? _index;

    public void Add(T item)
    {
        if (_index is null)
        {
            _index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < list.Count; i++) _index[key(list[i])] = i;
        }
        var k = key(item);
        if (_index.TryGetValue(k, out var at)) list[at] = item;
        else
        {
            _index[k] = list.Count;
            list.Add(item);
        }
    }
}
