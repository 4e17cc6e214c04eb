using System.Text.Json.Nodes;

namespace NetSleuth.LabTests.Collect;

/// <summary>
/// Compares one namespace read over netlink with the same namespace read with the tools (both as the
/// snapshot serializer writes them) and says where they differ: "path: netlink=… tools=…". What is
/// inherent is excused, each with its reason:
/// <list type="bullet">
/// <item>"source": names where an object came from — the tool's command line or the netlink message.</item>
/// <item>IPv6 multicast neighbours (ff00::/8, NOARP): the kernel adds them when it sends MLD reports, on
///   its own schedule, so they can appear between the two reads; and neighbours are compared as a set
///   (a dump lists the neighbour hash table, whose order shifts when an entry is added).</item>
/// <item>A rule's sPortRange/dPortRange present only over netlink: iproute2 6.1 prints them as
///   "sport_start"/"sport_end", which the JSON reader (IpRuleJson) does not read.</item>
/// </list>
/// Other inherent differences, not in this lab: a route "tos" (ip prints it as text the reader takes for no
/// number), a table named in /etc/iproute2/rt_tables (the JSON reader skips such a route; netlink has the
/// number) — the comparison would report them, unexcused.
/// </summary>
internal static class SnapshotDiff
{
    private const string SourceWhy = "source: the tool command or the netlink message an object came from";
    private const string MulticastWhy = "IPv6 multicast (NOARP) neighbours come and go with MLD reports; neighbours compared as a set";
    private const string PortRangeWhy = "rule port range: iproute2 6.1 prints sport_start/dport_start, which IpRuleJson does not read";

    public static void Compare(string id, JsonObject netlink, JsonObject tools, List<string> differences, List<string> excused)
    {
        var n = Normalize(netlink.DeepClone(), excused);
        var t = Normalize(tools.DeepClone(), excused);
        Diff(id, n, t, differences, excused);
    }

    private static JsonNode? Normalize(JsonNode? node, List<string> excused)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.Remove("source")) excused.Add(SourceWhy);
                foreach (var key in o.Select(kv => kv.Key).ToList())
                    o[key] = Normalize(o[key]?.DeepClone(), excused);
                if (o["neighbors"] is JsonArray neigh)
                {
                    var kept = neigh.Where(x => !IsMulticastNoarp(x!)).Select(x => x!.DeepClone())
                        .OrderBy(x => x.ToJsonString(), StringComparer.Ordinal).ToList();
                    if (kept.Count != neigh.Count) excused.Add(MulticastWhy);
                    o["neighbors"] = new JsonArray([.. kept]);
                }
                return o;
            case JsonArray a:
                return new JsonArray([.. a.Select(x => Normalize(x?.DeepClone(), excused))]);
            default:
                return node;
        }
    }

    private static bool IsMulticastNoarp(JsonNode n) =>
        ((string?)n["address"])?.StartsWith("ff", StringComparison.OrdinalIgnoreCase) == true &&
        n["state"] is JsonArray s && s.Any(x => (string?)x == "NOARP");

    private static void Diff(string path, JsonNode? n, JsonNode? t, List<string> differences, List<string> excused)
    {
        if (n is JsonObject no && t is JsonObject to)
        {
            foreach (var key in no.Select(kv => kv.Key).Union(to.Select(kv => kv.Key)))
            {
                var p = path + "." + key;
                bool inN = no.ContainsKey(key), inT = to.ContainsKey(key);
                if (inN && !inT && key is "dPortRange" or "sPortRange" && path.Contains(".rules[", StringComparison.Ordinal))
                {
                    excused.Add(PortRangeWhy);
                    continue;
                }
                if (!inN) differences.Add($"{p}: only in tools: {to[key]?.ToJsonString()}");
                else if (!inT) differences.Add($"{p}: only in netlink: {no[key]?.ToJsonString()}");
                else Diff(p, no[key], to[key], differences, excused);
            }
            return;
        }
        if (n is JsonArray na && t is JsonArray ta)
        {
            if (na.Count != ta.Count) differences.Add($"{path}: {na.Count} items over netlink, {ta.Count} with the tools");
            for (int i = 0; i < Math.Min(na.Count, ta.Count); i++) Diff($"{path}[{i}]", na[i], ta[i], differences, excused);
            return;
        }
        var a = n?.ToJsonString();
        var b = t?.ToJsonString();
        if (a != b) differences.Add($"{path}: netlink={a ?? "null"} tools={b ?? "null"}");
    }
}
