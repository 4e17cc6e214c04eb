using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// `ip -j [-6] rule show`, e.g.
/// <code>{"priority":1000,"src":"198.18.2.0","srclen":23,"table":"100"}
/// {"priority":1200,"not":null,"src":"all","dst":"203.0.113.0","dstlen":24,"iif":"br-int","goto":32766}
/// {"priority":1300,"src":"198.18.9.0","srclen":24,"action":"unreachable"}</code>
/// </summary>
internal static class IpRuleJson
{
    public static void Read(JsonElement root, NetNamespace ns, int family, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            if (e.UInt("priority") is not { } prio)
            {
                log.Warn(src, "ip -j rule: a rule without priority was skipped");
                continue;
            }
            var r = new Rule
            {
                Priority = prio,
                Family = family == 6 || IsV6(e) ? "inet6" : "inet",
                Not = e.Has("not"),
                From = Prefix(e.Str("src"), e.Int("srclen")),
                To = Prefix(e.Str("dst"), e.Int("dstlen")),
                Iif = e.Str("iif"),
                Oif = e.Str("oif"),
                Fwmark = e.Hex("fwmark"),
                FwmarkMask = e.Hex("fwmask"),
                Tos = e.Hex("tos") is { } tos ? (int)tos : null,
                IpProto = Proto(e.Str("ipproto")),
                SPortRange = PortRange(e, "sport"),
                DPortRange = PortRange(e, "dport"),
                UidRange = e.Obj("uid_range") is { } u ? $"{u.Str("start")}-{u.Str("end")}" : null,
                L3mdev = e.Has("l3mdev"),
                SuppressPrefixLength = e.Int("suppress_prefixlen"),
                Source = src,
            };
            if (e.UInt("goto") is { } g) { r.Action = "goto"; r.GotoTarget = g; }
            else if (e.Str("action") is { } a) r.Action = a;
            else if (e.Has("nop")) r.Action = "nop";
            else if (e.Str("table") is { } t)
            {
                if (RouteTables.Parse(t) is { } tid) r.Table = tid;
                else log.Warn(src, $"ip -j rule: table '{t}' of rule {prio} is a name from rt_tables; its number is unknown");
            }
            else if (!r.L3mdev) r.Action = "unknown";
            ns.Rules.Add(r);
        }
    }

    private static bool IsV6(JsonElement e) => (e.Str("src")?.Contains(':') ?? false) || (e.Str("dst")?.Contains(':') ?? false);

    private static IpPrefix? Prefix(string? addr, int? len)
    {
        if (addr is null || addr == "all") return null;
        var text = len is null ? addr : $"{addr}/{len}";
        return IpPrefix.TryParse(text, out var p) ? p : null;
    }

    private static string? PortRange(JsonElement e, string key)
    {
        if (e.Int(key) is { } p) return p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (e.Obj(key + "_range") is { } r) return $"{r.Str("start")}-{r.Str("end")}";
        // iproute2 6.1 prints a range as two keys: "sport_start": 1000, "sport_end": 2000
        if (e.Int(key + "_start") is { } lo && e.Int(key + "_end") is { } hi)
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{lo}-{hi}");
        return e.Str(key);
    }

    private static int? Proto(string? s) => s switch
    {
        null => null,
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "sctp" => 132,
        "ipv6-icmp" => 58,
        _ => int.TryParse(s, out int n) ? n : s.StartsWith("ipproto-", StringComparison.Ordinal) && int.TryParse(s.AsSpan(8), out n) ? n : null,
    };
}
