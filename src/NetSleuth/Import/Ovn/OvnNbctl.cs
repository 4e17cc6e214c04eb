using NetSleuth.Import.Ovs;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovn;

/// <summary>An ovn-nbctl (or ovn-sbctl) command line: its command words, options dropped ("--db=…", "--timeout 20").</summary>
internal static class OvnNbctl
{
    private static readonly HashSet<string> TakesValue = new(StringComparer.Ordinal) { "--db", "-t", "--timeout", "-f", "--format", "--columns" };

    /// <summary>The words after the options, or null when ARGV is not ovn-nbctl.</summary>
    public static IReadOnlyList<string>? Words(IReadOnlyList<string> argv, string tool = "ovn-nbctl")
    {
        if (argv.Count == 0 || Path.GetFileName(argv[0]) != tool) return null;
        var words = new List<string>();
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a.Length >= 2 && a[0] == '-')
            {
                if (!a.Contains('=') && TakesValue.Contains(a)) i++;
                continue;
            }
            words.Add(a);
        }
        return words;
    }

    /// <summary>The format option's value ("json", "table", …), or null for the default.</summary>
    public static string? Format(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a.StartsWith("--format=", StringComparison.Ordinal) || a.StartsWith("-f=", StringComparison.Ordinal)) return a[(a.IndexOf('=') + 1)..];
            if (a is "-f" or "--format" && i + 1 < argv.Count) return argv[i + 1];
        }
        return null;
    }

    public static OvnState State(NetNamespace ns, SourceRef at) => ns.Ovn ??= new OvnState { Source = at };

    /// <summary>The database a command line names (`--db=unix:…`, `--db unix:…`), or null (the tool's default).</summary>
    public static string? Db(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            if (argv[i].StartsWith("--db=", StringComparison.Ordinal)) return argv[i][5..];
            if (argv[i] == "--db" && i + 1 < argv.Count) return argv[i + 1];
        }
        return null;
    }

    /// <summary>The port NAME of STATE, made when new; a later reading of the same port refines it.</summary>
    public static OvnLogicalSwitchPort Port(OvnState state, string name, SourceRef at)
    {
        foreach (var p in state.Ports)
            if (p.Name == name) return p;
        var port = new OvnLogicalSwitchPort { Name = name, Source = at };
        state.Ports.Add(port);
        return port;
    }
}

/// <summary>
/// Reads `ovn-nbctl list Logical_Switch_Port` (the db-ctl "column : value" rows, as ovs-vsctl list):
/// <code>
/// addresses           : ["0a:58:0a:84:02:2e 198.18.2.46"]
/// name                : default_peerpod
/// port_security       : ["0a:58:0a:84:02:2e 198.18.2.46"]
/// type                : ""
/// up                  : true
/// </code>
/// </summary>
internal static class OvnNbctlListLspParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        OvnNbctl.Words(argv) is { Count: >= 2 } w && w[0] is "list" or "find" &&
        w[1].Equals("Logical_Switch_Port", StringComparison.OrdinalIgnoreCase);

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (OvnNbctl.Format(output.Argv) is { } f && f != "list")
        {
            log.Warn(output, 0, $"ovn-nbctl --format={f} is not read; use the default format");
            return;
        }
        var rows = OvsVsctlListParser.ReadText(output, log);
        if (rows.Count == 0) return;
        var state = OvnNbctl.State(ns, output.At(0));
        state.NbDb ??= OvnNbctl.Db(output.Argv);
        foreach (var row in rows)
        {
            var name = row["name"]?.Single;
            if (string.IsNullOrEmpty(name))
            {
                log.Warn(output, row.LineIndex, "ovn-nbctl list Logical_Switch_Port: a row without a name is not read");
                continue;
            }
            var port = OvnNbctl.Port(state, name, output.At(row.LineIndex));
            port.Source = output.At(row.LineIndex);
            if (row["type"] is { } t) port.Type = t.Single ?? "";
            if (row["addresses"] is { } a) port.Addresses = [.. a.Atoms];
            if (row["port_security"] is { } ps) { port.PortSecurity = [.. ps.Atoms]; port.PortSecurityKnown = true; }
            if (row["up"] is { } up && up.Single is "true" or "false") port.Up = up.Single == "true";
        }
    }
}

/// <summary>
/// Reads `ovn-nbctl show`: switches with their ports (type, addresses); routers are skipped.
/// <code>
/// switch c7f5c6ad-d878-457a-be97-848c236a62f7 (worker)
///     port default_peerpod
///         addresses: ["0a:58:0a:84:02:2e 198.18.2.46"]
///     port stor-worker
///         type: router
///         router-port: rtos-worker
/// router 1da2314c-f487-4b82-a486-229999a325f5 (ovn_cluster_router)
/// </code>
/// The output has no port security: those ports keep <see cref="OvnLogicalSwitchPort.PortSecurityKnown"/> false.
/// </summary>
internal static class OvnNbctlShowParser
{
    public static bool Matches(IReadOnlyList<string> argv) => OvnNbctl.Words(argv) is { Count: 1 } w && w[0] == "show";

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        OvnState? state = null;
        string? sw = null;
        bool inSwitch = false;
        OvnLogicalSwitchPort? port = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            var t = line.Trim();
            if (t.Length == 0) continue;
            int indent = line.Length - line.TrimStart().Length;
            if (indent == 0)
            {
                port = null;
                inSwitch = t.StartsWith("switch ", StringComparison.Ordinal);
                if (!inSwitch && !t.StartsWith("router ", StringComparison.Ordinal))
                {
                    log.Warn(output, i, $"ovn-nbctl show: not a switch or router line: '{OvsVsctlShowParser.Short(t)}'");
                    continue;
                }
                sw = inSwitch ? NameIn(t) : null;
                continue;
            }
            if (!inSwitch) continue;
            if (t.StartsWith("port ", StringComparison.Ordinal))
            {
                var name = t[5..].Trim();
                int aka = name.IndexOf(" (aka ", StringComparison.Ordinal);
                if (aka > 0) name = name[..aka];
                state ??= OvnNbctl.State(ns, output.At(i));
                state.NbDb ??= OvnNbctl.Db(output.Argv);
                port = OvnNbctl.Port(state, name, output.At(i));
                port.Switch = sw;
                port.Type ??= "";
                continue;
            }
            if (port is null) continue;
            int colon = t.IndexOf(':');
            if (colon <= 0) continue;
            var key = t[..colon];
            var value = t[(colon + 1)..];
            if (key is "addresses" or "type" && !OvsdbDatum.TryParseText(value, out var datum))
            {
                log.Warn(output, i, $"ovn-nbctl show: cannot read the {key} of port {port.Name}");
                continue;
            }
            else if (key == "addresses") { OvsdbDatum.TryParseText(value, out var d); port.Addresses = [.. d.Atoms]; }
            else if (key == "type") port.Type = value.Trim();
        }
    }

    // "switch UUID (NAME)" → NAME; "switch UUID" → UUID
    private static string NameIn(string t)
    {
        int open = t.IndexOf('('), close = t.LastIndexOf(')');
        if (open > 0 && close > open) return t[(open + 1)..close];
        var words = t.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 1 ? words[1] : t;
    }
}
