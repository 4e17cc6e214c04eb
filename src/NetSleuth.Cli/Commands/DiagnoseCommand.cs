using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Render;
using NetSleuth.Topology;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth diagnose INPUT...`: runs the check catalogue and prints findings, most severe first.</summary>
internal sealed class DiagnoseCommand : CliCommand
{
    public override string Name => "diagnose";
    public override string Summary => "find what breaks the network, with evidence and the commands that fix it";
    public override string Usage => "[options] [HOST=]INPUT...";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "HOST[:NS]", "trace this one path (with --to) instead of every pod address from its host"),
        new("to", "IP", "destination of the path to trace (with --from)"),
        Format("text", "json"),
        Output,
    ];

    public override string? Details =>
        """
        Runs every check of the fault catalogue over the linked hosts: tunnel-end MAC mismatch, tc
        redirects, VXLAN VNI/port/remote, MTU, firewall drops, down links, routes, neighbours,
        duplicate addresses, forwarding, rp_filter, veth peers, bridge ports, underlay routes. Then it
        traces every pod address (an address in a non-root namespace) from its host's root namespace,
        and each pod's way out (to its node, its gateway, a pod of another host), and attributes each
        broken path to its root cause; a broken path no check explains, or one the input cannot
        decide, is a finding of its own that says where and what to collect. Findings give the objects and input lines
        they rest on and the commands that fix them, per host and namespace.

        Exit status: 0 no error finding and no broken path, 3 an error finding or a broken path,
        2 bad usage or input.

        Example:
          netsleuth diagnose worker=worker.json podvm=podvm.json
          netsleuth diagnose snapshots/*.json --from worker --to 198.18.2.46 --format json
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count == 0) throw new UsageException("diagnose needs at least one INPUT");
        var format = args.GetChoice("format", "text", "text", "json");
        Reachability.Request? request = null;
        if (args.Get("from") is { } from)
        {
            if (args.Get("to") is not { } toText) throw new UsageException("--from needs --to IP");
            if (!IPAddress.TryParse(toText, out var to)) throw new UsageException($"--to wants an IP address, not '{toText}'");
            int colon = from.IndexOf(':');
            request = new Reachability.Request(colon < 0 ? from : from[..colon], colon < 0 ? null : from[(colon + 1)..], to);
        }
        else if (args.Has("to")) throw new UsageException("--to needs --from HOST[:NS]");

        ctx.Progress("loading inputs…");
        var snapshot = InputLoader.Load(args.Positionals);
        if (request is not null && snapshot.Hosts.All(h => h.Name != request.Host))
            throw new UsageException($"--from: no host '{request.Host}' in the input (hosts: {string.Join(", ", snapshot.Hosts.Select(h => h.Name))})");
        ctx.Progress("linking…");
        var topology = Linker.Link(snapshot);
        ctx.Progress("diagnosing…");
        var report = Diagnoser.Run(topology, request);
        ctx.EndProgress();
        ctx.WriteOutput(args, format == "json" ? DiagnosisJson.Render(report) : DiagnosisText.Render(report));
        return report.ProblemFound ? ExitCodes.ProblemFound : ExitCodes.Ok;
    }
}
