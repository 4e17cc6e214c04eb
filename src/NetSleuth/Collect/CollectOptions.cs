namespace NetSleuth.Collect;

/// <summary>What <see cref="LiveCollector"/> collects. The defaults collect the whole machine.</summary>
public sealed class CollectOptions
{
    /// <summary>The host's name in the snapshot; default: the machine's hostname.</summary>
    public string? HostName { get; init; }
    /// <summary>A named namespace (under /run/netns) that stands in as the host's root: it gets Id "root",
    /// IsRoot = true and keeps its real name in Name. Used by lab hosts. Then only it and
    /// <see cref="Namespaces"/> (plus <see cref="NetnsGlobs"/> matches) are collected.</summary>
    public string? RootNamespace { get; init; }
    /// <summary>Named namespaces to collect besides <see cref="RootNamespace"/> (exact names).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    /// <summary>Shell globs over namespace Ids and names ("root", "inode:4026532*", "cni-*"); when any
    /// is given, only matching namespaces are collected.</summary>
    public IReadOnlyList<string> NetnsGlobs { get; init; } = [];
    /// <summary>An OVSDB unix socket to read Open vSwitch from; default: /run/openvswitch/db.sock when it exists
    /// (and none for lab hosts).</summary>
    public string? OvsDb { get; init; }
    /// <summary>An OVN northbound database (unix socket path or "unix:…"/"tcp:…" remote) to read the logical
    /// switch ports from (read only); none by default.</summary>
    public string? OvnNb { get; init; }

    /// <summary>An OVN southbound database (same forms as <see cref="OvnNb"/>) to read the chassis, their tunnel endpoints and
    /// port bindings from (`ovn-sbctl show`, read only); a database that does not answer is a warning, not a failure.</summary>
    public string? OvnSb { get; init; }
    /// <summary>Namespaces read at once; default 2 × processor count (the work waits on child processes).</summary>
    public int? Parallelism { get; init; }
    /// <summary>How the data was obtained (HostMeta.Origin); default "collect".</summary>
    public string Origin { get; init; } = "collect";
    /// <summary>The tool version recorded in HostMeta.ToolVersion.</summary>
    public string? ToolVersion { get; init; }
    /// <summary>Read every namespace with the `ip`/`tc`/`bridge`/`nft` processes only (the reference path the
    /// in-process netlink reader is checked against) instead of rtnetlink and nf_tables dumps. Default: set when the
    /// environment variable NETSLEUTH_COLLECT_WITH is "tools".</summary>
    internal bool ToolsOnly { get; init; } = Environment.GetEnvironmentVariable("NETSLEUTH_COLLECT_WITH") == "tools";
    /// <summary>Also read each namespace's connection-tracking table (`conntrack -L`): off by default, it can hold
    /// hundreds of thousands of entries on a busy node.</summary>
    public bool Conntrack { get; init; }
    /// <summary>Progress messages ("namespaces 17/200").</summary>
    public IProgress<string>? Progress { get; init; }
}
