using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Loads the inputs of every analysis command: <c>[HOST=]PATH</c>, where PATH is a snapshot JSON,
/// a text file of command outputs or a transcript, or a directory (saved outputs, a sosreport).
/// Inputs naming the same host are merged into one host.
/// </summary>
public static class InputLoader
{
    /// <summary>Loads and merges every input. Unreadable input raises <see cref="InputException"/>;
    /// problems inside an input become warnings in the snapshot.</summary>
    public static Snapshot Load(IEnumerable<string> specs)
    {
        var result = new Snapshot();
        foreach (var spec in specs)
        {
            var (hostName, path) = SplitSpec(spec);
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new InputException(path, 0, "no such file or directory");
            Snapshot part = LoadOne(path, hostName);
            Merge(result, part);
        }
        return result;
    }

    /// <summary>"worker=out.txt" → ("worker", "out.txt"); a path containing '=' before any '/' counts as HOST=.</summary>
    public static (string? Host, string Path) SplitSpec(string spec)
    {
        int eq = spec.IndexOf('=');
        int slash = spec.IndexOf('/');
        if (eq > 0 && (slash < 0 || eq < slash) && !File.Exists(spec)) return (spec[..eq], spec[(eq + 1)..]);
        return (null, spec);
    }

    private static Snapshot LoadOne(string path, string? hostName)
    {
        if (Directory.Exists(path))
            throw new InputException(path, 0, "directory inputs are not supported yet");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, 0, e.Message);
        }
        if (!SnapshotJson.LooksLikeSnapshot(text.AsSpan(0, Math.Min(text.Length, 4096))))
            throw new InputException(path, 1, "not a snapshot file (text inputs are not supported yet)");
        var snap = SnapshotJson.Deserialize(text, path);
        if (hostName is not null)
        {
            if (snap.Hosts.Count != 1)
                throw new InputException(path, 0, $"HOST= names one host, but the snapshot has {snap.Hosts.Count}");
            snap.Hosts[0].Name = hostName;
        }
        return snap;
    }

    /// <summary>Adds <paramref name="part"/>'s hosts to <paramref name="into"/>; a host already there gets the new namespaces.</summary>
    public static void Merge(Snapshot into, Snapshot part)
    {
        into.Warnings.AddRange(part.Warnings);
        foreach (var h in part.Hosts)
        {
            var existing = into.Hosts.FirstOrDefault(x => x.Name == h.Name);
            if (existing is null) { into.Hosts.Add(h); continue; }
            existing.Warnings.AddRange(h.Warnings);
            existing.Meta.Sources.AddRange(h.Meta.Sources);
            foreach (var ns in h.Namespaces)
            {
                if (existing.FindNamespace(ns.Id) is null) existing.Namespaces.Add(ns);
                else existing.Warnings.Add(new Warning($"namespace {ns.Id} given twice for host {h.Name}; the first one is kept"));
            }
        }
    }
}
