using NetSleuth.Collect;
using NetSleuth.Model;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth collect`: the running machine's network state as a snapshot (root only).</summary>
internal sealed class CollectCommand : CliCommand
{
    public override string Name => "collect";
    public override string Summary => "collect this machine's network state (every namespace) into a snapshot";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Output,
        new("host-name", "NAME", "the host's name in the snapshot (default: the hostname)"),
        new("netns", "GLOB", "collect only namespaces whose name or id matches (repeatable; ids: root, NAME, inode:N)", Repeatable: true),
        new("ovsdb", "SOCKET", "read Open vSwitch from this OVSDB unix socket (default: /run/openvswitch/db.sock if present)"),
        Conntrack,
        new("ovn-nb", "DB", "read OVN's logical switch ports (read only) from this northbound database: a unix socket or an OVSDB remote (unix:…, tcp:…)"),
        new("ovn-sb", "DB", "read OVN's chassis, tunnel endpoints and port bindings (read only, ovn-sbctl show) from this southbound database"),
        Lab.LabCollect.Option,
        .. RemoteCollect.Options,
    ];

    public override string Usage => "[options] | --lab [PREFIX] -o DIR | --ssh [USER@]HOST[:PORT]... -o DIR | --kubernetes -o DIR";

    public static readonly OptionSpec Conntrack =
        new("conntrack", null, "also read each namespace's connection-tracking table (conntrack -L; can be large on a busy node)");

    public override string Details => """
        Needs root: it enters every network namespace (the root one, /run/netns/*, every process's)
        and reads links, addresses, routes of all tables, rules, neighbours, bridge FDB, tc, iptables,
        nftables, forwarding sysctls and Open vSwitch. It changes nothing.

        Example:
          sudo netsleuth collect -o worker.json --host-name worker
          sudo netsleuth collect --netns 'cni-*' --netns root
          sudo netsleuth collect --lab nsl -o snapshots/     # snapshots/worker.json, snapshots/podvm.json
          sudo netsleuth collect --conntrack -o node.json     # with conntrack -L of every namespace
          netsleuth collect --ssh root@worker1 admin@10.0.0.7:2222 -j 32 -o cluster/   # cluster/HOST.json per host
          netsleuth collect --kubernetes --context prod --nodes role=worker --image REG/netsleuth:0.1.0 -o cluster/

        --ssh uses your ssh client as it is (keys, agent, ~/.ssh/config, known_hosts) with BatchMode=yes:
        it never prompts. Each host gets the native binary in a `mktemp -d` directory, removed on every exit,
        and runs it as root (sudo -n when the login is not root). Files are named after each host's own
        hostname (the name given when two hosts share one). Exit code 4: some hosts were not collected
        (each named on standard error with the reason); 1: none was.
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (RemoteCollect.Wanted(args)) return RemoteCollect.Execute(args, ctx);
        if (args.Has("lab")) return Lab.LabCollect.Execute(args, ctx, VersionInfo.Version);
        foreach (var o in RemoteCollect.Options)
            if (args.Has(o.Name)) throw new UsageException($"--{o.Name} goes with --ssh or --kubernetes");
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        if (!Environment.IsPrivilegedProcess)
        {
            ctx.Err.WriteLine("netsleuth: collect needs root (it enters every network namespace); run it with sudo");
            return ExitCodes.BadInput;
        }
        var options = new CollectOptions
        {
            HostName = args.Get("host-name"),
            NetnsGlobs = args.GetAll("netns"),
            OvsDb = args.Get("ovsdb"),
            Conntrack = args.Has("conntrack"),
            OvnNb = args.Get("ovn-nb"),
            OvnSb = args.Get("ovn-sb"),
            ToolVersion = VersionInfo.Version,
            Progress = ctx.ShowProgress ? new SyncProgress(ctx) : null,
        };
        var snapshot = LiveCollector.Collect(options);
        ctx.EndProgress();
        foreach (var w in snapshot.Hosts.SelectMany(h => h.Warnings)) ctx.Warn(w.ToString());
        if (args.Get("output") is { } file && file != "-") WriteFile(file, snapshot);
        else ctx.WriteOutput(args, SnapshotJson.Serialize(snapshot) + "\n");
        return ExitCodes.Ok;
    }

    /// <summary>Serializes straight into the file (a snapshot of hundreds of namespaces is megabytes: no string of it).</summary>
    private static void WriteFile(string file, Snapshot snapshot)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            SnapshotJson.Write(snapshot, stream);
            stream.WriteByte((byte)'\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {file}: {e.Message}");
        }
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(CliContext ctx) : IProgress<string>
    {
        private readonly Lock _lock = new();
        public void Report(string value)
        {
            lock (_lock) ctx.Progress("collect: " + value);
        }
    }
}
