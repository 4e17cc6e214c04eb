using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Text inputs with no HOST=, no prompt naming a host and no directory name go to one host named
/// <see cref="InputLoader.DefaultHost"/>. Two such files of one host merge well (`ip a` in one, `ip r` in the other),
/// but two hosts' pastes would make one wrong host: before a file joins, what it shows is compared with what the
/// earlier unnamed files showed — a device of one name in one namespace with another MAC or ifindex, or IPv4
/// addresses with none in common. A file that disagrees is read as its own host, named after the file, and a
/// warning names both files, the difference and the HOST= naming that avoids the guess (README: inputs).
/// </summary>
internal sealed class UnnamedInputs
{
    private readonly Dictionary<(string Ns, string Dev), Seen> _seen = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    private sealed record Seen(MacAddress? Mac, int Index, HashSet<string> V4, string File);

    /// <summary>The host the unnamed file <paramref name="path"/> joins: the default host, or its own when it disagrees.</summary>
    public string HostFor(ImportUnit unit, string path, IReadOnlyCollection<string> taken, List<Warning> warnings)
    {
        var probe = new HostBuilder(InputLoader.DefaultHost, new ImportLog());
        foreach (var c in unit.Commands)
            if (c.Host is null) probe.Apply(c.Output, c.Netns, c.Pid);
        var facts = Facts(probe.Finish());
        foreach (var (key, now) in facts)
        {
            if (!_seen.TryGetValue(key, out var was) || Differs(was, now) is not { } diff) continue;
            var own = OwnName(path, taken);
            warnings.Add(new Warning(
                $"{path} and {was.File} name no host and disagree ({(key.Ns.Length == 0 ? "" : $"namespace {key.Ns}, ")}{key.Dev}: {diff}): " +
                $"read as two hosts, '{InputLoader.DefaultHost}' and '{own}'; name them to say which is which " +
                $"({Util.Shell.Quote("HOST=" + was.File)} {Util.Shell.Quote(own + "=" + path)})", new SourceRef(path)));
            return own;
        }
        foreach (var (key, now) in facts) _seen.TryAdd(key, now with { File = path });
        return InputLoader.DefaultHost;
    }

    private static string? Differs(Seen a, Seen b)
    {
        if (a.Mac is { } m1 && b.Mac is { } m2 && m1 != m2) return $"MAC {m1} in one, {m2} in the other";
        if (a.Index > 0 && b.Index > 0 && a.Index != b.Index) return $"ifindex {a.Index} in one, {b.Index} in the other";
        if (a.V4.Count > 0 && b.V4.Count > 0 && !a.V4.Overlaps(b.V4))
            return $"{string.Join(", ", a.V4)} in one, {string.Join(", ", b.V4)} in the other";
        return null;
    }

    private static Dictionary<(string Ns, string Dev), Seen> Facts(Host h)
    {
        var d = new Dictionary<(string Ns, string Dev), Seen>();
        foreach (var ns in h.Namespaces)
            foreach (var l in ns.Links)
            {
                if (l.IsLoopback) continue;
                var v4 = new HashSet<string>(StringComparer.Ordinal);
                foreach (var a in l.Addresses) if (a.Prefix.IsV4) v4.Add(a.Prefix.ToString());
                d.TryAdd((ns.IsRoot ? "" : ns.Name ?? ns.Id, l.Name), new Seen(l.Mac, l.Index, v4, ""));
            }
        return d;
    }

    private string OwnName(string path, IReadOnlyCollection<string> taken)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        if (stem.Length == 0) stem = "input";
        var name = stem;
        for (int i = 2; taken.Contains(name) || _names.Contains(name) || name == InputLoader.DefaultHost; i++) name = $"{stem}-{i}";
        _names.Add(name);
        return name;
    }
}
