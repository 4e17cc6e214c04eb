using NetSleuth.Lab;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab down [--prefix P]</c></summary>
internal sealed class LabDownCommand : CliCommand
{
    public override string Name => "down";
    public override string Summary => "remove a lab: its namespaces, processes and files (also after a killed 'up')";
    public override IReadOnlyList<OptionSpec> Options => [LabCommand.Prefix];
    public override string? Details => """
        Removes only what the lab's records say it made: each namespace's inode is written down before
        the namespace gets its name, and a name is removed only while it still points at that
        namespace. Other namespaces whose names start with P- are left alone (and listed).
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var prefix = LabCommand.GetPrefix(args);
        LabCommand.RequireRoot();
        return LabCommand.Guard(ctx, () =>
        {
            var r = LabBuilder.Down(prefix);
            foreach (var e in r.Errors) ctx.Warn(e);
            ctx.Out.WriteLine(r.Nothing ? $"no lab '{prefix}': nothing to remove" : $"removed lab {prefix}: {r}");
            if (r.LeftAlone.Count > 0)
                ctx.Out.WriteLine($"left alone (not made by lab {prefix}): {string.Join(", ", r.LeftAlone)}");
            return r.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Internal;
        });
    }
}
