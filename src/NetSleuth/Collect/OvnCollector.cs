using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Reads OVN's logical switch ports from a northbound database, read only
/// (`ovn-nbctl --db=… list Logical_Switch_Port`), into the host's root namespace with the importer's parser.</summary>
internal static class OvnCollector
{
    public static void Read(Host host, CollectOptions o)
    {
        if (o.OvnNb is not { } nb) return;
        if (host.Root is not { } root)
        {
            host.Warnings.Add(new Warning($"OVN northbound ({nb}) not read: it is kept on the root namespace, which was not collected"));
            return;
        }
        string[] argv = ["ovn-nbctl", "--db=" + (nb.Contains(':') ? nb : "unix:" + nb), "--timeout=5", "list", "Logical_Switch_Port"];
        var src = new SourceRef(Util.Shell.Join(argv));
        var r = Tools.Run(argv);
        if (!r.Ok)
        {
            host.Warnings.Add(new Warning(
                (r.ExitCode == 127 ? "ovn-nbctl not found" : $"failed: {Import.IpJson.JsonValues.FirstLine(r.Stderr.Trim())}") +
                "; OVN's logical switch ports not collected", src, root.Id));
            return;
        }
        if (CommandTable.Find(argv) is not { } entry) return;
        var log = new ImportLog();
        entry.Parse(new CommandOutput(argv, r.Stdout.TrimEnd('\n').Split('\n'), src.File, 1), root, log);
        foreach (var w in log.Warnings) host.Warnings.Add(w with { Namespace = root.Id });
    }
}
