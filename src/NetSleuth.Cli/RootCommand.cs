using System.Text;
using NetSleuth.Cli.Commands;

namespace NetSleuth.Cli;

internal sealed class RootCommand : CliCommand
{
    public override string Name => "";
    public override string Summary => "why does a packet not get through this Linux / Kubernetes network?";

    public override IReadOnlyList<CliCommand> Subcommands { get; } = CommandRegistry.Create();

    public override int Execute(ParsedArgs args, CliContext ctx) => ExitCodes.BadInput;

    public override string HelpText()
    {
        var sb = new StringBuilder();
        sb.Append("netsleuth ").Append(VersionInfo.Version).Append(" — ").Append(Summary).Append("\n\n");
        sb.Append("Usage: netsleuth COMMAND [options]\n\nCommands:\n");
        foreach (var c in Subcommands) sb.Append("  ").Append(c.Name.PadRight(12)).Append(c.Summary).Append('\n');
        sb.Append("\nCommon options: --help on every command, --version.\n");
        sb.Append("Exit codes: 0 ok; 1 a lab or collect operation failed (a lab prefix in use, a missing program,\n");
        sb.Append("  a command the lab ran failed); 2 bad usage or input (also: nothing could be read from the\n");
        sb.Append("  inputs, standard output could not be written, a graph too large for svg); 3 a problem was found\n");
        sb.Append("  (trace not delivered, diagnose error finding).\n");
        return sb.ToString();
    }
}
