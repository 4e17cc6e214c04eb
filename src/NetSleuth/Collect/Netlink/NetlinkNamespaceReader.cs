using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// Reads a namespace's links, addresses, routes, rules, neighbours, FDB, netnsids and tc over rtnetlink in
/// this process (the thread is in the namespace), as the `ip`/`tc`/`bridge` JSON path would give them.
/// Whatever it cannot read or decode is handed back for the tools to list: a failed dump with a warning,
/// a kind it does not decode silently (the tool's answer is complete, so nothing is lost).
/// </summary>
internal static class NetlinkNamespaceReader
{
    /// <summary>What is left for the tools after the in-process reading.</summary>
    public sealed class Leftover
    {
        /// <summary>`ip -d -j -batch` lines still to run (Tools.IpBatch spellings).</summary>
        public List<string> IpLines { get; } = [];
        public bool Rules6 { get; set; }
        public bool Fdb { get; set; }
        public bool Tc { get; set; }
        /// <summary>Forwarding sysctls read over netlink (per device from the link dump, "all"/"default" from
        /// RTM_GETNETCONF); null when they must all be read from /proc/sys.</summary>
        public Dictionary<string, string>? DeviceSysctls { get; set; }
    }

    private const byte AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10, AF_BRIDGE = 7;

    public static Leftover Read(NetNamespace ns, ImportLog log)
    {
        var left = new Leftover();
        using var rtnl = RtnlDump.Open();
        var links = rtnl?.Dump(RtnlLinks.RTM_GETLINK, AF_UNSPEC, RtnlLinks.IfInfoHeader);
        if (rtnl is null || links is null)
        {
            log.Warn(new SourceRef("rtnetlink RTM_GETLINK"), "netlink dump failed; links, routes, rules, neighbours and tc read with ip and tc instead", ns.Id);
            left.IpLines.AddRange(Tools.IpBatch);
            left.Rules6 = left.Fdb = left.Tc = true;
            return left;
        }
        var names = RtnlLinks.Names(links);
        left.DeviceSysctls = RtnlLinks.DeviceSysctls(links);
        if (rtnl.Dump(RtnlNetconf.RTM_GETNETCONF, AF_UNSPEC, RtnlNetconf.Header) is { } netconf) RtnlNetconf.Read(netconf, left.DeviceSysctls);
        var addrs = Dump(rtnl, RtnlLinks.RTM_GETADDR, AF_UNSPEC, RtnlLinks.IfAddrHeader, "RTM_GETADDR", ns, log);
        if (addrs is null || RtnlLinks.Read(links, addrs, ns, Src("RTM_GETLINK"), Src("RTM_GETADDR"), log) is not null)
            left.IpLines.Add("address show");
        else ns.Known.UnionWith([Sections.Links, Sections.Addresses, Sections.LinkDetails]);

        var routes = Dump(rtnl, RtnlRoutes.RTM_GETROUTE, AF_UNSPEC, RtnlRoutes.RtHeader, "RTM_GETROUTE", ns, log);
        if (routes is null || RtnlRoutes.Read(routes, ns, names, Src("RTM_GETROUTE"), log) is not null)
            left.IpLines.Add("route show table all");
        else ns.Known.UnionWith([Sections.Routes4, Sections.Routes6, Sections.AllTables]);

        if (!ReadRules(rtnl, AF_INET, ns, log)) left.IpLines.Add("rule show");
        else ns.Known.Add(Sections.Rules4);

        var neigh = Dump(rtnl, RtnlNeighbours.RTM_GETNEIGH, AF_UNSPEC, RtnlNeighbours.NeighHeader, "RTM_GETNEIGH", ns, log);
        if (neigh is null) left.IpLines.Add("neigh show nud all");
        else
        {
            RtnlNeighbours.Read(neigh, ns, names, Src("RTM_GETNEIGH"), log);
            ns.Known.Add(Sections.Neighbors);
        }
        var proxy = rtnl.Dump(RtnlNeighbours.RTM_GETNEIGH, RtnlNeighbours.ProxyRequest());
        if (proxy is null) left.IpLines.Add("neigh show proxy");
        else RtnlNeighbours.Read(proxy, ns, names, Src("RTM_GETNEIGH proxy"), log);

        var nsids = Dump(rtnl, RtnlNeighbours.RTM_GETNSID, AF_UNSPEC, 4, "RTM_GETNSID", ns, log);
        if (nsids is null) left.IpLines.Add("netns list-id");
        else
        {
            RtnlNeighbours.ReadNsids(nsids, ns);
            ns.Known.Add(Sections.NetnsIds);
        }

        left.Rules6 = !ReadRules(rtnl, AF_INET6, ns, log);
        if (!left.Rules6) ns.Known.Add(Sections.Rules6);
        left.Fdb = !ReadFdb(rtnl, ns, names, log);
        if (!left.Fdb) ns.Known.Add(Sections.Fdb);
        left.Tc = !ReadTc(rtnl, ns, names, log);
        if (!left.Tc) ns.Known.Add(Sections.Tc);
        return left;
    }

