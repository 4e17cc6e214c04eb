using System.Text.Json;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Import.Firewall;

/// <summary>
/// `nft -j list ruleset`:
/// <code>{"nftables":[{"metainfo":{"version":"1.0.6",…}},{"table":{"family":"inet","name":"f","handle":1}},
///  {"chain":{"family":"inet","table":"f","name":"input","handle":1,"type":"filter","hook":"input","prio":0,"policy":"accept"}},
///  {"rule":{"family":"inet","table":"f","chain":"input","handle":2,"expr":[…]}}]}</code>
/// </summary>
internal static class NftJson
{
    public static NftRuleset? Read(string text, SourceRef src, ImportLog log)
    {
        var values = JsonValues.Split(text, out var error);
        if (values is null || values.Count != 1 || values[0].Obj("nftables") is not { } items)
        {
            log.Warn(src, "nft -j list ruleset: " + (error ?? "no \"nftables\" array"));
            return null;
        }
        var rs = new NftRuleset { Source = src };
        foreach (var item in items.Items())
        {
            if (item.Obj("table") is { } t && t.Str("family") is { } tf && t.Str("name") is { } tn)
                rs.Tables.Add(new NftTable { Family = tf, Name = tn });
            else if (item.Obj("chain") is { } c && c.Str("family") is { } cf && c.Str("table") is { } ct && c.Str("name") is { } cn)
                rs.Chains.Add(new NftChain
                {
                    Family = cf, Table = ct, Name = cn,
                    Type = c.Str("type"), Hook = c.Str("hook"), Priority = c.Int("prio"), Policy = c.Str("policy"), Device = c.Str("dev"),
                });
            else if (item.Obj("rule") is { } r && r.Str("family") is { } rf && r.Str("table") is { } rt && r.Str("chain") is { } rc)
                rs.Rules.Add(new NftRule
                {
                    Family = rf, Table = rt, Chain = rc, Handle = r.Long("handle"),
                    Expr = r.Obj("expr"), Source = src,
                });
        }
        return rs;
    }

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var rs = Read(string.Join('\n', output.Lines), output.At(0), log);
        if (rs is null) return;
        ns.Nftables = rs;
        if (!output.Partial) ns.Known.Add(Sections.Nftables);
    }

    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 3 && Path.GetFileName(argv[0]) == "nft" && (argv.Contains("-j") || argv.Contains("--json")) &&
        argv.Contains("list") && argv.Contains("ruleset");
}
