using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// The flow selectors of a policy rule (`ip rule … ipproto P sport A[-B] dport A[-B] uidrange U-V`) against a packet,
/// as fib_rule_match does: the protocol number, the ports of TCP/UDP/SCTP-like protocols (a received packet's from
/// the flow dissector), the socket's uid for locally generated packets and uid 0 for received ones
/// (sock_net_uid(net, NULL)). Null when the packet does not say (no flow given, a source port the tracer chose, a
/// local sender whose uid is not known, an ICMP packet against a port range, whose type and code the kernel reads there).
/// </summary>
internal static class RuleFlow
{
    public static (bool? Matches, string? Why) Match(Rule r, Flow? flow, bool local, bool reverse)
    {
        if (flow is null) return (null, "the packet's protocol, ports and uid are not known to this lookup");
        bool v4 = flow.IsV4;
        int proto = ProtoNumber(flow.Protocol, v4);
        if (r.IpProto is { } want)
        {
            if (want < 0) return (null, "the rule's ipproto is not known");
            if (proto < 0) return (null, $"the protocol '{flow.Protocol}' has no number here");
            if (want != proto) return (false, null);
        }
        if (r.SPortRange is not null || r.DPortRange is not null)
        {
            if (proto is 1 or 58) return (null, "an ICMP packet: the kernel compares its type and code with the rule's port range");
            if (proto is not (6 or 17 or 132 or 136 or 33)) return (false, null); // no ports: a range never matches 0
            int? sport = reverse ? flow.DestinationPort : flow.SourcePort;
            int? dport = reverse ? flow.SourcePort : flow.DestinationPort;
            bool sportChosen = reverse ? false : flow.SourcePortChosen;
            if (r.SPortRange is { } sr)
            {
                if (!TryRange(sr, out var lo, out var hi)) return (null, $"sport '{sr}' is not a port range");
                if (sport is null || sportChosen) return (null, "the source port is not given (trace --sport)");
                if (sport < lo || sport > hi) return (false, null);
            }
            if (r.DPortRange is { } dr)
            {
                if (!TryRange(dr, out var lo, out var hi)) return (null, $"dport '{dr}' is not a port range");
                if (dport is null) return (null, "the destination port is not given (trace --dport)");
                if (dport < lo || dport > hi) return (false, null);
            }
        }
        if (r.UidRange is { } ur)
        {
            if (!TryUidRange(ur, out var lo, out var hi)) return (null, $"uidrange '{ur}' is not a uid range");
            uint? uid = local ? flow.Uid : 0;
            if (uid is not { } u) return (null, "the uid of the sending socket is not known (trace --uid)");
            if (u < lo || u > hi) return (false, null);
        }
        return (true, null);
    }

    /// <summary>The rule's flow selectors as `ip rule` prints them.</summary>
    public static string Describe(Rule r)
    {
        var parts = new List<string>();
        if (r.IpProto is { } p) parts.Add($"ipproto {ProtoName(p)}");
        if (r.SPortRange is { } s) parts.Add($"sport {s}");
        if (r.DPortRange is { } d) parts.Add($"dport {d}");
        if (r.UidRange is { } u) parts.Add($"uidrange {u}");
        return string.Join(' ', parts);
    }

    public static string ProtoName(int p) => p switch { 1 => "icmp", 6 => "tcp", 17 => "udp", 58 => "ipv6-icmp", 132 => "sctp", _ => p.ToString(CultureInfo.InvariantCulture) };

    private static int ProtoNumber(string protocol, bool v4) => protocol switch
    {
        Protocols.Icmp => v4 ? 1 : 58,
        Protocols.Tcp => 6,
        Protocols.Udp => 17,
        "sctp" => 132,
        "icmpv6" or "ipv6-icmp" => 58,
        _ => int.TryParse(protocol, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1,
    };

    /// <summary>"80" or "1000-2000" (iproute2 prints one number when the range has one port).</summary>
    private static bool TryRange(string s, out int lo, out int hi)
    {
        int dash = s.IndexOf('-');
        lo = hi = -1;
        if (dash < 0) return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out lo) && (hi = lo) <= 65535;
        return int.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out lo) &&
            int.TryParse(s.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out hi) && lo <= hi && hi <= 65535;
    }

    private static bool TryUidRange(string s, out uint lo, out uint hi)
    {
        int dash = s.IndexOf('-');
        lo = hi = 0;
        if (dash < 0) { bool ok = uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out lo); hi = lo; return ok; }
        return uint.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out lo) &&
            uint.TryParse(s.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out hi) && lo <= hi;
    }
}
