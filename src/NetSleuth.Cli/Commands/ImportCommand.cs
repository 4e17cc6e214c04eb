using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth import [HOST=]PATH... -o snapshot.json`: transcripts, saved outputs, directories → one snapshot.</summary>
internal sealed class ImportCommand : CliCommand
{
    public override string Name => "import";
    public override string Summary => "build a snapshot from transcripts, saved outputs, directories, sosreports";
    public override string Usage => "[options] [HOST=]PATH...";
    public override IReadOnlyList<OptionSpec> Options => [Output];

    public override string? Details => """
        PATH is a pasted terminal session, a file holding one command's output (ip a, ip -d link, ip r,
        ip rule, ip neigh, arp, ip netns, bridge fdb, tc qdisc/filter, ip route get, …), a directory of
        such files, a sosreport directory, or a snapshot JSON. The kind is found from the content.
        HOST= names the host the input comes from; without it, a transcript's prompt names it.
        Inputs naming the same host are merged; '-' reads standard input. Warnings (file:line) go to
        standard error, one per input line at most and 100 per file (the rest counted). FIFOs, devices
        and symbolic link loops are skipped with a warning; a damaged snapshot is skipped with a warning
        and the others are read.
        Exit status: 0, or 2 bad usage or when nothing could be read (the reason per input).

        Example (on the bundled example):
          netsleuth import worker=examples/peer-pods/worker.txt podvm=examples/peer-pods/podvm.txt -o snapshot.json
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count == 0) throw new UsageException("give at least one input: [HOST=]PATH");
        var snapshot = CliInputs.Load(args.Positionals, ctx);
        ctx.WriteOutput(args, SnapshotJson.Serialize(snapshot) + "\n");
        return ExitCodes.Ok;
    }
}
