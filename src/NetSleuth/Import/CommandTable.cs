using NetSleuth.Import.Iproute2;
using NetSleuth.Import.NetTools;
using NetSleuth.Import.Tc;
using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>A parser of a command about the host's namespaces (`ip netns`): it may name namespaces.</summary>
public delegate void HostCommandParser(CommandOutput output, NetNamespace ns, Func<string, NetNamespace> namespaceByName, ImportLog log);

/// <summary>
/// Which parser reads which command. Argv is normalised first (no sudo / netns prefix; iproute2
/// abbreviations expanded: "ip a" → "ip address show", options spelled out: "-d" → "-details"), so
/// entries match full words. One line per command family; the first entry that matches wins.
/// </summary>
internal static class CommandTable
{
    public sealed record Entry(string Name, Func<IReadOnlyList<string>, bool> Matches, CommandParser Parse)
    {
        /// <summary>Set instead of <see cref="Parse"/> for commands that name namespaces.</summary>
        public HostCommandParser? HostParse { get; init; }
    }

    private static readonly CommandParser None = (_, _, _) => { };

    public static IReadOnlyList<Entry> Entries { get; } =
    [
        new("iproute2 -j", IpJson.IpJsonCommands.Matches, IpJson.IpJsonCommands.Parse),
        new("ip -brief address|link", a => Ip(a, "address", "show", "link") && ArgsOf(a).Has("-brief"), IpBriefParser.Parse),
        new("ip address|link show", a => Ip(a, "address", "show", "link"), IpLinkParser.Parse),
        new("ip route get", a => Ip(a, "route", "get"), IpRouteGetParser.Parse),
        new("ip route show", a => Ip(a, "route", "show"), IpRouteParser.Parse),
        new("ip rule show", a => Ip(a, "rule", "show"), IpRuleParser.Parse),
        new("ip neigh show", a => Ip(a, "neighbor", "show"), IpNeighParser.Parse),
        new("ip netns list-id", a => Ip(a, "netns", "list-id"), None) { HostParse = IpNetnsParser.ParseListId },
        new("ip netns identify", a => Ip(a, "netns", "identify"), IpNetnsParser.ParseIdentify),
        new("ip netns show", a => Ip(a, "netns", "show"), None) { HostParse = IpNetnsParser.ParseList },
        new("bridge fdb show", a => Is(a, "bridge", "fdb", "show"), BridgeFdbParser.Parse),
        new("tc qdisc show", a => Is(a, "tc", "qdisc", "show"), TcQdiscParser.Parse),
        new("tc filter show", a => Is(a, "tc", "filter", "show"), TcFilterParser.Parse),
        new("arp", a => a.Count >= 1 && a[0] == "arp" && !a.Contains("-s") && !a.Contains("-d"), ArpParser.Parse),
        // Open vSwitch (Import/Ovs)
        new("ovs-vsctl show", Ovs.OvsVsctlShowParser.Matches, Ovs.OvsVsctlShowParser.Parse),
        new("ovs-vsctl list-br", Ovs.OvsVsctlListBrParser.Matches, Ovs.OvsVsctlListBrParser.Parse),
        new("ovs-vsctl list-ports|port-to-br|iface-to-br", Ovs.OvsVsctlPortsParser.Matches, Ovs.OvsVsctlPortsParser.Parse),
        new("ovs-vsctl list|find TABLE", Ovs.OvsVsctlListParser.Matches, Ovs.OvsVsctlListParser.Parse),
        new("ovs-ofctl dump-ports", Ovs.OvsOfctlDumpPortsParser.Matches, Ovs.OvsOfctlDumpPortsParser.Parse),
        new("ovs-ofctl show|dump-ports-desc", Ovs.OvsOfctlShowParser.Matches, Ovs.OvsOfctlShowParser.Parse),
        new("ovs-ofctl dump-flows", Ovs.OvsOfctlDumpFlowsParser.Matches, Ovs.OvsOfctlDumpFlowsParser.Parse),
        new("ovs-appctl ofproto/trace", Ovs.OfprotoTraceImport.Matches, Ovs.OfprotoTraceImport.Parse),
        new("ovn-trace", Ovn.OvnTraceParser.Matches, Ovn.OvnTraceParser.Parse),
        // OVN northbound (Import/Ovn)
        new("ovn-nbctl list Logical_Switch_Port", Ovn.OvnNbctlListLspParser.Matches, Ovn.OvnNbctlListLspParser.Parse),
        new("ovn-nbctl show", Ovn.OvnNbctlShowParser.Matches, Ovn.OvnNbctlShowParser.Parse),
        new("ovn-sbctl show", Ovn.OvnSbctlShowParser.Matches, Ovn.OvnSbctlShowParser.Parse),
        // netfilter (Import/Netfilter)
        new("iptables-save", Netfilter.IptablesSaveParser.Matches, Netfilter.IptablesSaveParser.Parse),
        new("iptables -S", Netfilter.IptablesRulesParser.Matches, Netfilter.IptablesRulesParser.Parse),
        new("iptables -L", Netfilter.IptablesListParser.Matches, Netfilter.IptablesListParser.Parse),
        new("nft -j list", Netfilter.NftJsonParser.Matches, Netfilter.NftJsonParser.Parse),
        new("nft list", Netfilter.NftTextParser.Matches, Netfilter.NftTextParser.Parse),
        new("conntrack -L", Netfilter.ConntrackParser.Matches, Netfilter.ConntrackParser.Parse),
        new("ipvsadm -Ln|ipvsadm-save", Netfilter.IpvsadmParser.Matches, Netfilter.IpvsadmParser.Parse),
        new("ipset list|save", Netfilter.IpsetParser.Matches, Netfilter.IpsetParser.Parse),
        // sysctls (Import/Sysctl)
        new("sysctl", Sysctl.SysctlParser.Matches, Sysctl.SysctlParser.Parse),
    ];

    public static Entry? Find(IReadOnlyList<string> argv)
    {
        // the entries look at the same argv: normalise it once for all of them
        var saved = _finding;
        _finding = (argv, CommandArgs.Of(argv));
        try
        {
            foreach (var e in Entries)
                if (e.Matches(argv)) return e;
            return null;
        }
        finally { _finding = saved; }
    }

    [ThreadStatic] private static (IReadOnlyList<string> Argv, CommandArgs Args)? _finding;

    private static CommandArgs ArgsOf(IReadOnlyList<string> argv) =>
        _finding is { } f && ReferenceEquals(f.Argv, argv) ? f.Args : CommandArgs.Of(argv);

    /// <summary>ip OBJECT VERB (any of <paramref name="alsoObject"/> too), after normalisation, with no JSON output.</summary>
    private static bool Ip(IReadOnlyList<string> argv, string obj, string verb, string? alsoObject = null)
    {
        var c = ArgsOf(argv);
        return c.Tool == "ip" && (c.Object == obj || c.Object == alsoObject) && c.Verb == verb && !c.Has("-json");
    }

    private static bool Is(IReadOnlyList<string> argv, string tool, string obj, string verb)
    {
        var c = ArgsOf(argv);
        return c.Tool == tool && c.Object == obj && c.Verb == verb && !c.Has("-json");
    }
}
