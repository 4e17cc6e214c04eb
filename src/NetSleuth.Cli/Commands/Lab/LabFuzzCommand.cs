using System.Globalization;
using System.Runtime.InteropServices;
using NetSleuth.Lab;
using NetSleuth.Lab.Fuzz;
using NetSleuth.Probe;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab fuzz --seeds A..B [--prefix P] [--out DIR]</c>: the tracer against the kernel on random labs.</summary>
internal sealed class LabFuzzCommand : CliCommand
{
    public override string Name => "fuzz";
    public override string Summary => "random labs and faults: the tracer's answer against the kernel's, per probe";
    public override string Usage => "--seeds A..B [--prefix P] [--out DIR] [--probe N] [--no-shrink] [--snapshots] [--no-kernel-trace]";
    public override IReadOnlyList<OptionSpec> Options =>
    [
        new("seeds", "A..B", "the seeds to run (each gives one random lab, its faults and its probes)"),
        new("prefix", "P", "namespaces are P-… (default fz; 1-12 lowercase letters and digits)"),
        new("out", "DIR", "write summary.txt, and per disagreement its reproduction (.txt) and shrunk build script (.sh)"),
        new("probe", "N", "only probe N of each seed (to reproduce one disagreement)"),
        new("no-shrink", null, "do not shrink disagreements"),
        new("snapshots", null, "also write each seed's collected lab to DIR/seed-N/HOST.json (before the probes)"),
        new("no-kernel-trace", null, "compare only delivered / not delivered (no tracefs)"),
    ];
    public override string? Details => """
        For each seed: builds a random lab in namespaces P-… (2-3 hosts, pods routed or bridged, VXLAN with a
        remote or driven by FDB entries, x-netns VXLAN with tc mirred redirects, policy rules, permanent
        neighbours) with 0-3 faults, collects it, then sends each probe for real (ping, or a UDP datagram / TCP
        connection to a listener) while tracefs records kfree_skb (drop reason) and the devices passed, and
        traces the same probe in the model. Disagreements are printed, saved under --out and shrunk.
        Every namespace is removed after each seed (also on Ctrl-C). Root only. docs/fuzz.md has the figures.
        Exit status: 0 no disagreement, 3 some disagreement, 1 a failure.

        Example:
          sudo netsleuth lab fuzz --seeds 1..50 --out /tmp/fuzz
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        var seeds = args.Get("seeds") ?? throw new UsageException("--seeds A..B is required");
        var parts = seeds.Split("..");
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b < a)
            throw new UsageException($"--seeds wants A..B (whole numbers, A <= B), not '{seeds}'");
        var prefix = args.Get("prefix") ?? "fz";
        try { LabPaths.Validate(prefix); }
        catch (LabException e) { throw new UsageException(e.Message); }
        LabCommand.RequireRoot();
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        var runner = new FuzzRunner(new FuzzOptions
        {
            FirstSeed = a, LastSeed = b, Prefix = prefix, OutDir = args.Get("out"), Shrink = !args.Has("no-shrink"), SaveSnapshots = args.Has("snapshots"),
            TraceKernel = !args.Has("no-kernel-trace"), OnlyProbe = args.GetInt("probe", 0, 100),
            Log = line => ctx.Out.WriteLine(line), Cancel = cancel.Token,
        });
        return LabCommand.Guard(ctx, () =>
        {
            try
            {
                var s = runner.Run();
                ctx.Out.WriteLine(s.ToString());
                return s.VerdictDiffers + s.WhereDiffers > 0 ? ExitCodes.ProblemFound : ExitCodes.Ok;
            }
            catch (KernelTraceUnavailableException e)
            {
                ctx.Err.WriteLine($"netsleuth: {e.Message}; run with --no-kernel-trace to compare only delivered / not delivered");
                return ExitCodes.Internal;
            }
            catch (OperationCanceledException)
            {
                ctx.Err.WriteLine("netsleuth: interrupted; the namespaces were removed");
                return ExitCodes.Internal;
            }
            finally { runner.TearDown(); }
        });
    }
}
