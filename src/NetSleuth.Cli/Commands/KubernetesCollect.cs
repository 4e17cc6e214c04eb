using NetSleuth.Collect.Remote;

namespace NetSleuth.Cli.Commands;

/// <summary><c>collect --kubernetes</c>: one collector pod per node through kubectl (see <see cref="KubeCollector"/>).</summary>
internal static class Kubernetes
{
    public static int Execute(ParsedArgs args, CliContext ctx, string dir, int jobs)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}' (select nodes with --nodes SELECTOR)");
        if (args.Has("netns")) throw new UsageException("--netns is not supported with --kubernetes");
        if (args.Has("ovn-nb")) throw new UsageException("--ovn-nb is not supported with --kubernetes yet (--ssh passes it on)");
        if (args.Has("ovn-sb")) throw new UsageException("--ovn-sb is not supported with --kubernetes yet (--ssh passes it on)");
        if (args.Has("conntrack")) throw new UsageException("--conntrack is not supported with --kubernetes yet (--ssh passes it on)");
        var image = args.Get("image") ?? throw new UsageException(
            "--kubernetes needs --image IMG: an image with the native binary (build one with the repository's Containerfile)");
        var collector = new KubeCollector(new KubeCollectOptions
        {
            OutputDir = dir,
            Image = image,
            Context = args.Get("context"),
            NodeSelector = args.Get("nodes"),
            KubeNamespace = args.Get("kube-namespace") ?? "default",
            Parallelism = jobs,
            Progress = (done, total, failures) => ctx.Progress(RemoteCollect.ProgressLine(done, total, failures)),
        });
        IReadOnlyList<string> nodes;
        try { nodes = collector.Nodes(); }
        catch (InvalidOperationException e)
        {
            ctx.Err.WriteLine($"netsleuth: {e.Message}");
            return ExitCodes.Internal;
        }
        if (nodes.Count == 0)
        {
            ctx.Err.WriteLine($"netsleuth: no node{(args.Get("nodes") is { } s ? $" matches --nodes {s}" : "")}");
            return ExitCodes.Internal;
        }
        ctx.Progress($"collect: 0 of {nodes.Count} nodes");
        IReadOnlyList<RemoteHostResult> results;
        using (RemoteCollect.OnInterrupt(collector.Cancel)) results = collector.Run(nodes);
        ctx.EndProgress();
        return RemoteCollect.Report(ctx, results, collector.Cancelled);
    }
}
