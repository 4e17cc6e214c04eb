using NetSleuth.Import.IpJson;
using NetSleuth.Import.Ovs;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Reads Open vSwitch through ovs-vsctl from an OVSDB socket into the host's root namespace.</summary>
internal static class OvsCollector
{
    public static void Read(Host host, CollectOptions o)
    {
        var socket = o.OvsDb ?? (o.RootNamespace is null ? CollectPaths.DefaultOvsdbSockets.FirstOrDefault(File.Exists) : null);
        if (socket is null || host.Root is not { } root) return;
        var db = "--db=unix:" + socket;
        var src = new SourceRef($"ovs-vsctl {db}");
        var tables = new List<List<OvsVsctlJson.Row>>();
        foreach (var table in new[] { "bridge", "port", "interface" })
        {
            var r = Tools.Run(["ovs-vsctl", db, "--timeout=5", "-f", "json", "list", table]);
            if (!r.Ok)
            {
                host.Warnings.Add(new Warning(
                    (r.ExitCode == 127 ? "ovs-vsctl not found" : $"ovs-vsctl list {table} failed: {JsonValues.FirstLine(r.Stderr.Trim())}") +
                    "; Open vSwitch not collected", src, root.Id));
                return;
            }
            var rows = OvsVsctlJson.Table(r.Stdout, out var error);
            if (rows is null)
            {
                host.Warnings.Add(new Warning($"ovs-vsctl list {table}: {error}; Open vSwitch not collected", src, root.Id));
                return;
            }
            tables.Add(rows);
        }
        var state = OvsVsctlJson.Build(tables[0], tables[1], tables[2], src);
        var ver = Tools.Run(["ovs-vsctl", db, "--timeout=5", "get", "Open_vSwitch", ".", "ovs_version"]);
        if (ver.Ok) state.OvsVersion = ver.Stdout.Trim().Trim('"');
        root.Ovs = state;
        root.Known.Add(Sections.Ovs);
    }
}
