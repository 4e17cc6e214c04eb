using System.Text;
using NetSleuth.Lab;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab status [--prefix P]</c>: the labs on this machine and whether they are whole.</summary>
internal sealed class LabStatusCommand : CliCommand
{
    public override string Name => "status";
    public override string Summary => "the labs on this machine: hosts, namespaces, probes, leftovers";
    public override IReadOnlyList<OptionSpec> Options => [LabCommand.Prefix, Format("text", "json"), Output];

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var format = args.GetChoice("format", "text", "text", "json");
        string? only = args.Has("prefix") ? LabCommand.GetPrefix(args) : null;
        return LabCommand.Guard(ctx, () =>
        {
            var labs = LabBuilder.List().Where(s => only is null || s.Prefix == only).Select(LabStatus.Of).ToList();
            ctx.WriteOutput(args, format == "json" ? LabJson.Statuses(labs) : Render(labs, only));
            return ExitCodes.Ok;
        });
    }

    private static IEnumerable<string> LabNamespacesOf(string prefix) =>
        Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(System.IO.Path.GetFileName).OfType<string>().Where(n => LabPaths.BelongsTo(n, prefix)).Order(StringComparer.Ordinal)
            : [];

    internal static string Render(IReadOnlyList<LabStatus> labs, string? only)
    {
        if (labs.Count == 0) return only is null ? "no labs\n" : $"no lab '{only}'\n";
        var sb = new StringBuilder();
        foreach (var l in labs)
        {
            var s = l.State;
            if (s.Damage is not null)
            {
                var made = LabNamespacesOf(s.Prefix).Except(l.OtherNamespaces).ToList();
                sb.Append($"lab {s.Prefix} — {l.Condition}\n");
                if (made.Count > 0) sb.Append($"  namespaces it made: {string.Join(", ", made)}\n");
                if (l.OtherNamespaces.Count > 0) sb.Append($"  not made by it: {string.Join(", ", l.OtherNamespaces)}\n");
                sb.Append($"  remove it with: {Util.Shell.Join("netsleuth", "lab", "down", "--prefix", s.Prefix)}\n");
                continue;
            }
            sb.Append($"lab {s.Prefix}: {s.Scenario}{(s.Faults.Count > 0 ? " with " + string.Join(", ", s.Faults) : " (healthy)")} — {l.Condition}\n");
            foreach (var h in s.Hosts)
                sb.Append($"  host {h.Name}: {string.Join(", ", h.Namespaces)}{(h.OvsDb is null ? "" : $" (OVS {h.OvsDb})")}\n");
            if (s.ExtraNamespaces.Count > 0) sb.Append($"  no host: {string.Join(", ", s.ExtraNamespaces)}\n");
            if (l.MissingNamespaces.Count > 0) sb.Append($"  missing: {string.Join(", ", l.MissingNamespaces)}\n");
            if (l.OtherNamespaces.Count > 0) sb.Append($"  not made by it (left alone by 'lab down'): {string.Join(", ", l.OtherNamespaces)}\n");
            foreach (var p in s.Probes)
                sb.Append($"  probe {p.Name}: {p.Command}  (expected: {(p.ExpectSuccess ? "replies" : "no reply")})\n");
            if (l.Condition != LabState.Up)
                sb.Append($"  remove it with: {Util.Shell.Join("netsleuth", "lab", "down", "--prefix", s.Prefix)}\n");
        }
        return sb.ToString();
    }
}
