using NetSleuth.Model;

namespace NetSleuth.Import.Sos;

/// <summary>
/// Reads an extracted sosreport directory into one host: every file under sos_commands/ whose command
/// a parser of <see cref="CommandTable"/> reads, in the namespace it ran in. Both layouts of the
/// networking plugin are read: sos &lt; 4.3 keeps "ip_netns_exec_NS_…" files next to the others, sos ≥ 4.3
/// puts them in sos_commands/networking/namespaces/NS/. A network command no parser reads yet gives a
/// warning naming the file; commands that are not about network state (ethtool, netstat, journalctl…)
/// are passed over.
/// </summary>
public static class SosReportReader
{
    /// <summary>Plugin directories whose commands describe network state.</summary>
    private static readonly string[] PluginDirs = ["networking", "openvswitch", "firewall_tables", "kernel", "ebpf"];

    /// <summary>OVSDB table names with a '_' of their own ("ovs-vsctl -t 5 list Open_vSwitch").</summary>
    private static readonly string[] OvsdbTables = ["Open_vSwitch", "Flow_Table", "Flow_Sample_Collector_Set", "CT_Zone", "CT_Timeout_Policy"];

    /// <summary>True when <paramref name="dir"/> looks like an extracted sosreport (sos_commands/ plus sos_reports/, sos_logs/ or version.txt).</summary>
    public static bool LooksLikeSosReport(string dir) =>
        Directory.Exists(Path.Combine(dir, "sos_commands")) &&
        (Directory.Exists(Path.Combine(dir, "sos_reports")) || Directory.Exists(Path.Combine(dir, "sos_logs")) ||
         File.Exists(Path.Combine(dir, "version.txt")));

    /// <summary>Reads the sosreport in <paramref name="dir"/>; false (and no host) when it is not one.
    /// Problems inside the report become warnings, in <paramref name="log"/> and in the host.</summary>
    public static bool TryRead(string dir, string? hostName, out Host host, ImportLog log)
    {
        host = null!;
        if (!LooksLikeSosReport(dir)) return false;
        host = Read(dir, hostName);
        foreach (var w in host.Warnings) log.Warn(w.Source ?? new SourceRef(dir), w.Message, w.Namespace);
        return true;
    }

    /// <summary>The <see cref="DirectoryReader"/> that <see cref="InputLoader"/> tries: the host carries its warnings.</summary>
    internal static bool TryReadDirectory(string dir, string? hostName, ImportLog log, out Host? host)
    {
        host = LooksLikeSosReport(dir) ? Read(dir, hostName) : null;
        return host is not null;
    }

    private static Host Read(string dir, string? hostName)
    {
        var log = new ImportLog();
        var files = new SosFiles(dir, log);
        var hostname = files.FirstLine("hostname") ?? files.FirstLine("sos_commands/host/hostname") ??
                       files.FirstLine("sos_commands/general/hostname") ?? files.FirstLine("etc/hostname");
        var uname = files.FirstLine("uname") ?? files.FirstLine("sos_commands/kernel/uname_-a") ?? files.FirstLine("sos_commands/general/uname_-a");
        var builder = new HostBuilder(hostName ?? hostname ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))), log);
        builder.Namespace(null); // the report's own namespace, even when nothing in it is read

        var known = new HashSet<string>(NamespaceList(files), StringComparer.Ordinal);
        foreach (var n in files.Subdirectories("sos_commands/networking/namespaces")) known.Add(n);
        foreach (var br in files.Lines(files.Find("sos_commands/openvswitch", "ovs-vsctl", "list-br")) ?? []) if (br.Trim().Length > 0) known.Add(br.Trim());
        foreach (var dev in files.Subdirectories("sys/class/net")) known.Add(dev);
        known.UnionWith(OvsdbTables);

        var outputs = new List<(string? Ns, CommandOutput Output)>();
        foreach (var plugin in PluginDirs)
        {
            foreach (var (rel, name) in files.FilesIn($"sos_commands/{plugin}"))
            {
                if (SosFileNames.TrySplitNetnsExec(name, known, out var ns, out var rest)) Consider(files, rel, ns, rest, known, outputs, log);
                else Consider(files, rel, null, name, known, outputs, log);
            }
        }
        foreach (var ns in files.Subdirectories("sos_commands/networking/namespaces"))
        {
            var prefix = SosFileNames.NetnsExecPrefix + ns + "_";
            foreach (var (rel, name) in files.FilesIn($"sos_commands/networking/namespaces/{ns}"))
                Consider(files, rel, ns, name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name, known, outputs, log);
        }
        foreach (var (ns, output) in outputs.OrderBy(o => Order(o.Output.Argv)).ThenBy(o => o.Output.File, StringComparer.Ordinal))
            builder.Apply(output, ns);
        var host = builder.Finish();
        host.Meta.Origin = "sosreport";
        host.Meta.Hostname = hostname;
        host.Meta.Kernel = uname?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2);
        host.Meta.Sources.Insert(0, dir);
        return host;
    }

    /// <summary>Queues one file's output for its parser; a network command no parser reads is named in a warning.</summary>
    private static void Consider(SosFiles files, string rel, string? ns, string mangled, IReadOnlySet<string> known,
        List<(string?, CommandOutput)> outputs, ImportLog log)
    {
        var words = SosFileNames.Words(mangled, known);
        if (words.Count == 0) return;
        var command = CommandLine.Normalise(words);
        var argv = command.Argv;
        if (argv.Count == 0 || CommandTable.Find(argv) is null)
        {
            if (SosCommandKinds.IsNetworkState(words))
                log.Warn(new SourceRef(files.Full(rel)), $"sosreport: no parser reads '{string.Join(' ', words)}' yet; file skipped", ns);
            return;
        }
        var lines = files.Lines(rel);
        if (lines is null) return;
        outputs.Add((ns ?? command.Netns, new CommandOutput(argv, lines, files.Full(rel), 1)));
    }

    /// <summary>The names in `ip netns` ("nimb-aux-14766 (id: 0)"), to tell a namespace from a command in file names.</summary>
    private static IEnumerable<string> NamespaceList(SosFiles files) =>
        (files.Lines("sos_commands/networking/ip_netns") ?? [])
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length == 1 || (w.Length == 3 && w[1] == "(id:"))
            .Select(w => w[0]);

    /// <summary>Links and addresses first, so routes, neighbours and OVS rows find the devices they name.</summary>
    private static int Order(IReadOnlyList<string> argv)
    {
        if (argv.Count >= 2 && argv[0] == "ip" && argv.Any(a => a is "link" or "address")) return 0;
        if (argv.Contains("show") && argv[0] == "ovs-vsctl") return 1;
        return 2;
    }
}
