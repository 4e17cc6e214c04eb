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
        new("ovn-nb", "DB", "read OVN's logical switch ports (read only) from this northbound database: a unix socket or an OVSDB remote (unix:…, tcp:…)"),
        Lab.LabCollect.Option,
    ];

    public override string Details => """
        Needs root: it enters every network namespace (the root one, /run/netns/*, every process's)
        and reads links, addresses, routes of all tables, rules, neighbours, bridge FDB, tc, iptables,
        nftables, forwarding sysctls and Open vSwitch. It changes nothing.

        Example:
          sudo netsleuth collect -o worker.json --host-name worker
          sudo netsleuth collect --netns 'cni-*' --netns root
          sudo netsleuth collect --lab nsl -o snapshots/     # snapshots/worker.json, snapshots/podvm.json
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Has("lab")) return Lab.LabCollect.Execute(args, ctx, VersionInfo.Version);
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
            OvnNb = args.Get("ovn-nb"),
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
