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
        if (into.Ovs is not { } state) return;
        root.Ovs = state;
        root.Known.Add(Sections.Ovs);
    }
}
