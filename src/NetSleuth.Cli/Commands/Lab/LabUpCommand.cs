using System.Runtime.InteropServices;
using NetSleuth.Lab;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab up SCENARIO [--fault NAME]... [--prefix P]</c></summary>
internal sealed class LabUpCommand : CliCommand
{
    public override string Name => "up";
    public override string Summary => "build a scenario, healthy or with faults";
    public override string Usage => "SCENARIO [--mode iptables|nftables] [--fault NAME]... [--prefix P]";
    public override IReadOnlyList<OptionSpec> Options =>
    [
        new("fault", "NAME", "add this fault (repeatable; see 'netsleuth lab list')", Repeatable: true),
        new("mode", "MODE", "kube-proxy's mode for the services scenario: iptables (default) or nftables (= services-nft)"),
        LabCommand.Prefix,
        new("verbose", null, "print every command as it is run", 'v'),
    ];
    public override string? Details => """
        Example:
          netsleuth lab up peer-pods --fault mac-mismatch
        Nothing is added to the machine's own namespace; 'netsleuth lab down' removes it all.
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count != 1) throw new UsageException("lab up needs one SCENARIO (see 'netsleuth lab list')");
        var scenario = LabCatalog.WithMode(args.Positionals[0], args.Get("mode"))
            ?? throw new UsageException($"scenario {args.Positionals[0]} has no mode '{args.Get("mode")}' (only services has: iptables, nftables)");
        var info = LabCatalog.Scenarios.FirstOrDefault(s => s.Name == scenario)
            ?? throw new UsageException($"unknown scenario '{scenario}'; scenarios: {string.Join(", ", LabCatalog.Scenarios.Select(s => s.Name))}");
        foreach (var f in args.GetAll("fault"))
            if (!info.Faults.Contains(f))
                throw new UsageException($"scenario {scenario} has no fault '{f}'; it has: {string.Join(", ", info.Faults)}");
        var prefix = LabCommand.GetPrefix(args);
        LabCommand.RequireRoot();
        Action<string>? log = args.Has("verbose") ? line => ctx.Err.WriteLine("+ " + line) : null;
        // Ctrl-C or kill (TERM) stop the build between two commands and remove what was made
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        return LabCommand.Guard(ctx, () =>
        {
            ctx.Progress($"building {scenario} as {prefix}…");
            var lab = LabBuilder.Up(scenario, args.GetAll("fault"), prefix, log, cancel.Token);
            ctx.EndProgress();
            ctx.Out.Write(lab.Tips());
            return ExitCodes.Ok;
        });
    }
}
