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
    /// <summary>The blank-separated words of <paramref name="line"/>. Words iproute2 and tc print on almost every
    /// line (keywords, flags, common numbers) come back as one shared string each instead of a new copy.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static string[] Words(string line)
    {
        var s = line.AsSpan();
        int n = 0;
        for (int i = 0; i < s.Length; i++)
            if (s[i] is not (' ' or '\t') && (i == 0 || s[i - 1] is ' ' or '\t')) n++;
        if (n == 0) return [];
        var words = new string[n];
        for (int i = 0, k = 0; k < n; k++)
        {
            while (s[i] is ' ' or '\t') i++;
            int start = i;
            while (i < s.Length && s[i] is not (' ' or '\t')) i++;
            var w = s[start..i];
            words[k] = w.Length <= CommonWords.MaxLength && CommonWords.Lookup.TryGetValue(w, out var shared) ? shared : w.ToString();
        }
        return words;
    }

    /// <summary>Marks <paramref name="section"/> known unless the output was cut (then what is absent is unknown).</summary>
    public static void MarkKnown(CommandOutput output, NetNamespace ns, params string[] sections)
    {
        if (output.Partial) return;
        foreach (var s in sections) ns.Known.Add(s);
    }

    /// <summary>The link named <paramref name="name"/> (or with that index), created when first seen.</summary>
    public static Link GetOrAddLink(NetNamespace ns, int? index, string name, SourceRef at)
    {
        var links = LinkLookup.Of(ns);
        var link = links.ByName(name);
        if (link is null && index is > 0) link = links.NamelessByIndex(index.Value);
        if (link is null)
        {
            link = new Link { Index = index ?? 0, Name = name, Source = at };
            links.Add(link);
        }
        else if (index is > 0) links.Renumber(link, index.Value);
        return link;
    }

    /// <summary>Adds to <paramref name="list"/>, an entry for the same object (same key) replacing the older one:
    /// a later output of the same table wins, the state may have changed between two commands.
    /// Constant time per entry (a full BGP table is a million routes); the key index is kept with the list
    /// between outputs, so a hundred `ip neigh | grep X` of one namespace do not index it a hundred times.</summary>
    public static Upserter<T, TKey> Upsert<T, TKey>(List<T> list, Func<T, TKey> key) where T : class where TKey : notnull =>
        Upserter<T, TKey>.For(list, key);

    /// <summary>Two readings of one neighbour entry (same address, device, proxy flag): the later is the entry, and
    /// the earlier readings that held another MAC are kept on it (<see cref="Neighbor.EarlierReadings"/>) with their
    /// lines — the conflict may be the very symptom (an entry that flips between two owners), which the check
    /// neighbor-mac-changed reports. A reading with no MAC (INCOMPLETE, FAILED) disagrees with nothing.</summary>
    public static void KeepEarlierReadings(Neighbor? earlier, Neighbor later, SourceRef at, ImportLog log)
    {
        if (earlier is null || ReferenceEquals(earlier, later)) return;
        if (earlier.EarlierReadings.Count > 0) later.EarlierReadings.InsertRange(0, earlier.EarlierReadings);
        if (earlier.Mac is not { } was || was == later.Mac) return;
        later.EarlierReadings.Add(new NeighborReading { Mac = was, State = [.. earlier.State], Source = earlier.Source });
        if (later.Mac is { } now)
            log.Warn(at, $"neighbour {later.Address} dev {later.Device}: {now} here, but {was} at {earlier.Source?.ToString() ?? "an earlier reading"}; " +
            "both readings are kept, the later is the entry (see the finding neighbor-mac-changed)");
    }

    /// <summary>Drops the indexes the import kept for <paramref name="ns"/> (links, tables); a later use rebuilds them.</summary>
    public static void ForgetIndexes(NetNamespace ns)
    {
        LinkLookup.Forget(ns);
        UpsertIndexes.Forget(ns.Routes);
        UpsertIndexes.Forget(ns.Rules);
        UpsertIndexes.Forget(ns.Neighbors);
        UpsertIndexes.Forget(ns.Fdb);
        UpsertIndexes.Forget(ns.Qdiscs);
        UpsertIndexes.Forget(ns.Filters);
        foreach (var t in ns.Iptables) UpsertIndexes.Forget(t.Chains);
    }

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
        if (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && s.AsSpan().Count('.') != 3) return null;
        return a;
    }

    /// <summary>An error line the tool printed instead of output ("RTNETLINK answers: …", "Cannot find device …").</summary>
    public static bool IsToolError(string line)
    {
        var t = line.AsSpan().TrimStart(); // every output line comes here: no copy
        if (t.IsEmpty) return false;
        if (t[0] is not ('R' or 'E' or 'C' or 'D' or 'O' or 's' or 'U' or 'W')) return t.Contains("command not found", StringComparison.Ordinal);
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

/// <summary>See <see cref="Facts.Upsert"/>. The index maps each key to the position of its entry; entries
/// appended by others (the JSON readers add directly) are indexed on the next <see cref="Add"/>, a list that
/// got shorter is re-indexed. Same answers as a scan: the last entry with a key is the one replaced.</summary>
internal sealed class Upserter<T, TKey> where T : class where TKey : notnull
{
    private readonly List<T> _list;
    private readonly Func<T, TKey> _key;
    private readonly Dictionary<TKey, int> _index = [];
    private int _indexed;

    private Upserter(List<T> list, Func<T, TKey> key)
    {
        _list = list;
        _key = key;
    }

    public static Upserter<T, TKey> For(List<T> list, Func<T, TKey> key)
    {
        if (UpsertIndexes.Table.TryGetValue(list, out var o) && o is Upserter<T, TKey> u && u._key.Equals(key)) return u;
        u = new Upserter<T, TKey>(list, key);
        UpsertIndexes.Table.AddOrUpdate(list, u);
        return u;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public T? Add(T item)
    {
        if (_list.Count < _indexed) { _index.Clear(); _indexed = 0; }
        for (; _indexed < _list.Count; _indexed++) _index[_key(_list[_indexed])] = _indexed;
        var k = _key(item);
        T? replaced = null;
        if (_index.TryGetValue(k, out var at) && at < _list.Count)
        {
            replaced = _list[at];
            _list[at] = item;
        }
        else
        {
            _index[k] = _list.Count;
            _list.Add(item);
        }
        _indexed = _list.Count;
        return replaced;
    }
}

/// <summary>The <see cref="Upserter{T, TKey}"/> kept with each list while an import fills it.</summary>
internal static class UpsertIndexes
{
    public static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Table = new();

    public static void Forget(object list) => Table.Remove(list);
}
