using System.Diagnostics;
using System.Globalization;
using NetSleuth.Synth;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth synth`: writes a synthetic cluster's per-host snapshots (and where its faults are).</summary>
internal sealed class SynthCommand : CliCommand
{
    public override string Name => "synth";
    public override string Summary => "generate a synthetic cluster's snapshots (for benchmarks and tests)";
    public override string Usage => "--nodes N --pods M [options] -o DIR";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("nodes", "N", $"worker nodes (1–{SynthOptions.MaxNodes})"),
        new("pods", "M", $"pods per node (0–{SynthOptions.MaxPods})"),
        new("style", "bridge|ovs|peer-pods", "CNI shape (default ovs)"),
        new("peer-pods", "P", "peer pods (pod VMs) per node in the peer-pods style (default 2)"),
        new("faults", "K", "place K faults from the catalogue, each on its own node (default 0)"),
        new("services", "N", $"Kubernetes Services with two endpoints each: kube-proxy's iptables nat rules on every node (0–{SynthOptions.MaxServices}, default 0)"),
        new("seed", "S", "random seed; same seed, same files (default 1)"),
        new("indent", null, "indented JSON (default compact)"),
        new("output", "DIR", "directory to write (created; must be empty)", 'o'),
    ];

    public override string? Details =>
        """
        Writes DIR/HOST.json for every node, pod VM and the underlay router (one snapshot per host, as
        `netsleuth collect` writes it) and DIR/faults.json: each placed fault's catalogue id, host,
        namespace, device or entry. Styles: ovs = OVN-Kubernetes-like br-int; bridge = cni0 + flannel
        VXLAN; peer-pods = ovs plus Kata peer pods (tc mirred + x-netns VXLAN to a pod VM host).

        Faults go on distinct nodes (so K ≤ N); the kinds cycle through those the style has, in a
        seeded order. Same options and seed, same bytes.

        Example:
          netsleuth synth --nodes 100 --pods 110 --style peer-pods --faults 12 --seed 7 -o /tmp/cluster
          ls /tmp/cluster/*.json | grep -v /faults.json | xargs netsleuth diagnose
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        int nodes = args.GetInt("nodes", 1, SynthOptions.MaxNodes) ?? throw new UsageException("--nodes is required");
        int pods = args.GetInt("pods", 0, SynthOptions.MaxPods) ?? throw new UsageException("--pods is required");
        var styleText = args.GetChoice("style", "ovs", "bridge", "ovs", "peer-pods");
        var dir = args.Get("output") ?? throw new UsageException("-o DIR is required");
        var options = new SynthOptions(nodes, pods, SynthOptions.ParseStyle(styleText)!.Value,
            args.GetInt("faults", 0, int.MaxValue) ?? 0, args.GetInt("seed", int.MinValue, int.MaxValue) ?? 1)
        {
            PeerPodsPerNode = args.GetInt("peer-pods", 0, SynthOptions.MaxPods) ?? 2,
            Services = args.GetInt("services", 0, SynthOptions.MaxServices) ?? 0,
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }

        var sw = Stopwatch.StartNew();
        SynthSummary summary;
        try
        {
            summary = SynthWriter.Write(options, dir, args.Has("indent"), d => ctx.Progress($"synth: {d}/{nodes} nodes"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {dir}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        ctx.EndProgress();
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {summary.Files} files ({summary.Hosts} hosts, {summary.Namespaces} namespaces, {summary.Bytes / 1048576.0:F1} MiB) to {dir} in {sw.Elapsed.TotalSeconds:F1} s"));
        foreach (var f in summary.Faults)
            ctx.Out.WriteLine($"fault #{f.Id} {f.Name}: {f.Host} [{f.Namespace}] {f.Device ?? f.Entry}");
        return ExitCodes.Ok;
    }
}
