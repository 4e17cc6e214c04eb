namespace NetSleuth.Cli.Commands;

/// <summary>Every top-level command, in the order help lists them. One line per command.</summary>
internal static class CommandRegistry
{
    public static IReadOnlyList<CliCommand> Create()
    {
        CliCommand[] commands =
        [
            new CollectCommand(),
            new ImportCommand(),
            new TopologyCommand(),
            new TraceCommand(),
            new ProbeCommand(),
            new DiagnoseCommand(),
            new DiffCommand(),
            new Lab.LabCommand(),
            new SynthCommand(),
        ];
        foreach (var c in commands) SetPaths(c, "");
        return commands;
    }

    private static void SetPaths(CliCommand c, string parent)
    {
        c.Path = parent.Length == 0 ? c.Name : parent + " " + c.Name;
        foreach (var s in c.Subcommands) SetPaths(s, c.Path);
    }
}
