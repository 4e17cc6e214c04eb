namespace NetSleuth.Model;

/// <summary>
/// The root of a snapshot file: one or more hosts, each with every network namespace it has.
/// A live <c>collect</c> writes one host; <c>import</c> may write several.
/// </summary>
public sealed class Snapshot
{
    /// <summary>Bumped on any incompatible change; see docs/snapshot-format.md.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; set; } = CurrentFormatVersion;
    public List<Host> Hosts { get; set; } = [];
    /// <summary>Problems not tied to one host (e.g. an input file that could not be read).</summary>
    public List<Warning> Warnings { get; set; } = [];
}

/// <summary>One machine (or one lab "host": a group of namespaces standing for a machine).</summary>
public sealed class Host
{
    public required string Name { get; set; }
    public HostMeta Meta { get; set; } = new();
    public List<NetNamespace> Namespaces { get; set; } = [];
    public List<Warning> Warnings { get; set; } = [];

    /// <summary>Not serialised: it would write the root namespace a second time.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public NetNamespace? Root => Namespaces.FirstOrDefault(n => n.IsRoot);
    public NetNamespace? FindNamespace(string id) => Namespaces.FirstOrDefault(n => n.Id == id);
    public override string ToString() => Name;
}

public sealed class HostMeta
{
    public string? Hostname { get; set; }
    public string? Kernel { get; set; }
    public string? Iproute2Version { get; set; }
    public DateTimeOffset? CollectedAt { get; set; }
    public string? ToolVersion { get; set; }
    /// <summary>"collect", "import", "synth", "lab" — how the data was obtained.</summary>
    public string? Origin { get; set; }
    /// <summary>The input files or commands the host's facts came from.</summary>
    public List<string> Sources { get; set; } = [];
    /// <summary>Other names the input gives this host: a prompt whose host name changed within a transcript, or the
    /// prompt's name when HOST= named the host otherwise. `--from` accepts them.</summary>
    public List<string> Aliases { get; set; } = [];
}

/// <summary>Where a fact came from: a file (or a command run by the collector) and a 1-based line; 0 = whole file.</summary>
public sealed record SourceRef(string File, int Line = 0)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

public sealed record Warning(string Message, SourceRef? Source = null, string? Namespace = null)
{
    public override string ToString() =>
        (Source is null ? "" : Source + ": ") + (Namespace is null ? "" : $"[{Namespace}] ") + Message;
}
