using NetSleuth.Util;

namespace NetSleuth.Lab.Fuzz;

/// <summary>One command that builds a random lab (argv, no shell).</summary>
/// <param name="Essential">makes a namespace or sets what every namespace needs: never dropped when shrinking</param>
/// <param name="Tag">what it is part of ("pod h1p2", "fault wrong-mac") — said in the reproduction</param>
public sealed record FuzzCommand(string[] Argv, bool Essential, string Tag)
{
    public override string ToString() => Shell.Join(Argv);
}

/// <summary>A host of the random lab: the namespace standing for its root, and its others.</summary>
public sealed record FuzzHost(string Name, string Root, IReadOnlyList<string> Others);

/// <summary>A probe of the random lab.</summary>
/// <param name="Host">the host it is sent from</param>
/// <param name="Netns">the full namespace name it is sent from</param>
/// <param name="ListenNetns">the namespace owning the target (a UDP/TCP listener runs there); null when nobody owns it</param>
/// <param name="Size">IP packet size</param>
public sealed record FuzzProbe(int Index, string Host, string Netns, string Target, string Protocol, int? Port, int Size, bool DontFragment, string? ListenNetns)
{
    public override string ToString() =>
        $"#{Index} {Protocol}{(Port is { } p ? "/" + p : "")} {Netns} → {Target} ({Size} bytes{(DontFragment ? ", DF" : "")})";
}

/// <summary>What a seed generates: the namespaces (by host), the build commands in order, the faults placed and the probes.</summary>
public sealed record FuzzCase(int Seed, string Prefix, IReadOnlyList<FuzzHost> Hosts, IReadOnlyList<string> ExtraNamespaces,
    IReadOnlyList<FuzzCommand> Commands, IReadOnlyList<string> Faults, IReadOnlyList<string> Features, IReadOnlyList<FuzzProbe> Probes)
{
    /// <summary>Every namespace the case makes (hosts', then the underlay switch when there is one).</summary>
    public IEnumerable<string> Namespaces => Hosts.SelectMany(h => new[] { h.Root }.Concat(h.Others)).Concat(ExtraNamespaces);

    /// <summary>The same case with only the commands KEEP says (the shrinker's candidate).</summary>
    public FuzzCase With(IReadOnlyList<FuzzCommand> keep) => this with { Commands = keep };

    /// <summary>The whole case as a shell script: build, probe, clean up (a one-file reproduction).</summary>
    public string Script(FuzzProbe? probe, string? probeCommand)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("#!/bin/sh\n# netsleuth lab fuzz --seeds ").Append(Seed).Append("..").Append(Seed).Append(" --prefix ").Append(Prefix).Append('\n');
        sb.Append("# faults: ").Append(Faults.Count == 0 ? "none" : string.Join(", ", Faults)).Append('\n');
        sb.Append("cleanup() { for n in ").Append(string.Join(' ', Namespaces)).Append("; do ip netns del $n 2>/dev/null; done; }\n");
        sb.Append("trap cleanup EXIT\nset -e\n");
        foreach (var c in Commands) sb.Append(c).Append('\n');
        if (probeCommand is not null) sb.Append("set +e\n# probe ").Append(probe).Append('\n').Append(probeCommand).Append('\n');
        return sb.ToString();
    }
}