    private static SourceRef Src(string what) => new("rtnetlink " + what);

    private static List<byte[]>? Dump(RtnlDump rtnl, ushort type, byte family, int header, string what, NetNamespace ns, ImportLog log)
    {
        var r = rtnl.Dump(type, family, header);
        if (r is null) log.Warn(Src(what), "netlink dump failed; read with the iproute2 tool instead", ns.Id);
        return r;
    }

    private static bool ReadRules(RtnlDump rtnl, byte family, NetNamespace ns, ImportLog log)
    {
        var what = family == AF_INET6 ? "RTM_GETRULE inet6" : "RTM_GETRULE inet";
        if (Dump(rtnl, RtnlObjects.RTM_GETRULE, family, RtnlObjects.RuleHeader, what, ns, log) is not { } rules) return false;
        var src = Src(what);
        ns.Rules.AddRange(rules.Select(m => RtnlObjects.Rule(m, src)));
        return true;
    }

    private static bool ReadFdb(RtnlDump rtnl, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, ImportLog log)
    {
        if (Dump(rtnl, RtnlObjects.RTM_GETNEIGH, AF_BRIDGE, RtnlObjects.NeighHeader, "RTM_GETNEIGH bridge", ns, log) is not { } fdb) return false;
        var src = Src("RTM_GETNEIGH bridge");
        ns.Fdb.AddRange(fdb.Select(m => RtnlObjects.Fdb(m, i => RtnlLinks.NameOf(names, i), src)).OfType<FdbEntry>());
        return true;
    }

    /// <summary>Qdiscs, then each filter listing they allow; false (nothing added) when `tc` must be asked instead.</summary>
    private static bool ReadTc(RtnlDump rtnl, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, ImportLog log)
    {
        if (Dump(rtnl, RtnlTc.RTM_GETQDISC, AF_UNSPEC, RtnlTc.TcHeader, "RTM_GETQDISC", ns, log) is not { } qdiscs) return false;
        var scratch = new NetNamespace { Id = ns.Id };
        RtnlTc.ReadQdiscs(qdiscs, scratch, names, Src("RTM_GETQDISC"));
        foreach (var l in RtnlTc.Listings(scratch, names))
        {
            var src = Src($"RTM_GETTFILTER dev {l.Device} {l.Direction}");
            var msgs = rtnl.Dump(RtnlTc.RTM_GETTFILTER, RtnlTc.FilterRequest(l));
            if (msgs is null)
            {
                log.Warn(src, "netlink dump failed; tc read with tc instead", ns.Id);
                return false;
            }
            if (RtnlTc.ReadFilters(msgs, l, scratch, names, src) is not null) return false;
        }
        ns.Qdiscs.AddRange(scratch.Qdiscs);
        ns.Filters.AddRange(scratch.Filters);
        return true;
    }
}
