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
        sb.Append("Exit codes: 0 ok, 2 bad usage or input, 3 a problem was found (trace, diagnose).\n");
        return sb.ToString();
    }
}
