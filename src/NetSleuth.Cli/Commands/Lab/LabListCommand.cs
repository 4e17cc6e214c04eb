using System.Text;
using NetSleuth.Lab;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab list</c>: scenarios and faults, one line each.</summary>
internal sealed class LabListCommand : CliCommand
{
    public override string Name => "list";
    public override string Summary => "the scenarios and faults a lab can build";
    public override IReadOnlyList<OptionSpec> Options => [Format("text", "json"), Output];

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var text = args.GetChoice("format", "text", "text", "json") == "json" ? LabJson.Catalog() : Render();
        ctx.WriteOutput(args, text);
        return ExitCodes.Ok;
    }

    internal static string Render()
    {
        var sb = new StringBuilder("Scenarios (healthy unless --fault is given):\n");
        int w = LabCatalog.Scenarios.Max(s => s.Name.Length) + 2;
        foreach (var s in LabCatalog.Scenarios)
            sb.Append("  ").Append(s.Name.PadRight(w)).Append(s.Summary).Append('\n');
        sb.Append("\nFaults (combinable; faults.md row in brackets):\n");
        int fw = LabCatalog.Faults.Max(f => f.Name.Length) + 2;
        foreach (var f in LabCatalog.Faults)
        {
            var where = LabCatalog.Scenarios.Where(s => s.Faults.Contains(f.Name)).Select(s => s.Name).ToList();
            sb.Append("  ").Append(f.Name.PadRight(fw)).Append($"[{f.CatalogueRow}] ").Append(f.Summary).Append('\n');
            sb.Append("  ").Append(new string(' ', fw)).Append("     symptom: ").Append(f.Symptom).Append('\n');
            sb.Append("  ").Append(new string(' ', fw)).Append("     in: ").Append(string.Join(", ", where)).Append('\n');
        }
        sb.Append("\nWhat a fault changes in a scenario: netsleuth lab list --format json\n");
        return sb.ToString();
    }
}
