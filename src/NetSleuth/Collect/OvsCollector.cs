using NetSleuth.Import;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Reads Open vSwitch through `ovs-vsctl -f json list bridge|port|interface|open_vswitch` from an OVSDB socket
/// into the host's root namespace, with the importer's parsers.</summary>
internal static class OvsCollector
{
    public static void Read(Host host, CollectOptions o)
    {
        var socket = o.OvsDb ?? (o.RootNamespace is null ? CollectPaths.DefaultOvsdbSockets.FirstOrDefault(File.Exists) : null);
        if (socket is null) return;
        if (host.Root is not { } root)
        {
            host.Warnings.Add(new Warning($"Open vSwitch ({socket}) not read: it belongs to the root namespace, which was not collected"));
            return;
        }
        // a bare path is a unix socket; "unix:PATH", "tcp:…" and "ssl:…" are OVSDB remotes as ovs-vsctl takes them
        var db = "--db=" + (socket.Contains(':') ? socket : "unix:" + socket);
        var log = new ImportLog();
        var into = new NetNamespace { Id = root.Id };
        foreach (var table in new[] { "bridge", "port", "interface", "open_vswitch" })
        {
            string[] argv = ["ovs-vsctl", db, "--timeout=5", "-f", "json", "list", table];
            var src = new SourceRef(Util.Shell.Join(argv));
            var r = Tools.Run(argv);
            if (!r.Ok)
            {
                host.Warnings.Add(new Warning(
                    (r.ExitCode == 127 ? "ovs-vsctl not found" : $"failed: {JsonValues.FirstLine(r.Stderr.Trim())}") +
                    "; Open vSwitch not collected", src, root.Id));
                return;
            }
            var output = new CommandOutput(argv, r.Stdout.TrimEnd('\n').Split('\n'), src.File, 1);
            if (CommandTable.Find(argv) is not { } entry)
            {
                host.Warnings.Add(new Warning("no parser for ovs-vsctl list; Open vSwitch not collected", src, root.Id));
                return;
            }
            entry.Parse(output, into, log);
        }
        foreach (var w in log.Warnings) host.Warnings.Add(w with { Namespace = root.Id });
        int warned = log.Warnings.Count;
        if (into.Ovs is not { } state) return;
        foreach (var b in state.Bridges) ReadFlows(b.Name, socket, into, log, host, root.Id);
        foreach (var w in log.Warnings.Skip(warned)) host.Warnings.Add(w with { Namespace = root.Id });
        root.Ovs = state;
        root.Known.Add(Sections.Ovs);
    }

    /// <summary>`ovs-ofctl dump-flows` of one bridge (read only), through the bridge's management socket beside the
    /// OVSDB socket (ovs-vswitchd's run directory) when there is one, else by its name.</summary>
    private static void ReadFlows(string bridge, string socket, NetNamespace into, ImportLog log, Host host, string ns)
    {
        var dir = socket.Contains(':') && !socket.StartsWith("unix:", StringComparison.Ordinal) ? null : Path.GetDirectoryName(socket.StartsWith("unix:", StringComparison.Ordinal) ? socket[5..] : socket);
        var mgmt = dir is null ? null : Path.Combine(dir, bridge + ".mgmt");
        string[] argv = ["ovs-ofctl", "--timeout=5", "dump-flows", mgmt is not null && File.Exists(mgmt) ? "unix:" + mgmt : bridge];
        var src = new SourceRef(Util.Shell.Join(argv));
        var r = Tools.Run(argv);
        if (!r.Ok)
        {
            host.Warnings.Add(new Warning($"OpenFlow flows of {bridge} not read ({(r.ExitCode == 127 ? "ovs-ofctl not found" : JsonValues.FirstLine(r.Stderr.Trim()))}): the tracer assumes NORMAL there", src, ns));
            return;
        }
        var output = new CommandOutput(argv, r.Stdout.TrimEnd('\n').Split('\n'), src.File, 1);
        CommandTable.Find(argv)?.Parse(output, into, log);
    }
}
