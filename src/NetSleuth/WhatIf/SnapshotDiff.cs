using System.Text;
using System.Text.Json.Nodes;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>One object that differs between two snapshots of the same hosts.</summary>
/// <param name="Change">added, removed or changed</param>
/// <param name="Kind">device, address, route, rule, neighbour, fdb, sysctl, tc filter, iptables rule, nft rule, namespace, host</param>
public sealed record ObjectChange(string Change, string Host, string Namespace, string Kind, string Before, string After, SourceRef? SourceBefore, SourceRef? SourceAfter)
{
    public override string ToString() => Change switch
    {
        "added" => $"+ {Host}:{Namespace} {Kind} {After}" + (SourceAfter is null ? "" : $"  [{SourceAfter}]"),
        "removed" => $"- {Host}:{Namespace} {Kind} {Before}" + (SourceBefore is null ? "" : $"  [{SourceBefore}]"),
        _ => $"~ {Host}:{Namespace} {Kind} {Before} → {After}" + (SourceBefore is null && SourceAfter is null ? "" : $"  [{SourceBefore} → {SourceAfter}]"),
    };
}

/// <summary>
/// `netsleuth diff A B`: what differs between two snapshots (or inputs) of the same hosts — devices, addresses,
/// routes, rules, neighbours, FDB entries, sysctls, tc filters, iptables and nft rules, each with the input line it
/// came from — and which traced paths changed verdict.
/// </summary>
public static class SnapshotDiff
{
    public static List<ObjectChange> Objects(Snapshot a, Snapshot b)
    {
        var changes = new List<ObjectChange>();
        foreach (var ha in a.Hosts)
        {
            var hb = b.Hosts.FirstOrDefault(h => h.Name == ha.Name);
            if (hb is null) { changes.Add(new("removed", ha.Name, "-", "host", ha.Name, "", null, null)); continue; }
            foreach (var na in ha.Namespaces)
            {
                var nb = hb.Namespaces.FirstOrDefault(n => n.Id == na.Id);
                if (nb is null) { changes.Add(new("removed", ha.Name, na.DisplayName, "namespace", na.DisplayName, "", null, null)); continue; }
                Namespace(changes, ha.Name, na, nb);
            }
            foreach (var nb in hb.Namespaces)
                if (ha.Namespaces.All(n => n.Id != nb.Id)) changes.Add(new("added", ha.Name, nb.DisplayName, "namespace", "", nb.DisplayName, null, null));
        }
        foreach (var hb in b.Hosts)
            if (a.Hosts.All(h => h.Name != hb.Name)) changes.Add(new("added", hb.Name, "-", "host", "", hb.Name, null, null));
        return changes;
    }

    private static void Namespace(List<ObjectChange> changes, string host, NetNamespace a, NetNamespace b)
    {
        var ns = a.DisplayName;
        Keyed(changes, host, ns, "device", a.Links, b.Links, l => l.Name, Device, l => l.Source);
        Keyed(changes, host, ns, "address", a.Links.SelectMany(l => l.Addresses.Select(x => (l.Name, x))), b.Links.SelectMany(l => l.Addresses.Select(x => (l.Name, x))),
            x => $"{x.x.Prefix} dev {x.Name}", x => $"{x.x.Prefix} dev {x.Name}" + (x.x.Scope is null or "global" ? "" : $" scope {x.x.Scope}"), x => x.x.Source);
        Keyed(changes, host, ns, "route", a.Routes, b.Routes, r => $"{r.Table}|{r.Destination}|{r.Metric ?? 0}|{r.Tos ?? 0}", Route, r => r.Source);
        Keyed(changes, host, ns, "rule", a.Rules, b.Rules, r => r.ToString(), r => r.ToString(), r => r.Source);
        Keyed(changes, host, ns, "neighbour", a.Neighbors, b.Neighbors, n => $"{n.Address} dev {n.Device}", n => n.ToString(), n => n.Source);
        Keyed(changes, host, ns, "fdb", a.Fdb, b.Fdb, f => $"{f.Mac} dev {f.Device} dst {f.Dst} vlan {f.Vlan}", f => $"{f.Mac} dev {f.Device}" + (f.Dst is null ? "" : $" dst {f.Dst}") + " " + string.Join(' ', f.Flags), f => f.Source);
        Keyed(changes, host, ns, "sysctl", a.Sysctls, b.Sysctls, kv => kv.Key, kv => $"{kv.Key} = {kv.Value}", _ => null);
        Keyed(changes, host, ns, "tc filter", a.Filters, b.Filters, f => $"{f.Device} {f.Direction} {f.Pref} {f.Handle}", Filter, f => f.Source);
        Keyed(changes, host, ns, "iptables rule", a.Iptables.SelectMany(t => t.Rules.Select(r => (t.Name, r))), b.Iptables.SelectMany(t => t.Rules.Select(r => (t.Name, r))),
            x => $"-t {x.Name} {x.r}", x => $"-t {x.Name} {x.r}", x => x.r.Source);
        Keyed(changes, host, ns, "nft rule", a.Nftables?.Rules ?? [], b.Nftables?.Rules ?? [], r => $"{r.Family} {r.Table} {r.Chain} {r.Text ?? r.Expr?.GetRawText()}",
            r => $"{r.Family} {r.Table} {r.Chain}: {r.Text ?? "(expr)"}", r => r.Source);
    }

