namespace NetSleuth.WhatIf;

/// <summary>sysctl, iptables, nft, ovs-vsctl and ovn-nbctl commands into edits.</summary>
internal static class OtherCommands
{
    public static List<ModelEdit>? Read(IReadOnlyList<string> argv)
    {
        var tool = Path.GetFileName(argv[0]);
        return tool switch
        {
            "sysctl" => Sysctl(argv),
            "iptables" or "iptables-nft" or "iptables-legacy" => Iptables(argv, "ipv4"),
            "ip6tables" or "ip6tables-nft" or "ip6tables-legacy" => Iptables(argv, "ipv6"),
            "nft" => [Nft(argv)],
            "ovs-vsctl" => Ovs(argv),
            "ovn-nbctl" => OvnCommands.Read(argv),
            _ => null,
        };
    }

    private static List<ModelEdit> Sysctl(IReadOnlyList<string> argv)
    {
        var edits = new List<ModelEdit>();
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a is "-w" or "-q" or "--write" or "--quiet") continue;
            if (a.StartsWith('-')) throw new NotModelledException($"`sysctl {a}` is not modelled");
            int eq = a.IndexOf('=');
            if (eq <= 0)
            {
                // `sysctl key` reads; `sysctl -w key value` is not sysctl's syntax
                if (argv.Contains("-w")) throw new SyntaxError($"sysctl -w wants KEY=VALUE, not '{a}'");
                continue;
            }
            var key = a[..eq].Trim().Replace('/', '.');
            var value = a[(eq + 1)..].Trim();
            if (!key.StartsWith("net.", StringComparison.Ordinal)) throw new NotModelledException($"sysctl {key} is not a network setting the model holds");
            edits.Add(new SysctlEdit { Key = key, Value = value });
        }
        return edits;
    }

    private static List<ModelEdit> Iptables(IReadOnlyList<string> argv, string family)
    {
        string table = "filter";
        string? op = null, chain = null, policy = null;
        int? number = null;
        var args = new List<string>();
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (op is not null && chain is not null) { args.Add(a); continue; }
            switch (a)
            {
                case "-t" or "--table": table = Words.Next(argv, ref i, "a table"); break;
                case "-w" or "--wait": if (i + 1 < argv.Count && int.TryParse(argv[i + 1], out _)) i++; break;
                case "-D" or "--delete" or "-A" or "--append" or "-I" or "--insert" or "-P" or "--policy" or "-F" or "--flush":
                    op = a.Length == 2 ? a : a switch { "--delete" => "-D", "--append" => "-A", "--insert" => "-I", "--policy" => "-P", _ => "-F" };
                    if (i + 1 < argv.Count && !argv[i + 1].StartsWith('-')) chain = argv[++i];
                    else if (op != "-F") throw new SyntaxError($"iptables {a} needs a chain");
                    if (op is "-D" or "-I" && i + 1 < argv.Count && int.TryParse(argv[i + 1], out var n)) { number = n; i++; }
                    if (op == "-P") policy = Words.Next(argv, ref i, "a policy");
                    if (op == "-F" && chain is null) return [new IptablesEdit { Op = op, Family = family, Table = table }];
                    break;
                case "-v" or "--verbose" or "-n" or "--numeric": break;
                default:
                    if (op is null) throw new NotModelledException($"`iptables {a}` is not modelled (only -D, -A, -I, -P, -F)");
                    args.Add(a);
                    break;
            }
        }
        if (op is null) throw new NotModelledException("an iptables command that changes no rule is not modelled");
        if (op is "-A" or "-I" && args.Count == 0) throw new SyntaxError($"iptables {op} {chain} needs a rule");
        if (op == "-D" && number is null && args.Count == 0) throw new SyntaxError($"iptables -D {chain} needs a rule or its number");
        // a policy other than ACCEPT/DROP is an error of iptables itself
        if (op == "-P" && policy is not ("ACCEPT" or "DROP")) throw new SyntaxError($"iptables -P wants ACCEPT or DROP, not '{policy}'");
        return [new IptablesEdit { Op = op, Family = family, Table = table, Chain = chain, Args = args, Number = number, Policy = policy }];
    }

    private static NftEdit Nft(IReadOnlyList<string> argv)
    {
        int i = 1;
        while (i < argv.Count && argv[i].StartsWith('-'))
        {
            if (argv[i] is "-f" or "--file") throw new NotModelledException("`nft -f FILE` reads a ruleset the model does not see");
            i++;
        }
        var w = argv.Skip(i).ToList();
        if (w.Count >= 2 && w[0] == "flush" && w[1] == "ruleset") return new NftEdit { Op = "flush" };
        if (w.Count >= 2 && w[0] is "delete" or "add" or "insert" && w[1] == "rule")
        {
            // nft delete rule [FAMILY] TABLE CHAIN handle N
            int k = 2;
            string family = "ip";
            if (w.Count > k && w[k] is "ip" or "ip6" or "inet" or "arp" or "bridge" or "netdev") family = w[k++];
            if (w.Count < k + 2) throw new SyntaxError($"`nft {w[0]} rule` needs a table and a chain");
            var table = w[k++];
            var chain = w[k++];
            if (w[0] == "delete")
            {
                if (w.Count != k + 2 || w[k] != "handle" || !long.TryParse(w[k + 1], out var h))
                    throw new SyntaxError("`nft delete rule FAMILY TABLE CHAIN handle N` needs the rule's handle (`nft -a list ruleset` shows it)");
                return new NftEdit { Op = "delete", Family = family, Table = table, Chain = chain, Handle = h };
            }
            if (w.Count > k && w[k] is "handle" or "position" or "index") throw new NotModelledException($"`nft {w[0]} rule … {w[k]} N` is not modelled");
            if (w.Count == k) throw new SyntaxError($"`nft {w[0]} rule` needs the rule");
            return new NftEdit { Op = w[0], Family = family, Table = table, Chain = chain, Text = string.Join(' ', w.Skip(k)) };
        }
        throw new NotModelledException($"`nft {string.Join(' ', w.Take(2))}` is not modelled (only delete/add/insert rule and flush ruleset)");
    }

    private static List<ModelEdit> Ovs(IReadOnlyList<string> argv)
    {
        bool lenient = false;
        int i = 1;
        for (; i < argv.Count && argv[i].StartsWith("--", StringComparison.Ordinal); i++)
            if (argv[i] is "--may-exist" or "--if-exists") lenient = true;
        var w = argv.Skip(i).ToList();
        if (w.Count == 0) throw new SyntaxError("ovs-vsctl needs a command");
        switch (w[0])
        {
            case "add-port" when w.Count == 3: return [new OvsPortEdit { Add = true, Bridge = w[1], Port = w[2], Lenient = lenient }];
            case "del-port" when w.Count is 2 or 3: return [new OvsPortEdit { Add = false, Bridge = w.Count == 3 ? w[1] : null, Port = w[^1], Lenient = lenient }];
            case "show" or "list-br" or "list-ports" or "port-to-br" or "iface-to-br" or "list" or "find" or "get": return [];
            default: throw new NotModelledException($"`ovs-vsctl {w[0]}` is not modelled (only add-port, del-port)");
        }
    }
}
