using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `nft -j list ruleset` (libnftables-json(5)): one JSON object, usually on one line.
/// <code>
/// {"nftables": [{"metainfo": {"version": "1.0.6", …}},
///  {"table": {"family": "inet", "name": "calico", "handle": 6}},
///  {"chain": {"family": "inet", "table": "calico", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
///  {"rule": {"family": "inet", "table": "calico", "chain": "input", "handle": 3, "comment": "cali:vxlan drop", "expr": [{"match": …}, {"drop": null}]}}]}
/// </code>
/// A rule's "expr" array is kept whole; facts point at the output's first line (JSON has no line per rule).
/// </summary>
internal static class NftJsonParser
{
    public static bool Matches(IReadOnlyList<string> argv) => NftTextParser.IsNftList(argv) && NftTextParser.IsJson(argv);
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var doc = JsonOutput.Parse(output, log, "nft -j");
        if (doc is null) return;
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                log.Warn(output, 0, "nft -j: no \"nftables\" array");
                return;
            }
            bool whole = output.Argv.Contains("ruleset");
            var rs = ns.Nftables ??= new NftRuleset();
            if (whole) { rs.Tables.Clear(); rs.Chains.Clear(); rs.Rules.Clear(); rs.Sets.Clear(); }
            rs.Source = output.At(0);
            int n = 0;
            foreach (var item in items.EnumerateArray())
            {
                n++;
                if (item.ValueKind != JsonValueKind.Object) { log.Warn(output, 0, $"nft -j: item {n} is not an object"); continue; }
                if (item.TryGetProperty("table", out var t) && t.ValueKind == JsonValueKind.Object)
                {
                    if (Str(t, "family") is { } f && Str(t, "name") is { } name) rs.Tables.Add(new NftTable { Family = f, Name = name });
                    else log.Warn(output, 0, $"nft -j: table item {n} without family or name");
                }
                else if (item.TryGetProperty("chain", out var c) && c.ValueKind == JsonValueKind.Object)
                {
                    if (Str(c, "family") is not { } f || Str(c, "table") is not { } tbl || Str(c, "name") is not { } name)
                    { log.Warn(output, 0, $"nft -j: chain item {n} without family, table or name"); continue; }
                    rs.Chains.Add(new NftChain
                    {
                        Family = f, Table = tbl, Name = name, Type = Str(c, "type"), Hook = Str(c, "hook"),
                        Priority = c.TryGetProperty("prio", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var pi) ? pi : null,
                        Policy = Str(c, "policy"), Device = Str(c, "dev"),
                    });
                }
                else if ((item.TryGetProperty("set", out var s) || item.TryGetProperty("map", out s)) && s.ValueKind == JsonValueKind.Object)
                {
                    if (Str(s, "family") is not { } f || Str(s, "table") is not { } tbl || Str(s, "name") is not { } name)
                    { log.Warn(output, 0, $"nft -j: set item {n} without family, table or name"); continue; }
                    var set = new NftSet { Family = f, Table = tbl, Name = name, Type = TypeText(s, "type"), MapType = TypeText(s, "map"), Source = output.At(0) };
                    if (s.TryGetProperty("elem", out var elems) && elems.ValueKind == JsonValueKind.Array)
                        foreach (var e in elems.EnumerateArray())
                        {
                            var el = Element(e);
                            if (el is null) { log.Warn(output, 0, $"nft -j: an element of set {f} {tbl} {name} is not understood: {Short(e)}"); continue; }
                            set.Elements.Add(el);
                        }
                    rs.Sets.Add(set);
                }
                else if (item.TryGetProperty("rule", out var r) && r.ValueKind == JsonValueKind.Object)
                {
                    if (Str(r, "family") is not { } f || Str(r, "table") is not { } tbl || Str(r, "chain") is not { } ch)
                    { log.Warn(output, 0, $"nft -j: rule item {n} without family, table or chain"); continue; }
                    rs.Rules.Add(new NftRule
                    {
                        Family = f, Table = tbl, Chain = ch,
                        Handle = r.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.Number && h.TryGetInt64(out var hl) ? hl : null,
                        Expr = r.TryGetProperty("expr", out var e) ? e.Clone() : null,
                        Source = output.At(0),
                    });
                }
            }
            if (whole && !output.Partial) ns.Known.Add(Sections.Nftables);
        }
    }

    /// <summary>A set's key type ("ipv4_addr . inet_proto . inet_service", as the text form prints it) or a map's value type.</summary>
    private static string? TypeText(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind != JsonValueKind.Array) return null;
        var parts = new List<string>();
        foreach (var p in v.EnumerateArray()) if (p.ValueKind == JsonValueKind.String) parts.Add(p.GetString()!);
        return string.Join(" . ", parts);
    }

    /// <summary>One element as the text form prints it: a set's key, or a map's [key, value] pair; an element object
    /// ({"elem": {"val": …, "comment": …}}) keeps its comment. Null when the form is not known.</summary>
    private static NftElement? Element(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2)
        {
            var key = Element(e[0]);
            var value = Value(e[1]);
            if (key is null || value is null) return null;
            key.Value = value;
            return key;
        }
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("elem", out var inner) && inner.ValueKind == JsonValueKind.Object)
        {
            if (!inner.TryGetProperty("val", out var val) || Value(val) is not { } k) return null;
            return new NftElement { Key = k, Comment = Str(inner, "comment") };
        }
        return Value(e) is { } text ? new NftElement { Key = text } : null;
    }

    /// <summary>A value as nft prints it: "10.96.0.10", "tcp", "80", "a . b . c", "10.0.0.0/8", "1-5", "goto CHAIN", "accept".</summary>
    private static string? Value(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String: return v.GetString();
            case JsonValueKind.Number: return v.GetRawText();
            case JsonValueKind.Object:
                foreach (var p in v.EnumerateObject())
                    switch (p.Name)
                    {
                        case "concat" when p.Value.ValueKind == JsonValueKind.Array:
                            var parts = new List<string>();
                            foreach (var x in p.Value.EnumerateArray()) { if (Value(x) is not { } s) return null; parts.Add(s); }
                            return string.Join(" . ", parts);
                        case "prefix" when p.Value.ValueKind == JsonValueKind.Object:
                            return Str(p.Value, "addr") is { } a && p.Value.TryGetProperty("len", out var len) && len.ValueKind == JsonValueKind.Number ? $"{a}/{len.GetRawText()}" : null;
                        case "range" when p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2:
                            return Value(p.Value[0]) is { } lo && Value(p.Value[1]) is { } hi ? $"{lo}-{hi}" : null;
                        case "goto" or "jump" when p.Value.ValueKind == JsonValueKind.Object:
                            return Str(p.Value, "target") is { } t ? $"{p.Name} {t}" : null;
                        case "accept" or "drop" or "continue" or "return":
                            return p.Name;
                        case "elem" when p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("val", out var ev):
                            return Value(ev);
                        default:
                            return null;
                    }
                return null;
            default: return null;
        }
    }

    private static string Short(JsonElement e)
    {
        var t = e.GetRawText();
        return t.Length > 80 ? t[..80] + "…" : t;
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
