using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// `tc -j qdisc show`: <code>{"kind":"ingress","handle":"ffff:","dev":"eth0","parent":"ffff:fff1","options":{}}</code>
/// and `tc -j filter show dev DEV ingress|egress|root`, which prints no device, one entry per
/// filter element (the chain head, the u32 hash table, then the filter with "match" and "actions"):
/// <code>{"parent":"ffff:","protocol":"all","pref":49152,"kind":"u32","chain":0,"options":{"fh":"800::800",
///  "match":{"value":"0","mask":"0","offmask":"","off":0},"actions":[{"order":1,"kind":"mirred",
///  "mirred_action":"redirect","direction":"egress","to_dev":"vxlan1","control_action":{"type":"stolen"},"index":1}]}}</code>
/// </summary>
internal static class TcJson
{
    public static void ReadQdiscs(JsonElement root, NetNamespace ns, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            var dev = e.Str("dev");
            var kind = e.Str("kind");
            if (dev is null || kind is null)
            {
                log.Warn(src, "tc -j qdisc: entry without dev or kind skipped");
                continue;
            }
            string? parent = e.Bool("root") == true ? "root" : kind is "ingress" or "clsact" ? kind : e.Str("parent");
            ns.Qdiscs.Add(new TcQdisc { Device = dev, Kind = kind, Handle = e.Str("handle"), Parent = parent, Source = src });
        }
    }

    /// <param name="device">the "dev" of the command</param>
    /// <param name="direction">"ingress" or "egress" as the command asked (root and classes are egress)</param>
    public static void ReadFilters(JsonElement root, NetNamespace ns, string device, string direction, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            var opts = e.Obj("options");
            if (opts is not { } o) continue; // the chain head of a filter list
            var kind = e.Str("kind");
            // u32 prints its hash table ("fh 800:") as an element of its own: no match, no actions
            if (kind == "u32" && !o.Has("match") && !o.Has("actions")) continue;
            var f = new TcFilter
            {
                Device = device,
                Direction = direction,
                Parent = e.Str("parent"),
                Kind = kind,
                Protocol = e.Str("protocol"),
                Pref = e.Int("pref"),
                Handle = o.Str("fh") ?? o.Str("handle"),
                Chain = e.Int("chain"),
                Source = src,
            };
            (f.MatchesAll, f.Match) = Match(kind, o);
            foreach (var a in o.Obj("actions")?.Items() ?? [])
                f.Actions.Add(Action(a));
            ns.Filters.Add(f);
        }
    }

    private static (bool?, string?) Match(string? kind, JsonElement o)
    {
        switch (kind)
        {
            case "matchall": return (true, "all");
            case "u32":
                var keys = o.EnumerateObject().Where(p => p.Name == "match" && p.Value.ValueKind == JsonValueKind.Object).Select(p => p.Value).ToList();
                if (keys.Count == 0) return (null, null);
                var text = string.Join(' ', keys.Select(k => $"{k.Str("value")}/{k.Str("mask")} at {k.Str("off")}"));
                return (keys.All(k => k.Str("mask") is "0" or "00000000"), text);
            case "flower":
                var fk = o.Obj("keys");
                bool any = fk is { } k && k.EnumerateObject().Any();
                return (!any, any ? fk!.Value.GetRawText() : "all");
            case "bpf": return (null, o.Str("bpf_name") is { } n ? "bpf " + n : "bpf");
            default: return (null, null);
        }
    }

    private static TcAction Action(JsonElement a)
    {
        var act = new TcAction
        {
            Kind = a.Str("kind") ?? "unknown",
            Index = a.Int("index"),
            Control = a.Obj("control_action")?.Str("type") ?? a.Str("control_action"),
        };
        if (act.Kind == "mirred")
        {
            act.MirredAction = a.Str("mirred_action");
            act.MirredDirection = a.Str("direction");
            act.TargetDevice = a.Str("to_dev");
        }
        return act;
    }
}
