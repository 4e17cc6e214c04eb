using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// Generates a synthetic cluster one worker node at a time (the node, plus its pod VMs in the
/// peer-pods style), so a thousand nodes never need to be in memory at once. A node's content is a
/// pure function of (options, node index): its own random source is derived from the seed and the
/// index, so generating in parallel gives the same files as generating in order.
/// </summary>
public sealed class ClusterGenerator
{
    private readonly Addressing _plan;
    private readonly FaultKind?[] _faultAt;

    public SynthOptions Options { get; }

    public ClusterGenerator(SynthOptions options)
    {
        options.Validate();
        Options = options;
        _plan = new Addressing(options);
        _faultAt = PlanFaults(options);
    }

    /// <summary>The names of the fault variants this style can place.</summary>
    public static IReadOnlyList<string> FaultNames(SynthOptions options) => FaultCatalog.For(options).Select(k => k.Name).ToList();

    /// <summary>Which node gets which fault: K distinct nodes; kinds cycle through a shuffled list of those that apply.</summary>
    private static FaultKind?[] PlanFaults(SynthOptions o)
    {
        var at = new FaultKind?[o.Nodes];
        var kinds = FaultCatalog.For(o).ToArray();
        if (o.Faults == 0) return at;
        if (kinds.Length == 0) throw new ArgumentException($"no fault of the catalogue applies to style {SynthOptions.StyleName(o.Style)} with these sizes");
        var rng = new Random(o.Seed);
        rng.Shuffle(kinds);
        var nodes = Enumerable.Range(0, o.Nodes).ToArray();
        for (int i = 0; i < o.Faults; i++)
        {
            int j = i + rng.Next(nodes.Length - i);
            (nodes[i], nodes[j]) = (nodes[j], nodes[i]);
            at[nodes[i]] = kinds[i % kinds.Length];
        }
        return at;
    }

    /// <summary>Node <paramref name="node"/>'s hosts (the worker first) and the fault placed on them, if any.</summary>
    public (IReadOnlyList<Host> Hosts, PlacedFault? Fault) GenerateNode(int node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, Options.Nodes);
        var rng = new Random(Mix(Options.Seed, node));
        var unit = Options.Style == SynthStyle.Bridge
            ? BridgeNodeBuilder.Build(_plan, node, rng)
            : OvsNodeBuilder.Build(_plan, node, rng);
        if (Options.Style == SynthStyle.PeerPods)
        {
            int peers = Options.PeerPodsPerNode;
            for (int k = 0; k < peers; k++)
                PeerPodBuilder.Attach(_plan, unit, unit.Pods[k * Options.PodsPerNode / peers], k, rng);
        }
        foreach (var b in unit.Builders) b.Finish();
        foreach (var h in unit.Hosts) h.Meta.Sources.Add(SourceLine());
        PlacedFault? fault = null;
        if (_faultAt[node] is { } kind)
            fault = kind.Apply(new FaultContext(_plan, unit, new Random(Mix(Options.Seed, node) ^ 0x5BD1E995)));
        return (unit.Hosts.ToList(), fault);
    }

    /// <summary>The underlay router joining the racks and the pod-VM subnets.</summary>
    public Host GenerateRouter()
    {
        var h = RouterBuilder.Build(_plan);
        h.Meta.Sources.Add(SourceLine());
        return h;
    }

    /// <summary>The whole cluster in memory (fine for tests and small sizes).</summary>
    public (Snapshot Snapshot, FaultManifest Faults) GenerateAll()
    {
        var snap = new Snapshot();
        var faults = new List<PlacedFault>();
        for (int n = 0; n < Options.Nodes; n++)
        {
            var (hosts, fault) = GenerateNode(n);
            snap.Hosts.AddRange(hosts);
            if (fault is not null) faults.Add(fault);
        }
        snap.Hosts.Add(GenerateRouter());
        return (snap, Manifest(faults));
    }

    public FaultManifest Manifest(List<PlacedFault> faults) =>
        new(Options.Seed, SynthOptions.StyleName(Options.Style), Options.Nodes, Options.PodsPerNode, faults);

    private string SourceLine() =>
        $"netsleuth synth --nodes {Options.Nodes} --pods {Options.PodsPerNode} --style {SynthOptions.StyleName(Options.Style)} --faults {Options.Faults} --seed {Options.Seed}";

    /// <summary>SplitMix64 of (seed, index): independent, stable per-node seeds.</summary>
    private static int Mix(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFF_FFFF);
    }
}
