namespace NetSleuth.Import;

/// <summary>
/// Which parser reads which command. Argv is normalised first (no sudo / netns prefix; iproute2
/// abbreviations expanded: "ip a" → "ip address show"), so entries match full words.
/// One line per command family; the first entry that matches wins.
/// </summary>
internal static class CommandTable
{
    public sealed record Entry(string Name, Func<IReadOnlyList<string>, bool> Matches, CommandParser Parse);

    public static IReadOnlyList<Entry> Entries { get; } =
    [
        // Open vSwitch (Import/Ovs)
        new("ovs-vsctl show", Ovs.OvsVsctlShowParser.Matches, Ovs.OvsVsctlShowParser.Parse),
        new("ovs-vsctl list-br", Ovs.OvsVsctlListBrParser.Matches, Ovs.OvsVsctlListBrParser.Parse),
        new("ovs-vsctl list|find TABLE", Ovs.OvsVsctlListParser.Matches, Ovs.OvsVsctlListParser.Parse),
        new("ovs-ofctl dump-ports", Ovs.OvsOfctlDumpPortsParser.Matches, Ovs.OvsOfctlDumpPortsParser.Parse),
        new("ovs-ofctl show|dump-ports-desc", Ovs.OvsOfctlShowParser.Matches, Ovs.OvsOfctlShowParser.Parse),
        // netfilter (Import/Netfilter)
        new("iptables-save", Netfilter.IptablesSaveParser.Matches, Netfilter.IptablesSaveParser.Parse),
        new("iptables -S", Netfilter.IptablesRulesParser.Matches, Netfilter.IptablesRulesParser.Parse),
        new("iptables -L", Netfilter.IptablesListParser.Matches, Netfilter.IptablesListParser.Parse),
        new("nft -j list", Netfilter.NftJsonParser.Matches, Netfilter.NftJsonParser.Parse),
        new("nft list", Netfilter.NftTextParser.Matches, Netfilter.NftTextParser.Parse),
        // sysctls (Import/Sysctl)
        new("sysctl", Sysctl.SysctlParser.Matches, Sysctl.SysctlParser.Parse),
    ];

    public static Entry? Find(IReadOnlyList<string> argv) => Entries.FirstOrDefault(e => e.Matches(argv));
}
