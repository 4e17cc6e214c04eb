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

    /// <summary>True when <paramref name="dir"/> looks like an extracted sosreport (sos_commands/ plus sos_reports/, sos_logs/ or version.txt).</summary>
    public static bool LooksLikeSosReport(string dir) =>
        Directory.Exists(Path.Combine(dir, "sos_commands")) &&
        (Directory.Exists(Path.Combine(dir, "sos_reports")) || Directory.Exists(Path.Combine(dir, "sos_logs")) ||
         File.Exists(Path.Combine(dir, "version.txt")));

    /// <summary>Reads the sosreport in <paramref name="dir"/>; false (and no host) when it is not one.
    /// Problems inside the report become warnings in <paramref name="log"/>.</summary>
    public static bool TryRead(string dir, string? hostName, out Host host, ImportLog log)
    {
        host = null!;
        if (!LooksLikeSosReport(dir)) return false;
        var files = new SosFiles(dir, log);
        var hostname = files.FirstLine("hostname") ?? files.FirstLine("sos_commands/host/hostname") ??
                       files.FirstLine("sos_commands/general/hostname") ?? files.FirstLine("etc/hostname");
        var uname = files.FirstLine("uname") ?? files.FirstLine("sos_commands/kernel/uname_-a") ?? files.FirstLine("sos_commands/general/uname_-a");
        host = new Host
        {
            Name = hostName ?? hostname ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))),
            Meta = new HostMeta
            {
                Hostname = hostname,
                Kernel = uname?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2),
                Origin = "sosreport",
                Sources = [dir],
            },
        };
        var root = new NetNamespace { Id = "root", IsRoot = true };
        host.Namespaces.Add(root);
        var names = ReadNamespaceList(files, root, log);
        var known = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var n in files.Subdirectories("sos_commands/networking/namespaces")) known.Add(n);
        foreach (var br in files.Lines(files.Find("sos_commands/openvswitch", "ovs-vsctl", "list-br")) ?? []) if (br.Trim().Length > 0) known.Add(br.Trim());
        foreach (var dev in files.Subdirectories("sys/class/net")) known.Add(dev);

        var outputs = new List<(string Ns, CommandOutput Output, CommandTable.Entry Entry)>();
        foreach (var plugin in PluginDirs)
        {
            foreach (var (rel, name) in files.FilesIn($"sos_commands/{plugin}"))
            {
                if (SosFileNames.TrySplitNetnsExec(name, known, out var ns, out var rest)) Consider(files, rel, name, ns, rest, known, outputs, log);
                else Consider(files, rel, name, "root", name, known, outputs, log);
            }
        }
        foreach (var ns in files.Subdirectories("sos_commands/networking/namespaces"))
        {
            foreach (var (rel, name) in files.FilesIn($"sos_commands/networking/namespaces/{ns}"))
            {
                var prefix = SosFileNames.NetnsExecPrefix + ns + "_";
                Consider(files, rel, name, ns, name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name, known, outputs, log);
            }
        }
        foreach (var (nsName, output, entry) in outputs.OrderBy(o => Order(o.Output.Argv)).ThenBy(o => o.Output.File, StringComparer.Ordinal))
        {
            var ns = nsName == "root" ? root : Namespace(host, nsName);
            try { entry.Parse(output, ns, log); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.Warn(output.At(0), $"could not read the output of '{output.CommandText}': {e.GetType().Name}: {e.Message}");
            }
        }
        host.Warnings.AddRange(log.Warnings);
        return true;
    }

    private static void Consider(SosFiles files, string rel, string fileName, string ns, string mangled, IReadOnlySet<string> known,
        List<(string, CommandOutput, CommandTable.Entry)> outputs, ImportLog log)
    {
        var argv = SosFileNames.Words(mangled, known);
        if (argv.Count == 0 || (argv.Count >= 2 && argv[0] == "ip" && argv[1] == "netns" && ns == "root" && fileName == mangled)) return;
        var entry = CommandTable.Find(argv);
        if (entry is null)
        {
            if (SosCommandKinds.IsNetworkState(argv))
                log.Warn(new SourceRef(files.Full(rel)), $"sosreport: no parser reads '{string.Join(' ', argv)}' yet; file skipped", ns == "root" ? null : ns);
            return;
        }
        var lines = files.Lines(rel);
        if (lines is null) return;
        outputs.Add((ns, new CommandOutput(argv, lines, files.Full(rel), 1), entry));
    }

    // "nimb-aux-14766 (id: 0)" or "nimb-aux-14766": the namespaces the report's root namespace saw
    private static List<string> ReadNamespaceList(SosFiles files, NetNamespace root, ImportLog log)
    {
        var names = new List<string>();
        var rel = "sos_commands/networking/ip_netns";
        var lines = files.Lines(rel);
        if (lines is null) return names;
        for (int i = 0; i < lines.Count; i++)
        {
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            if (words.Length == 1 || (words.Length == 3 && words[1] == "(id:" && words[2].EndsWith(')')))
            {
                names.Add(words[0]);
                if (words.Length == 3 && int.TryParse(words[2].TrimEnd(')'), out var id)) root.NetnsIds.Add(new NetnsIdEntry(id, words[0]));
            }
            else log.Warn(new SourceRef(files.Full(rel), i + 1), $"sosreport: not a namespace line: '{string.Join(' ', words.Take(6))}'");
        }
        if (names.Count > 0 || lines.Count == 0) root.Known.Add(Sections.NetnsIds);
        return names;
    }

    private static NetNamespace Namespace(Host host, string name)
    {
        var ns = host.FindNamespace(name);
        if (ns is null)
        {
            ns = new NetNamespace { Id = name, Name = name };
            host.Namespaces.Add(ns);
        }
        return ns;
    }

    /// <summary>Links and addresses first, so routes, neighbours and OVS rows find the devices they name.</summary>
    private static int Order(IReadOnlyList<string> argv)
    {
        if (argv.Count >= 2 && argv[0] == "ip" && argv.Any(a => a.StartsWith("link", StringComparison.Ordinal) || a.StartsWith("addr", StringComparison.Ordinal))) return 0;
        if (argv.Contains("show") && argv[0] == "ovs-vsctl") return 1;
        return 2;
    }
}
