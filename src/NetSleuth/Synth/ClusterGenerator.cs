using System.Globalization;
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

    /// <summary>kube-proxy's nat table for the cluster's Services, parsed once and shared by every node (nothing changes it
    /// after generation: a node is written and dropped).</summary>
    private readonly Lazy<IptablesTable?> _services;

    public ClusterGenerator(SynthOptions options)
    {
        options.Validate();
        Options = options;
        _plan = new Addressing(options);
        _faultAt = PlanFaults(options);
        _services = new(() => ServiceNat(options, _plan), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The Services of the cluster: ClusterIPs in 172.30.0.0/16 (the range OpenShift and the mission's worker route),
    /// port 80/tcp → 8080 on two pods of two nodes, a NodePort (30000 + i/10) on every tenth.</summary>
    public static List<ServicePort> ServicePorts(SynthOptions o)
    {
        var plan = new Addressing(o);
        var list = new List<ServicePort>(o.Services);
        for (int i = 0; i < o.Services; i++)
        {
            int n1 = (int)((i * 7L) % o.Nodes), n2 = (n1 + 1) % o.Nodes, p = i % o.PodsPerNode;
            var ip = Addressing.Ip(0xAC1E_0000u + 1 + (uint)i).ToString();
            list.Add(new ServicePort("svc" + (i / 100).ToString(CultureInfo.InvariantCulture), "web" + i.ToString(CultureInfo.InvariantCulture), "http", "tcp", ip, 80,
                i % 10 == 0 ? 30000 + i / 10 : null,
                [(Addressing.Ip(plan.PodIp(n1, p)).ToString(), 8080), (Addressing.Ip(plan.PodIp(n2, p)).ToString(), 8080)]));
        }
        return list;
    }

    private static IptablesTable? ServiceNat(SynthOptions o, Addressing plan)
    {
        if (o.Services == 0) return null;
        var text = KubeProxyRules.IptablesSave(ServicePorts(o), Addressing.Prefix(Addressing.ClusterNetwork, Addressing.ClusterLength).ToString());
        var nat = text[text.IndexOf("*nat\n", StringComparison.Ordinal)..];
        var ns = new NetNamespace { Id = "root", IsRoot = true };
        var argv = new[] { "iptables-save", "-t", "nat" };
        var entry = Import.CommandTable.Find(argv) ?? throw new InvalidOperationException("no iptables-save parser");
        var log = new Import.ImportLog();
        entry.Parse(new Import.CommandOutput(argv, nat.TrimEnd('\n').Split('\n'), "iptables-save-nat", 1), ns, log);
        if (log.Warnings.Count > 0) throw new InvalidOperationException("kube-proxy's rules did not parse: " + log.Warnings[0]);
        return ns.Iptables.Single(t => t.Name == "nat");
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
        if (_services.Value is { } nat) unit.Root.Ns.Iptables.Add(nat);
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
        $"netsleuth synth --nodes {Options.Nodes} --pods {Options.PodsPerNode} --style {SynthOptions.StyleName(Options.Style)} --faults {Options.Faults} --seed {Options.Seed}" +
        (Options.Services > 0 ? $" --services {Options.Services}" : "");

    /// <summary>SplitMix64 of (seed, index): independent, stable per-node seeds.</summary>
    private static int Mix(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFF_FFFF);
    }
}
