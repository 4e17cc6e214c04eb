using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip rule` / `ip -6 rule` (iprule.c print_rule):
/// <code>
/// 0:	from all lookup local
/// 200:	from all to 198.18.70.0/24 iif dum0 lookup main
/// 300:	from all fwmark 0x10/0xff lookup 100
/// 400:	not from 198.18.0.0/15 prohibit
/// 1000:	from all oif vrf-blue [detached] lookup 10
/// 32765:	from all lookup main suppress_prefixlength 0
/// </code>
/// </summary>
internal static class IpRuleParser
{
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        string family = args.V6 ? "inet6" : "inet";
        bool any = false;
        var rules = Facts.Upsert(ns.Rules, r => $"{r.Family}|{r}");
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0 || Facts.IsToolError(output.Lines[i])) continue;
            var at = output.At(i);
            if (!w[0].EndsWith(':') || !uint.TryParse(w[0].AsSpan(0, w[0].Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prio))
            {
                log.Warn(at, $"not a rule: '{output.Lines[i].Trim()}'");
                continue;
            }
            var r = new Rule { Priority = prio, Family = family, Source = at };
            for (int k = 1; k < w.Length; k++)
            {
                string? next = k + 1 < w.Length ? w[k + 1] : null;
                switch (w[k])
                {
                    case "not": r.Not = true; break;
                    case "from": if (next != "all" && IpPrefix.TryParse(next, out var f)) { r.From = f; SetFamily(r, f); } k++; break;
                    case "to": if (next != "all" && IpPrefix.TryParse(next, out var to)) { r.To = to; SetFamily(r, to); } k++; break;
                    case "iif": r.Iif = next; k++; break;
                    case "oif": r.Oif = next; k++; break;
                    case "fwmark":
                        var parts = next?.Split('/') ?? [];
                        r.Fwmark = Facts.UInt(parts.ElementAtOrDefault(0));
                        r.FwmarkMask = Facts.UInt(parts.ElementAtOrDefault(1));
                        k++;
                        break;
                    case "tos" or "dsfield": r.Tos = (int?)Facts.UInt(next); k++; break;
                    case "ipproto":
                        r.IpProto = Facts.Int(next) ?? ProtoNumber(next);
                        if (r.IpProto is null)
                        {
                            log.Warn(at, $"rule {prio}: ipproto '{next}' is not a protocol netsleuth knows; lookups cannot decide the rule");
                            r.IpProto = -1;
                        }
                        k++;
                        break;
                    case "sport": r.SPortRange = next; k++; break;
                    case "dport": r.DPortRange = next; k++; break;
                    case "uidrange": r.UidRange = next; k++; break;
                    case "l3mdev": r.L3mdev = true; break;
                    case "suppress_prefixlength": r.SuppressPrefixLength = Facts.Int(next); k++; break;
                    case "lookup" or "table":
                        r.Action = "to_tbl";
                        r.Table = next is null ? null : RouteTables.Parse(next);
                        if (r.Table is null && next is not null)
                            log.Warn(at, $"rule {prio}: table '{next}' is not a table id (a name from rt_tables, or a number above 4294967295); the rule's table is unknown");
                        k++;
                        break;
                    case "goto": r.Action = "goto"; r.GotoTarget = Facts.UInt(next); k++; break;
                    case "nop": r.Action = "nop"; break;
                    case "blackhole" or "unreachable" or "prohibit": r.Action = w[k]; break;
                    case "realms" or "protocol" or "suppress_ifgroup" or "tun_id" or "map-to": k++; break;
                }
            }
            if (r.Action == "to_tbl" && r.Table is null && !w.Contains("lookup") && !w.Contains("table") && !w.Contains("goto") && !w.Contains("nop"))
                log.Warn(at, "rule without an action; read as 'lookup main'");
            rules.Add(r);
            any = true;
        }
        if (any && !args.Selects()) Facts.MarkKnown(output, ns, args.V6 ? Sections.Rules6 : Sections.Rules4);
    }

    private static void SetFamily(Rule r, IpPrefix p) => r.Family = p.IsV4 ? "inet" : "inet6";

    private static int? ProtoNumber(string? name) => name switch { "icmp" => 1, "tcp" => 6, "udp" => 17, "ipv6-icmp" => 58, "sctp" => 132, "dccp" => 33, "udplite" => 136, "gre" => 47, "esp" => 50, _ => null };
}
