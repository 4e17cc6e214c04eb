using System.Text;

namespace NetSleuth.Import.Sos;

/// <summary>
/// sos stores each command's output under a name made from the command (sos/report/plugins/__init__.py
/// _mangle_command): a leading /usr/bin/ or /sbin/ dropped, every run of characters other than
/// letters, digits, '_', '-', '.', '/' turned into one '_', '/' turned into '.', leading and trailing
/// " ._-" stripped, cut to the file-name limit (255). So "ovs-vsctl -t 5 list interface" is stored as
/// "ovs-vsctl_-t_5_list_interface" and "ip netns exec ns1 ip address show" as
/// "ip_netns_exec_ns1_ip_address_show". Going back is ambiguous where a word had a '_' of its own; names
/// the report lists elsewhere (namespaces, bridges, devices) are used to join such words again.
/// </summary>
internal static class SosFileNames
{
    public const string NetnsExecPrefix = "ip_netns_exec_";

    /// <summary>The file name sos gives a command.</summary>
    public static string Mangle(string command, int nameMax = 255)
    {
        var s = command;
        foreach (var prefix in new[] { "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/" })
            if (s.StartsWith(prefix, StringComparison.Ordinal)) { s = s[prefix.Length..]; break; }
        var sb = new StringBuilder();
        bool inRun = false;
        foreach (var c in s)
        {
            bool keep = char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/';
            if (keep) { sb.Append(c == '/' ? '.' : c); inRun = false; }
            else if (!inRun) { sb.Append('_'); inRun = true; }
        }
        var name = sb.ToString().Trim(' ', '.', '_', '-');
        return name.Length > nameMax ? name[..nameMax] : name;
    }

    /// <summary>Words of a mangled command name; words joined by '_' that form a known name are kept whole.</summary>
    public static List<string> Words(string fileName, IReadOnlySet<string> knownNames)
    {
        var parts = fileName.Split('_', StringSplitOptions.RemoveEmptyEntries);
        var words = new List<string>();
        for (int i = 0; i < parts.Length; i++)
        {
            int best = i;
            var sb = new StringBuilder(parts[i]);
            for (int j = i + 1; j < parts.Length && knownNames.Count > 0; j++)
            {
                sb.Append('_').Append(parts[j]);
                if (knownNames.Contains(sb.ToString())) best = j;
            }
            words.Add(best == i ? parts[i] : string.Join('_', parts[i..(best + 1)]));
            i = best;
        }
        return words;
    }

    /// <summary>
    /// Splits "ip_netns_exec_NS_REST" into NS and REST: the longest known namespace name that fits,
    /// else the shortest NS after which REST starts with a command sos runs in namespaces.
    /// </summary>
    public static bool TrySplitNetnsExec(string fileName, IEnumerable<string> knownNamespaces, out string ns, out string rest)
    {
        ns = rest = "";
        if (!fileName.StartsWith(NetnsExecPrefix, StringComparison.Ordinal)) return false;
        var tail = fileName[NetnsExecPrefix.Length..];
        // the longest known NS such that tail = NS "_" REST: try each '_' from the right (a report lists thousands of namespaces)
        var known = knownNamespaces as IReadOnlySet<string> ?? knownNamespaces.ToHashSet(StringComparer.Ordinal);
        for (int i = tail.Length < 2 ? -1 : tail.LastIndexOf('_', tail.Length - 2); i >= 0; i = i > 0 ? tail.LastIndexOf('_', i - 1) : -1)
        {
            if (known.Contains(tail[..i]))
            {
                ns = tail[..i]; rest = tail[(i + 1)..];
                return true;
            }
        }
        for (int i = tail.IndexOf('_'); i > 0; i = tail.IndexOf('_', i + 1))
        {
            var after = tail[(i + 1)..];
            if (NamespaceCommands.Any(c => after.StartsWith(c, StringComparison.Ordinal)))
            {
                ns = tail[..i]; rest = after;
                return true;
            }
        }
        return false;
    }

    /// <summary>How the commands sos runs inside namespaces begin, once mangled.</summary>
    private static readonly string[] NamespaceCommands =
    [
        "ip_", "iptables-save", "ip6tables-save", "iptables_", "ip6tables_", "nft_", "tc_", "bridge_",
        "sysctl_", "netstat_", "nstat_", "ss_", "ethtool",
    ];
}
