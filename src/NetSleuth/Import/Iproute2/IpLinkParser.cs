using System.Text.RegularExpressions;
using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip link`, `ip addr` (also `-d`, `-s`, `-o`). One block per device (iproute2 ipaddress.c print_linkinfo,
/// print_addrinfo):
/// <code>
/// 2: eth0@if6: &lt;BROADCAST,MULTICAST,UP,LOWER_UP&gt; mtu 1500 qdisc noqueue master br-int state UP mode DEFAULT group default qlen 1000
///     link/ether 0a:58:0a:84:02:2e brd ff:ff:ff:ff:ff:ff link-netns wk promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
///     vxlan id 555005 remote 198.51.100.201 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 …   (-d)
///     altname enp0s3
///     inet 198.18.2.46/23 brd 198.18.3.255 scope global eth0
///        valid_lft forever preferred_lft forever
///     RX:  bytes packets errors dropped  missed   mcast      (-s: skipped)
/// </code>
/// `-o` joins a block's lines with "\"; `ip -o addr` prints "2: eth0    inet 198.18.2.46/23 …\   valid_lft …".
/// Older iproute2 prints "link-netnsid 0" instead of "link-netns NAME", and "@NONE" for a peer index 0.
/// </summary>
internal static partial class IpLinkParser
{
    [GeneratedRegex(@"^(\d+):\s+(\S+?):?\s+<([^>]*)>\s*(.*)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^(\d+):\s+(\S+)\s+((?:inet6?|link/\S+)\s.*)$")]
    private static partial Regex OneLineAddr();

    /// <summary>The one device `ip link show [dev] NAME` / `ip addr show dev NAME` names; null for a whole listing.</summary>
    private static string? NamedDevice(CommandArgs args)
    {
        if (args.Arg("dev") is { } dev) return dev;
        return args.Rest.Count == 1 && args.Rest[0] is { Length: > 0 } only && !only.StartsWith('-') && only.Length <= 15 &&
            only is not ("up" or "down" or "all" or "dynamic" or "permanent" or "primary" or "secondary") && !only.Contains('/') ? only : null;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        bool isAddr = args.Object == "address";
        Link? link = null;
        bool sawAddrHeaderOnly = false, details = false, skipNext = false, anyLink = false;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            // -o: a block on one line, its lines joined by "\"
            var raw = output.Lines[i];
            var pieces = raw.Contains('\\') ? raw.Split('\\') : [raw];
            for (int p = 0; p < pieces.Length; p++)
            {
                var piece = pieces[p];
                var trimmed = piece.AsSpan().Trim();
                if (trimmed.Length == 0) continue;
                // both header forms start with the ifindex and are matched trimmed; other lines are read as words
                bool numbered = char.IsAsciiDigit(trimmed[0]);
                var line = numbered && trimmed.Length != piece.Length ? piece.Trim() : piece;
                var at = output.At(i);
                if (skipNext) { skipNext = false; if (IsNumbers(Facts.Words(line))) continue; }
                if (Facts.IsToolError(line)) { link = null; continue; }
                var h = numbered ? Header().Match(line) : Match.Empty;
                if (h.Success)
                {
                    link = ReadHeader(h, ns, at);
                    anyLink = true;
                    continue;
                }
                var o = p == 0 && numbered ? OneLineAddr().Match(line) : Match.Empty;
                if (o.Success)
                {
                    link = Facts.GetOrAddLink(ns, Facts.Int(o.Groups[1].Value), SplitName(o.Groups[2].Value).Name, at);
                    sawAddrHeaderOnly = true;
                    line = o.Groups[3].Value;
                }
                if (link is null && output.Partial && OrphanInet(line, ns, at, log)) continue;
                if (link is null && !anyLink && NamedDevice(args) is { } named)
                {
                    // the paste lost the header line, but the command line names the one device it shows
                    link = Facts.GetOrAddLink(ns, null, named, at);
                    anyLink = true;
                    log.Warn(at, $"the output's first line (the header of {named}) is missing: the lines that follow are read as {named}'s, the device the command names");
                }
                if (link is null)
                {
                    log.Warn(at, $"'{line.Trim()}' belongs to no device header (the output's first lines are missing?)");
                    continue;
                }
                var w = Facts.Words(line);
                switch (w[0])
                {
                    case "inet" or "inet6":
                        IpAddrLine.Read(w, link, at, log);
                        break;
                    case "valid_lft" or "prefered_lft" or "preferred_lft":
                        break;
                    case "altname":
                        if (w.Length > 1 && !link.AltNames.Contains(w[1])) link.AltNames.Add(w[1]);
                        break;
                    case "RX:" or "TX:" or "RX" or "TX":
                        skipNext = true;
                        break;
                    default:
                        if (w[0].StartsWith("link/", StringComparison.Ordinal)) details |= ReadLinkLine(w, link);
                        else if (IsNumbers(w)) { }
                        else if (LinkKindLine.TryRead(w, link, log, at)) details = true;
                        else log.Warn(at, $"unrecognised line in '{output.CommandText}': {line.Trim()}");
                        break;
                }
                if (details) link.DetailsKnown = true;
            }
            if (link is not null && details) link.DetailsKnown = true;
        }
        // what the output shows completely
        bool selects = args.Selects();
        if (!selects && anyLink) Facts.MarkKnown(output, ns, Sections.Links);
        if (!selects && anyLink && details) Facts.MarkKnown(output, ns, Sections.LinkDetails);
        if (!selects && (isAddr || sawAddrHeaderOnly) && (anyLink || sawAddrHeaderOnly) && !args.V4 && !args.V6)
            Facts.MarkKnown(output, ns, Sections.Addresses);
    }

    private static bool IsNumbers(string[] words)
    {
        foreach (var x in words)
            if (x != "-" && x.AsSpan().ContainsAnyExceptInRange('0', '9')) return false;
        return true;
    }

    public static (string Name, string? Parent) SplitName(string text)
    {
        int at = text.LastIndexOf('@');
        return at > 0 ? (text[..at], text[(at + 1)..]) : (text, null);
    }

    private static Link ReadHeader(Match h, NetNamespace ns, SourceRef at)
    {
        var (name, parent) = SplitName(h.Groups[2].Value.TrimEnd(':'));
        var link = Facts.GetOrAddLink(ns, Facts.Int(h.Groups[1].Value), name, at);
        link.Source ??= at;
        link.Flags = h.Groups[3].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (parent is not null) ApplyParent(link, parent);
        var w = Facts.Words(h.Groups[4].Value);
        for (int i = 0; i + 1 < w.Length; i++)
        {
            switch (w[i])
            {
                case "mtu": link.Mtu = Facts.Int(w[++i]); break;
                case "qdisc": link.Qdisc = w[++i]; break;
                case "master": link.Master = w[++i]; break;
                case "state": link.OperState = w[++i]; break;
                case "link-netnsid": link.LinkNetnsId = Facts.Int(w[++i]); break;
            }
        }
        return link;
    }

    /// <summary>"@if6" (peer index in another namespace), "@NONE" (no peer index), "@eth0" (a device of this namespace).</summary>
    public static void ApplyParent(Link link, string parent)
    {
        if (parent == "NONE") return;
        if (parent.StartsWith("if", StringComparison.Ordinal) && Facts.Int(parent[2..]) is int idx)
        {
            link.LinkIndex = idx;
            link.LinkName = null;
        }
        else link.LinkName = parent;
    }

    // link/ether MAC brd MAC [link-netns NAME | link-netnsid N] [promiscuity N …]; returns true when details were shown
    private static bool ReadLinkLine(string[] w, Link link)
    {
        link.LinkType = w[0][5..];
        bool details = false;
        int i = 1;
        if (i < w.Length && MacAddress.TryParse(w[i], out var mac)) { link.Mac = mac; i++; }
        for (; i < w.Length; i++)
        {
            switch (w[i])
            {
                case "brd" when i + 1 < w.Length:
                    if (MacAddress.TryParse(w[++i], out var b)) link.Broadcast = b;
                    break;
                case "link-netns" when i + 1 < w.Length: link.LinkNetnsName = w[++i]; break;
                case "link-netnsid" when i + 1 < w.Length: link.LinkNetnsId = Facts.Int(w[++i]); break;
                case "promiscuity" when i + 1 < w.Length:
                    link.Promiscuity = Facts.Int(w[++i]);
                    details = true;
                    break;
                case "minmtu" or "addrgenmode": details = true; break;
            }
        }
        return details;
    }

    /// <summary>
    /// An IPv4 address line kept by `ip a | grep inet` with its device header cut away: iproute2 ends it with
    /// the address label, which is the device's name (or "dev:alias"). The device is taken from there.
    /// </summary>
    private static bool OrphanInet(string line, NetNamespace ns, SourceRef at, ImportLog log)
    {
        var w = Facts.Words(line);
        if (w.Length < 4 || w[0] != "inet" || !w[1].Contains('/')) return false;
        int scope = Array.IndexOf(w, "scope");
        if (scope < 0 || scope + 2 >= w.Length) return false;
        var label = w[^1];
        if (label is "dynamic" or "noprefixroute" or "secondary" or "permanent" or "deprecated" or "tentative" || label.Contains('=')) return false;
        var device = label.Split(':')[0];
        var link = Facts.GetOrAddLink(ns, null, device, at);
        IpAddrLine.Read(w, link, at, log);
        return true;
    }
}
