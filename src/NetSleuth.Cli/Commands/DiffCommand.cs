using NetSleuth.Diagnosis;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth diff A B`: what differs between two snapshots (or inputs) of the same hosts, and which paths changed verdict.</summary>
internal sealed class DiffCommand : CliCommand
{
    public override string Name => "diff";
    public override string Summary => "what differs between two snapshots of the same hosts, and which traced paths changed verdict";
    public override string Usage => "[options] A B";

    public override IReadOnlyList<OptionSpec> Options { get; } = [Format("text", "json"), Output];

    public override string? Details =>
        """
        A and B are inputs as for import (a snapshot, a pasted session, a directory; HOST=PATH names
        the host). Hosts and namespaces are matched by name, objects by their key (a device by name, a
        route by table, prefix and metric, a neighbour by address and device, …): each one added,
        removed or changed is listed with the input line it came from. Both are then diagnosed and
        every path traced in A is traced in B: the paths whose verdict changed, the findings gone and new.
        Exit status: 0 no difference, 3 something differs, 2 bad usage or input.

        Example:
          netsleuth diff before/ after/
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count != 2) throw new UsageException("diff takes two inputs: A B");
        var format = args.GetChoice("format", "text", "text", "json");
        ctx.Progress("loading inputs…");
        var a = CliInputs.Load([args.Positionals[0]], ctx);
        var b = CliInputs.Load([args.Positionals[1]], ctx);
        var objects = SnapshotDiff.Objects(a, b);
        ctx.Progress("diagnosing both…");
        var ta = Linker.Link(a);
        var tb = Linker.Link(b);
        var options = new DiagnoseOptions { VerifyFixes = false };
        var change = DiagnosisChange.Compare(Diagnoser.Run(ta, null, options), Diagnoser.Run(tb, null, options), tb);
        ctx.EndProgress();
        ctx.WriteOutput(args, format == "json" ? SnapshotDiff.RenderJson(objects, change)
            : SnapshotDiff.RenderText(objects, change, args.Positionals[0], args.Positionals[1]));
        return objects.Count > 0 || change.Paths.Count > 0 ? ExitCodes.ProblemFound : ExitCodes.Ok;
    }
}
