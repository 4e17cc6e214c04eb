namespace NetSleuth.Cli.Commands;

internal static class Kubernetes
{
    public static int Execute(ParsedArgs args, CliContext ctx, string dir, int jobs) => throw new UsageException("--kubernetes: not yet");
}
