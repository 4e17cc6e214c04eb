using NetSleuth.Collect;
using NetSleuth.Lab;
using NetSleuth.Model;

namespace NetSleuth.Cli.Commands.Lab;

/// <summary>
/// <c>netsleuth collect --lab [PREFIX] [-o DIR]</c>: one snapshot per lab host, each host's namespaces
/// collected with its first namespace standing in as the root. With -o DIR: DIR/HOST.json per host;
/// without: one snapshot of every host on standard output.
/// </summary>
internal static class LabCollect
{
    public static readonly OptionSpec Option =
        new("lab", null, $"collect the lab PREFIX (the word after --lab; default {LabPaths.DefaultPrefix}): one snapshot per lab host");

    public static int Execute(ParsedArgs args, CliContext ctx, string? toolVersion)
    {
        if (args.Positionals.Count > 1) throw new UsageException($"unexpected argument '{args.Positionals[1]}'");
        foreach (var o in new[] { "host-name", "netns", "ovsdb" })
            if (args.Has(o)) throw new UsageException($"--{o} cannot be combined with --lab (the lab says what each host is)");
        var prefix = args.Positionals.Count == 1 ? args.Positionals[0] : LabPaths.DefaultPrefix;
        try { LabPaths.Validate(prefix); }
        catch (LabException e) { throw new UsageException(e.Message); }
        if (!Environment.IsPrivilegedProcess)
        {
            ctx.Err.WriteLine("netsleuth: collect needs root (it enters every network namespace); run it with sudo");
            return ExitCodes.BadInput;
        }
        return LabCommand.Guard(ctx, () =>
        {
            var lab = LabBuilder.Open(prefix);
            if (lab.State.Status != LabState.Up)
                throw new LabException($"lab {prefix} is not up ({LabStatus.Of(lab.State).Condition}); see 'netsleuth lab status'");
            var hosts = new List<Host>();
            foreach (var h in lab.Hosts)
            {
                ctx.Progress($"collect: lab host {h.Name}");
                var host = LiveCollector.CollectHost(h.CollectOptions(args.Has("conntrack"), toolVersion));
                foreach (var w in host.Warnings) ctx.Warn($"{h.Name}: {w}");
                hosts.Add(host);
            }
            ctx.EndProgress();
            var dir = args.Get("output");
            if (dir is null || dir == "-")
            {
                ctx.Out.Write(SnapshotJson.Serialize(new Snapshot { Hosts = hosts }) + "\n");
                return ExitCodes.Ok;
            }
            try
            {
                Directory.CreateDirectory(dir);
                foreach (var h in hosts)
                {
                    var path = Path.Combine(dir, h.Name + ".json");
                    File.WriteAllText(path, SnapshotJson.Serialize(new Snapshot { Hosts = [h] }) + "\n");
                    ctx.Out.WriteLine(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write {dir}: {e.Message}");
            }
            return ExitCodes.Ok;
        });
    }
}
