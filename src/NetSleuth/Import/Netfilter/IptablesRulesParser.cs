using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `iptables -S [CHAIN]` / `ip6tables -S` (`-t TABLE`, `-v` adds "-c PKTS BYTES"):
/// <code>
/// -P INPUT ACCEPT
/// -P FORWARD DROP -c 0 0
/// -N cali-INPUT
/// -A cali-INPUT -p udp -m comment --comment "cali:w7ud0UgQSEi_zKuQ" -m udp --dport 4789 -j DROP
/// </code>
/// With a CHAIN only that chain's rules are replaced; the table is otherwise left as it was.
/// </summary>
internal static class IptablesRulesParser
{
    public static bool Matches(IReadOnlyList<string> argv) => IptablesCommand.Parse(argv) is { ListRules: true };
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = IptablesCommand.Parse(output.Argv) ?? new IptablesCommand("ipv4", null, false, "filter", null, false, true);
        var table = IptablesCommand.FindTable(ns, cmd.Family, cmd.Table ?? "filter", output.At(0));
        table.Backend ??= cmd.Backend;
        if (cmd.Chain is null) { table.Chains.Clear(); table.Rules.Clear(); table.Source = output.At(0); }
        else table.Rules.RemoveAll(r => r.Chain == cmd.Chain);
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                if (line.Contains("legacy tables present", StringComparison.Ordinal))
                    log.Warn(output, i, "iptables-legacy rules exist too and are not in this output; run iptables-legacy to see them");
                continue;
            }
            var words = IptablesCommand.Words(line);
            if (words is null || words.Count < 2) { log.Warn(output, i, $"iptables -S: unrecognised line '{IptablesSaveParser.Short(line)}'"); continue; }
            switch (words[0])
            {
                case "-P":
                    var policy = new IptablesChain { Name = words[1], Policy = words.Count > 2 ? words[2] : null };
                    if (words.Count >= 6 && words[3] == "-c" && long.TryParse(words[4], out var p) && long.TryParse(words[5], out var b))
                    { policy.Packets = p; policy.Bytes = b; }
                    table.Chains.RemoveAll(c => c.Name == policy.Name);
                    table.Chains.Add(policy);
                    break;
                case "-N":
                    if (!table.Chains.Any(c => c.Name == words[1])) table.Chains.Add(new IptablesChain { Name = words[1] });
                    break;
                case "-A":
                    var rule = new IptablesRule { Chain = words[1], Source = output.At(i) };
                    IptablesCommand.FillRule(rule, words.Skip(2).ToList());
                    table.Rules.Add(rule);
                    break;
                default:
                    log.Warn(output, i, $"iptables -S: unrecognised line '{IptablesSaveParser.Short(line)}'");
                    break;
            }
        }
        IptablesSaveParser.WarnNotSimulated(table, log);
    }
}
