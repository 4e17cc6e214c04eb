using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>
/// A copy of a snapshot that edits change, never the original: a host is deep-copied the first time an
/// edit touches it (the others are shared, read-only, so a fix on one node of a thousand copies one host).
/// <see cref="Apply"/> runs a whole script or nothing: the first command the model refuses stops it with an
/// <see cref="InputException"/> naming the command's file and line, and the copy is thrown away.
/// </summary>
public sealed class ModelCopy
{
    private readonly Snapshot _original;
    private readonly Dictionary<Host, Host> _copies = new();

    public ModelCopy(Snapshot original) => _original = original;

    /// <summary>Hosts an edit touched (by name).</summary>
    public IReadOnlyCollection<string> TouchedHosts => _copies.Values.Select(h => h.Name).ToList();

    /// <summary>The snapshot as edited so far: the copied hosts in place of the originals, the rest shared.</summary>
    public Snapshot Result => new()
    {
        FormatVersion = _original.FormatVersion,
        Hosts = _original.Hosts.Select(h => _copies.TryGetValue(h, out var c) ? c : h).ToList(),
        Warnings = _original.Warnings,
    };

    /// <summary>Applies every modelled command of the script in order; commands the model does not take are skipped
    /// here (the script lists them, <see cref="WhatIfScript.NotModelled"/>).</summary>
    /// <exception cref="InputException">a command the model refuses (unknown device, no such route, …)</exception>
    public static ModelCopy Apply(Snapshot original, WhatIfScript script)
    {
        var copy = new ModelCopy(original);
        foreach (var c in script.Commands)
        {
            if (c.NotModelled is not null || c.Edits.Count == 0) continue;
            var host = copy.Host(c.Host);
            var ns = Namespace(host, c) ?? throw new InputException(c.Source.File, c.Source.Line,
                $"`{c.Text}`: no namespace {c.Where} on host {c.Host}");
            foreach (var e in c.Edits)
            {
                try { e.Apply(new EditScope(host, ns, c, copy)); }
                catch (EditFailure f) { throw new InputException(c.Source.File, c.Source.Line, $"`{c.Text}`: {f.Message}"); }
            }
        }
        return copy;
    }

    private static NetNamespace? Namespace(Host host, WhatIfCommand c)
    {
        if (c.Netns is { } name) return host.Namespaces.FirstOrDefault(n => n.Name == name) ?? host.FindNamespace(name);
        if (c.NsPid is { } pid) return host.Namespaces.FirstOrDefault(n => n.Processes.Any(p => p.Pid == pid));
        return host.Root;
    }

    /// <summary>The hosts of the input, as they were (to look for something on another host before copying it).</summary>
    internal IReadOnlyList<Host> Originals => _original.Hosts;

    /// <summary>The host's copy (made on first use).</summary>
    internal Host Host(string name)
    {
        var original = _original.Hosts.FirstOrDefault(h => h.Name == name) ?? throw new InvalidOperationException($"no host {name}");
        if (_copies.TryGetValue(original, out var copy)) return copy;
        copy = DeepCopy(original);
        _copies[original] = copy;
        return copy;
    }

    /// <summary>A deep copy of one host, through the snapshot format (every field, sources included).</summary>
    public static Host DeepCopy(Host host)
    {
        var json = SnapshotJson.SerializeFull(new Snapshot { Hosts = [host] });
        return SnapshotJson.Deserialize(json, host.Name).Hosts[0];
    }
}
