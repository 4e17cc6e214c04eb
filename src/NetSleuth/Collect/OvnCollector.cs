using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Reads OVN's logical view, read only, into the host's root namespace with the importer's parsers: the logical
/// switch ports from a northbound database (`ovn-nbctl --db=… list Logical_Switch_Port`) and the chassis with their tunnel
/// endpoints and port bindings from a southbound one (`ovn-sbctl --db=… show`).</summary>
internal static class OvnCollector
{
    public static void Read(Host host, CollectOptions o)
    {
        if (o.OvnNb is { } nb) Read(host, "ovn-nbctl", nb, ["list", "Logical_Switch_Port"], "northbound", "OVN's logical switch ports");
        if (o.OvnSb is { } sb) Read(host, "ovn-sbctl", sb, ["show"], "southbound", "OVN's chassis and port bindings");
    }

    private static void Read(Host host, string tool, string db, string[] command, string which, string what)
    {
        if (host.Root is not { } root)
        {
            host.Warnings.Add(new Warning($"OVN {which} ({db}) not read: it is kept on the root namespace, which was not collected"));
            return;
        }
        string[] argv = [tool, "--db=" + (db.Contains(':') ? db : "unix:" + db), "--timeout=5", .. command];
        var src = new SourceRef(Util.Shell.Join(argv));
        var r = Tools.Run(argv);
        if (!r.Ok)
        {
            host.Warnings.Add(new Warning(
                (r.ExitCode == 127 ? $"{tool} not found" : $"failed: {Import.IpJson.JsonValues.FirstLine(r.Stderr.Trim())}") +
                $"; {what} not collected", src, root.Id));
            return;
        }
        if (CommandTable.Find(argv) is not { } entry) return;
        var log = new ImportLog();
        entry.Parse(new CommandOutput(argv, r.Stdout.TrimEnd('\n').Split('\n'), src.File, 1), root, log);
        foreach (var w in log.Warnings) host.Warnings.Add(w with { Namespace = root.Id });
    }
}