    private static string Device(Link l) =>
        $"{l.Name}" + (l.Kind is null ? "" : $" ({l.Kind}{(l.Vxlan is { } v ? $" id {v.Vni} remote {v.Remote?.ToString() ?? "-"} dstport {v.DstPort}" : "")})") +
        $" mac {l.Mac?.ToString() ?? "?"} mtu {l.Mtu?.ToString() ?? "?"} {(l.IsUp ? "UP" : "DOWN")}" + (l.Master is null ? "" : $" master {l.Master}") +
        (l.IsPromiscuous ? " promisc" : "");

    private static string Route(Route r) => r + (r.Metric is { } m && m != 0 ? $" metric {m}" : "") + (r.PrefSrc is { } s ? $" src {s}" : "");

    private static string Filter(TcFilter f) => $"dev {f.Device} {f.Direction} pref {f.Pref} {f.Kind}" + (f.MatchesAll == true ? " match-all" : $" {f.Match}") + ": " +
        string.Join(", ", f.Actions.Select(x => x.Kind == "mirred" ? $"mirred {x.MirredDirection} {x.MirredAction} dev {x.TargetDevice}" : $"{x.Kind} {x.Control}"));

    /// <summary>Objects matched by key: one side only is added/removed; both with another text is changed (the first of a key is compared).</summary>
    private static void Keyed<T>(List<ObjectChange> changes, string host, string ns, string kind, IEnumerable<T> a, IEnumerable<T> b,
        Func<T, string> key, Func<T, string> text, Func<T, SourceRef?> source)
    {
        var ia = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var x in a) ia.TryAdd(key(x), x);
        var ib = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var x in b) ib.TryAdd(key(x), x);
        foreach (var (k, x) in ia)
        {
            if (!ib.TryGetValue(k, out var y)) { changes.Add(new("removed", host, ns, kind, text(x), "", source(x), null)); continue; }
            var (tx, ty) = (text(x), text(y));
            if (tx != ty) changes.Add(new("changed", host, ns, kind, tx, ty, source(x), source(y)));
        }
        foreach (var (k, y) in ib)
            if (!ia.ContainsKey(k)) changes.Add(new("added", host, ns, kind, "", text(y), null, source(y)));
    }

    public static string RenderText(IReadOnlyList<ObjectChange> objects, DiagnosisChange paths, string a, string b)
    {
        var sb = new StringBuilder();
        sb.Append($"diff {a} → {b}: {objects.Count} object{(objects.Count == 1 ? "" : "s")} differ; {paths.Paths.Count} of {paths.PathsCompared} traced paths changed verdict\n");
        if (objects.Count > 0) sb.Append("\nobjects (+ added, - removed, ~ changed):\n");
        foreach (var o in objects) sb.Append("  ").Append(o).Append('\n');
        if (paths.Paths.Count > 0) sb.Append("\npaths whose verdict changed:\n");
        foreach (var p in paths.Paths) sb.Append("  ").Append(p).Append('\n');
        foreach (var f in paths.Gone) sb.Append($"\n  finding gone: {f.Id}: {f.Title}");
        foreach (var f in paths.New) sb.Append($"\n  new finding: {f.Id}: {f.Title}");
        if (paths.Gone.Count + paths.New.Count > 0) sb.Append('\n');
        return sb.ToString();
    }

    public static string RenderJson(IReadOnlyList<ObjectChange> objects, DiagnosisChange paths)
    {
        var doc = new JsonObject
        {
            ["formatVersion"] = 1,
            ["objects"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject
            {
                ["change"] = o.Change, ["host"] = o.Host, ["namespace"] = o.Namespace, ["kind"] = o.Kind,
                ["before"] = o.Before.Length == 0 ? null : o.Before, ["after"] = o.After.Length == 0 ? null : o.After,
                ["sourceBefore"] = o.SourceBefore?.ToString(), ["sourceAfter"] = o.SourceAfter?.ToString(),
            }).ToArray()),
            ["pathsCompared"] = paths.PathsCompared,
            ["pathChanges"] = new JsonArray(paths.Paths.Select(p => (JsonNode)new JsonObject
            {
                ["path"] = p.Label, ["before"] = PathChange.Word(p.Before), ["after"] = PathChange.Word(p.After), ["whyBefore"] = p.WhyBefore, ["whyAfter"] = p.WhyAfter,
            }).ToArray()),
            ["findingsGone"] = new JsonArray(paths.Gone.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["title"] = f.Title }).ToArray()),
            ["findingsNew"] = new JsonArray(paths.New.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["title"] = f.Title }).ToArray()),
        };
        return doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
