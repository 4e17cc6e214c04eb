using NetSleuth.Model;

namespace NetSleuth.Import.Sysctl;

/// <summary>
/// Reads `sysctl -a`, `sysctl KEY…` and `cat /proc/sys/…` into <see cref="NetNamespace.Sysctls"/>,
/// keeping only the keys that decide forwarding (<see cref="SysctlKeys"/>):
/// <code>
/// net.ipv4.conf.all.rp_filter = 2
/// net.ipv4.ip_forward = 1
/// </code>
/// `cat /proc/sys/net/ipv4/ip_forward` prints only the value; the key comes from the path (a "." in
/// a device name is written "/" in the key, as sysctl does: net.ipv4.conf.eth0/100.rp_filter).
/// </summary>
internal static class SysctlParser
{
    /// <summary>`sysctl -a`, `sysctl KEY…` (not -n/-b/-N, which drop the keys) and `cat /proc/sys/…`.</summary>
    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 2 && (Path.GetFileName(argv[0]) == "sysctl"
            ? !argv.Any(a => a is "-n" or "--values" or "-b" or "--binary" or "-N" or "--names")
            : Path.GetFileName(argv[0]) == "cat" && argv.Count == 2 && argv[1].StartsWith(ProcSys, StringComparison.Ordinal));
    public const string ProcSys = "/proc/sys/";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var argv = output.Argv;
        if (argv.Count > 0 && Path.GetFileName(argv[0]) == "cat")
        {
            ParseCat(output, ns, log);
            return;
        }
        bool all = argv.Any(a => a is "-a" or "--all" or "-A" or "-X");
        int read = 0;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            var s = line.AsSpan();
            if (s.IsWhiteSpace()) continue;
            int eq = s.IndexOf(" = ", StringComparison.Ordinal);
            int width = 3;
            if (eq < 0) { eq = s.IndexOf('='); width = 1; }
            if (eq <= 0)
            {
                if (!line.StartsWith("sysctl:", StringComparison.Ordinal)) // sysctl's own complaints ("permission denied on key …")
                    log.Warn(output, i, $"sysctl: not a 'key = value' line: '{Short(line.Trim())}'");
                continue;
            }
            var key = s[..eq].Trim(); // a string only for the few keys kept: `sysctl -a` prints thousands
            if (key.Length == 0 || BadKey(key))
            {
                log.Warn(output, i, $"sysctl: bad key '{Short(key.ToString())}'");
                continue;
            }
            read++;
            if (SysctlKeys.IsForwardingRelevant(key)) ns.Sysctls[key.ToString()] = s[(eq + width)..].Trim().ToString();
        }
        if (all && read > 0 && !output.Partial) ns.Known.Add(Sections.Sysctls);
    }

    private static void ParseCat(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var paths = output.Argv.Skip(1).Where(a => !a.StartsWith('-')).ToList();
        var values = output.Lines.Where(l => l.Trim().Length > 0).ToList();
        if (paths.Count != 1 || !paths[0].StartsWith(ProcSys, StringComparison.Ordinal))
        {
            log.Warn(output, 0, $"cat: only one /proc/sys/… file at a time is read ({output.CommandText})");
            return;
        }
        if (values.Count != 1) { log.Warn(output, 0, $"cat {paths[0]}: expected one value line, got {values.Count}"); return; }
        var key = KeyOfPath(paths[0]);
        if (SysctlKeys.IsForwardingRelevant(key)) ns.Sysctls[key] = values[0].Trim();
    }

    /// <summary>"/proc/sys/net/ipv4/conf/eth0.100/rp_filter" → "net.ipv4.conf.eth0/100.rp_filter".</summary>
    public static string KeyOfPath(string path) =>
        string.Join('.', path[ProcSys.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Replace('.', '/')));

    private static bool BadKey(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
            if (char.IsWhiteSpace(c) || char.IsControl(c)) return true;
        return false;
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
