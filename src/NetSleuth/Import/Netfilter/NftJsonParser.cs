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
            if (whole) { rs.Tables.Clear(); rs.Chains.Clear(); rs.Rules.Clear(); }
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

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
