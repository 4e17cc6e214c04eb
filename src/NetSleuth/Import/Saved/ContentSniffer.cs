using System.Text.RegularExpressions;

namespace NetSleuth.Import.Saved;

/// <summary>
/// Tells which command printed a text from the text itself (the first meaningful lines), for saved
/// outputs whose file name says nothing and for transcript output whose command line was lost.
/// Returns a normalised argv, or null when unsure.
/// </summary>
internal static partial class ContentSniffer
{
    [GeneratedRegex(@"^\d+:\s+\S+:\s+<[^>]*>\s+mtu\s")] private static partial Regex LinkHeader();
    [GeneratedRegex(@"^\d+:\s+\S+\s+(inet6?|link/\S+)\s")] private static partial Regex OneLineAddr();
    [GeneratedRegex(@"^\s+inet6?\s+\S+/\d+")] private static partial Regex InetLine();
    [GeneratedRegex(@"^\S+\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT|NOTPRESENT|TESTING)\s+(?<rest>.*)$")] private static partial Regex Brief();
    [GeneratedRegex(@"^(?:(unicast|local|broadcast|blackhole|unreachable|prohibit|throw|multicast|anycast|nat)\s+)?(default|[0-9a-fA-F.:]+(/\d+)?)(\s+(from|via|dev|proto|table|scope|metric|nhid|src|tos)\s|\s*$)")] private static partial Regex RouteLine();
    [GeneratedRegex(@"^\d+:\s+(not\s+)?from\s")] private static partial Regex RuleLine();
    [GeneratedRegex(@"^[0-9a-fA-F.:]+\s+dev\s+\S+\s+(lladdr\s|FAILED|INCOMPLETE|proxy|router|PERMANENT|NOARP|STALE|REACHABLE|DELAY|PROBE)")] private static partial Regex NeighLine();
    [GeneratedRegex(@"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}\s+dev\s")] private static partial Regex FdbLine();
    [GeneratedRegex(@"^\S+\s+\([0-9a-fA-F.:]+\)\s+at\s")] private static partial Regex ArpBsd();
    [GeneratedRegex(@"^nsid\s+\d+")] private static partial Regex ListId();

    public static List<string>? Guess(IReadOnlyList<string> lines)
    {
        var meaningful = lines.Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0 && !Facts.IsToolError(l)).Take(60).ToList();
        if (meaningful.Count == 0) return null;
        var first = meaningful[0].TrimStart();
        if (meaningful.Any(l => LinkHeader().IsMatch(l.TrimStart())))
        {
            bool addr = meaningful.Any(l => InetLine().IsMatch(l) || l.Contains("\\    inet", StringComparison.Ordinal));
            return ["ip", .. Details(meaningful), addr ? "address" : "link", "show"];
        }
        if (OneLineAddr().IsMatch(first)) return ["ip", "-oneline", "address", "show"];
        if (first.StartsWith("qdisc ", StringComparison.Ordinal)) return ["tc", "qdisc", "show"];
        if (first.StartsWith("filter ", StringComparison.Ordinal)) return ["tc", "filter", "show"];
        if (first.StartsWith("Address ", StringComparison.Ordinal) && first.Contains("HWaddress", StringComparison.Ordinal)) return ["arp", "-n"];
        if (ArpBsd().IsMatch(first)) return ["arp", "-a"];
        if (ListId().IsMatch(first)) return ["ip", "netns", "list-id"];
        if (RuleLine().IsMatch(first)) return ["ip", meaningful.Any(l => l.Contains(':') && Regex.IsMatch(l, @"from [0-9a-f]*:")) ? "-6" : "-4", "rule", "show"];
        if (FdbLine().IsMatch(first)) return ["bridge", "fdb", "show"];
        if (NeighLine().IsMatch(first)) return ["ip", "neighbor", "show"];
        if (meaningful.Count(l => RouteLine().IsMatch(l.TrimStart()) || l.TrimStart().StartsWith("nexthop ", StringComparison.Ordinal)) * 2 > meaningful.Count)
        {
            bool cache = meaningful.Any(l => l.Trim() == "cache" || l.Contains(" uid ", StringComparison.Ordinal));
            if (cache) return ["ip", "route", "get"];
            bool tables = meaningful.Any(l => l.Contains(" table ", StringComparison.Ordinal));
            bool v6 = meaningful.All(l => !Regex.IsMatch(l, @"\b\d+\.\d+\.\d+\.\d+"));
            if (tables) return ["ip", "route", "show", "table", "all"];
            return ["ip", v6 ? "-6" : "-4", "route", "show"];
        }
        if (Brief().Match(first) is { Success: true } b)
        {
            bool link = Regex.IsMatch(b.Groups["rest"].Value, @"^(([0-9a-f]{2}:){5}[0-9a-f]{2}\s+)?<");
            return ["ip", "-brief", link ? "link" : "address", "show"];
        }
        return null;
    }

    private static IEnumerable<string> Details(List<string> lines) =>
        lines.Any(l => l.Contains(" promiscuity ", StringComparison.Ordinal)) ? ["-details"] : [];
}
