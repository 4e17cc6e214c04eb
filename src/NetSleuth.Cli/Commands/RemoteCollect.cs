using System.Runtime.InteropServices;
using NetSleuth.Collect.Remote;

namespace NetSleuth.Cli.Commands;

/// <summary>
/// <c>collect --ssh DEST... -o DIR</c> and <c>collect --kubernetes -o DIR</c>: the collector run on many
/// machines at once, one DIR/HOST.json each. Failures are named per host; the others are still collected.
/// Exit 0 when every host was collected, 4 when some were, 1 when none.
/// </summary>
internal static class RemoteCollect
{
    public static readonly OptionSpec[] Options =
    [
        new("ssh", null, "collect the hosts given as arguments ([USER@]HOST[:PORT]) over the system ssh client, in parallel"),
        new("ssh-config", "FILE", "with --ssh: the OpenSSH client configuration to use (ssh -F FILE)"),
        new("jobs", "N", "with --ssh/--kubernetes: hosts collected at once (default 16)", 'j'),
        new("no-copy", null, "with --ssh: copy nothing; run the host's ip/tc/bridge/nft/iptables/ovs-vsctl over the session and import their outputs"),
        new("binary", "FILE", "with --ssh: the netsleuth executable copied to the hosts (default: this one, when it is the native binary)"),
        new("kubernetes", null, "collect every node of a Kubernetes cluster through kubectl (a short-lived privileged pod per node)"),
        new("context", "C", "with --kubernetes: the kubeconfig context"),
        new("nodes", "SELECTOR", "with --kubernetes: a label selector for the nodes (default: all)"),
        new("image", "IMG", "with --kubernetes: the collector image (built by the repository's Containerfile)"),
        new("kube-namespace", "NS", "with --kubernetes: the namespace the collector pods run in (default: default)"),
    ];

    public static bool Wanted(ParsedArgs args) => args.Has("ssh") || args.Has("kubernetes");

    public static int Execute(ParsedArgs args, CliContext ctx)
    {
        bool ssh = args.Has("ssh"), kube = args.Has("kubernetes");
        if (ssh && kube) throw new UsageException("--ssh and --kubernetes cannot be combined");
        foreach (var o in new[] { "host-name", "ovsdb", "lab" })
            if (args.Has(o)) throw new UsageException($"--{o} cannot be combined with --{(ssh ? "ssh" : "kubernetes")} (each host names itself)");
        foreach (var o in ssh ? new[] { "context", "nodes", "image", "kube-namespace" } : ["ssh-config", "no-copy", "binary"])
            if (args.Has(o)) throw new UsageException($"--{o} goes with --{(ssh ? "kubernetes" : "ssh")}");
        var dir = args.Get("output") is { } d && d != "-" ? d : throw new UsageException($"--{(ssh ? "ssh" : "kubernetes")} needs -o DIR (one HOST.json per host)");
        int jobs = args.GetInt("jobs", 1, 1024) ?? 16;
        return ssh ? Ssh(args, ctx, dir, jobs) : Kubernetes.Execute(args, ctx, dir, jobs);
    }

