using System.Globalization;

namespace NetSleuth.Lab;

/// <summary>
/// Reads /proc/net/snmp and /proc/net/netstat: pairs of lines, names then values, e.g.
/// <code>
/// Icmp: InMsgs InErrors InCsumErrors InDestUnreachs …
/// Icmp: 45 0 0 3 …
/// </code>
/// </summary>
internal static class SnmpCounters
{
    public static long? Find(IReadOnlyList<string> lines, string group, string field)
    {
        var tag = group + ":";
        for (int i = 0; i + 1 < lines.Count; i++)
        {
            if (!lines[i].StartsWith(tag, StringComparison.Ordinal) || !lines[i + 1].StartsWith(tag, StringComparison.Ordinal)) continue;
            var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int k = Array.IndexOf(names, field);
            if (k > 0 && k < values.Length && long.TryParse(values[k], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                return v;
            i++;
        }
        return null;
    }
}
