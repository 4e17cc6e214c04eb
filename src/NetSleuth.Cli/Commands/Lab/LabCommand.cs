using NetSleuth.Lab;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary><c>netsleuth lab list|up|status|down|fuzz</c></summary>
internal sealed class LabCommand : CliCommand
{
    public override string Name => "lab";
    public override string Summary => "build scenarios with chosen faults in real network namespaces (root)";
    public override IReadOnlyList<CliCommand> Subcommands { get; } =
        [new LabListCommand(), new LabUpCommand(), new LabStatusCommand(), new LabDownCommand(), new LabFuzzCommand()];
    public override int Execute(ParsedArgs args, CliContext ctx) => ExitCodes.BadInput;

    public static readonly OptionSpec Prefix =
        new("prefix", "P", $"the lab's prefix: its namespaces are P-… (default {LabPaths.DefaultPrefix}; 1-12 lowercase letters and digits, starting with a letter)");

    /// <summary>The --prefix value, checked.</summary>
    public static string GetPrefix(ParsedArgs args)
    {
        var p = args.Get("prefix") ?? LabPaths.DefaultPrefix;
        try { LabPaths.Validate(p); }
        catch (LabException e) { throw new UsageException(e.Message); }
        return p;
    }

    /// <summary>Labs change the machine's namespaces: root only.</summary>
    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && !IsRootUid())
            throw new UsageException("lab commands build network namespaces and need root (run with sudo)");
    }

    private static bool IsRootUid()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return status is not null && status.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
        }
        catch (IOException) { return false; }
    }

    /// <summary>Runs ACTION, turning a <see cref="LabException"/> into one error message and exit code 1.</summary>
    public static int Guard(CliContext ctx, Func<int> action)
    {
        try { return action(); }
        catch (LabException e)
        {
            ctx.Err.WriteLine("netsleuth: " + e.Message);
            return ExitCodes.Internal;
        }
    }
}