    private static int Ssh(ParsedArgs args, CliContext ctx, string dir, int jobs)
    {
        if (args.Positionals.Count == 0) throw new UsageException("--ssh needs at least one host ([USER@]HOST[:PORT])");
        var dests = new List<SshDestination>();
        foreach (var p in args.Positionals)
            dests.Add(SshDestination.TryParse(p, out var err) ?? throw new UsageException($"--ssh: {err}"));
        if (args.Get("ssh-config") is { } cfg && !File.Exists(cfg)) throw new UsageException($"--ssh-config {cfg}: no such file");
        bool noCopy = args.Has("no-copy");
        string? binary = null;
        if (noCopy && args.Has("binary")) throw new UsageException("--binary and --no-copy cannot be combined");
        if (noCopy && args.Has("netns")) throw new UsageException("--netns is not supported with --no-copy");
        if (noCopy && args.Has("conntrack")) throw new UsageException("--conntrack is not supported with --no-copy");
        if (noCopy && args.Has("ovn-nb")) throw new UsageException("--ovn-nb is not supported with --no-copy");
        if (noCopy && args.Has("ovn-sb")) throw new UsageException("--ovn-sb is not supported with --no-copy");
        if (!noCopy)
        {
            binary = args.Get("binary") ?? SelfBinary()
                ?? throw new UsageException("this netsleuth runs on .NET, not as the native binary, so there is nothing to copy: give --binary FILE " +
                                            "(scripts/publish-native builds artifacts/netsleuth/netsleuth) or use --no-copy");
            if (!File.Exists(binary)) throw new UsageException($"--binary {binary}: no such file");
        }
        var collectArgs = new List<string>();
        foreach (var g in args.GetAll("netns")) { collectArgs.Add("--netns"); collectArgs.Add(g); }
        if (args.Has("conntrack")) collectArgs.Add("--conntrack");
        if (args.Get("ovn-nb") is { } nb) { collectArgs.Add("--ovn-nb"); collectArgs.Add(nb); }
        if (args.Get("ovn-sb") is { } sb) { collectArgs.Add("--ovn-sb"); collectArgs.Add(sb); }
        var collector = new SshCollector(new SshCollectOptions
        {
            Destinations = dests,
            OutputDir = dir,
            Binary = binary,
            NoCopy = noCopy,
            SshConfig = args.Get("ssh-config"),
            Parallelism = jobs,
            CollectArgs = collectArgs,
            Progress = (done, total, failures) => ctx.Progress(ProgressLine(done, total, failures)),
        });
        ctx.Progress($"collect: 0 of {dests.Count} hosts");
        IReadOnlyList<RemoteHostResult> results;
        using (OnInterrupt(collector.Cancel)) results = collector.Run();
        ctx.EndProgress();
        return Report(ctx, results, collector.Cancelled);
    }

    internal static string ProgressLine(int done, int total, IReadOnlyList<RemoteHostResult> failures)
    {
        var line = $"collect: {done} of {total} hosts";
        if (failures.Count == 0) return line;
        var names = string.Join(", ", failures.Take(3).Select(f => f.Target));
        return line + $", {failures.Count} failed ({names}{(failures.Count > 3 ? ", …" : "")})";
    }

    /// <summary>Paths of the snapshots on standard output; per failed host one line on standard error; the exit code.</summary>
    internal static int Report(CliContext ctx, IReadOnlyList<RemoteHostResult> results, bool cancelled)
    {
        int ok = 0;
        foreach (var r in results)
        {
            if (r.Ok)
            {
                ok++;
                foreach (var w in r.Warnings) ctx.Warn($"{r.HostName}: {w}");
                ctx.Out.WriteLine(r.File);
            }
        }
        foreach (var r in results)
            if (!r.Ok) ctx.Err.WriteLine($"netsleuth: {r.Target}: {r.Failure}");
        if (ok < results.Count)
            ctx.Err.WriteLine($"netsleuth: collected {ok} of {results.Count} hosts{(cancelled ? " (interrupted)" : "")}");
        if (cancelled) return 130;
        return ok == results.Count ? ExitCodes.Ok : ok == 0 ? ExitCodes.Internal : ExitCodes.Partial;
    }

    /// <summary>The running executable when it is the NativeAOT netsleuth (no JIT, not the dotnet host).</summary>
    private static string? SelfBinary()
    {
        if (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported) return null;
        return Environment.ProcessPath;
    }

    /// <summary>Ctrl-C, SIGTERM and SIGHUP call <paramref name="cancel"/> instead of ending the process at once.</summary>
    internal static IDisposable OnInterrupt(Action cancel)
    {
        var regs = new List<PosixSignalRegistration>();
        foreach (var s in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            regs.Add(PosixSignalRegistration.Create(s, c => { c.Cancel = true; cancel(); }));
        return new Registrations(regs);
    }

    private sealed class Registrations(List<PosixSignalRegistration> regs) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in regs) r.Dispose();
        }
    }
}
