using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// Builds one namespace the way the kernel would show it to a live collect: loopback first,
/// ifindexes in creation order, and for every address the routes the kernel adds by itself
/// (local and broadcast in table local, the connected route in main), the default policy rules,
/// forwarding sysctls for every device and every section marked known.
/// </summary>
internal sealed class NsBuilder
{
    private static readonly string[] AllSections =
    [
        Sections.Links, Sections.LinkDetails, Sections.Addresses, Sections.Routes4, Sections.Routes6,
        Sections.AllTables, Sections.Rules4, Sections.Rules6, Sections.Neighbors, Sections.Fdb, Sections.Tc,
        Sections.Iptables, Sections.Nftables, Sections.Sysctls, Sections.NetnsIds,
    ];

    private int _nextIndex;

    public NetNamespace Ns { get; }
    /// <summary>net.ipv4.ip_forward as <see cref="Finish"/> writes it.</summary>
    public bool IpForward { get; set; } = true;

    public NsBuilder(string id, string? name, long inode, bool isRoot, int firstIndex = 2)
    {
        Ns = new NetNamespace { Id = id, Name = name, Inode = inode, IsRoot = isRoot };
        _nextIndex = firstIndex;
        var lo = AddLink("lo", null, MacAddress.Zero, 65536, index: 1);
        lo.LinkType = "loopback";
        lo.Flags = ["LOOPBACK", "UP", "LOWER_UP"];
        lo.OperState = "UNKNOWN";
        lo.Broadcast = MacAddress.Zero;
        AddAddress(lo, 0x7F00_0001, 8, scope: "host");
    }

    /// <summary>Adds an up Ethernet-like device; <paramref name="index"/> defaults to the next free ifindex.</summary>
    public Link AddLink(string name, string? kind, MacAddress mac, int mtu, int? index = null, string qdisc = "noqueue")
    {
        int idx = index ?? _nextIndex++;
        if (idx >= _nextIndex) _nextIndex = idx + 1;
        var link = new Link
        {
            Index = idx,
            Name = name,
            Kind = kind,
            DetailsKnown = true,
            LinkType = "ether",
            Mac = mac,
            Broadcast = MacAddress.Broadcast,
            Mtu = mtu,
            Flags = ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
            OperState = kind is LinkKinds.Vxlan or LinkKinds.Geneve ? "UNKNOWN" : "UP",
            Promiscuity = 0,
            Qdisc = qdisc,
            Source = CollectSources.Addresses,
        };
        Ns.Links.Add(link);
        Ns.Qdiscs.Add(new TcQdisc { Device = name, Kind = qdisc, Handle = "0:", Parent = "root", Source = CollectSources.Qdiscs });
        return link;
    }

    /// <summary>Adds an address and the routes the kernel derives from it.</summary>
    public void AddAddress(Link link, uint ip, int len, string scope = "global")
    {
        var a = new IfAddress { Prefix = Addressing.Prefix(ip, len), Scope = scope, Label = link.Name, Source = CollectSources.Addresses };
        if (len < 31 && link.LinkType != "loopback") a.Broadcast = Addressing.Ip(Addressing.Broadcast(ip, len));
        link.Addresses.Add(a);
        var src = Addressing.Ip(ip);
        uint net = Addressing.Network(ip, len);
        if (link.IsLoopback)
            Ns.Routes.Add(KernelRoute(RouteTypes.Local, Addressing.Prefix(net, len), link.Name, "host", src, RouteTables.Local));
        Ns.Routes.Add(KernelRoute(RouteTypes.Local, Addressing.Prefix(ip, 32), link.Name, "host", src, RouteTables.Local));
        if (len < 31)
            Ns.Routes.Add(KernelRoute(RouteTypes.Broadcast, Addressing.Prefix(Addressing.Broadcast(ip, len), 32), link.Name, "link", src, RouteTables.Local));
        if (len < 32 && !link.IsLoopback)
            Ns.Routes.Add(KernelRoute(RouteTypes.Unicast, Addressing.Prefix(net, len), link.Name, "link", src, RouteTables.Main));
    }

    public Route AddRoute(uint dest, int len, uint? gateway, string device, string protocol = "static", bool onlink = false)
    {
        var r = new Route
        {
            Destination = Addressing.Prefix(dest, len),
            Gateway = gateway is { } g ? Addressing.Ip(g) : null,
            Device = device,
            Protocol = protocol,
            Scope = gateway is null ? "link" : "global",
            Source = CollectSources.Routes,
        };
        if (onlink) r.Flags.Add("onlink");
        Ns.Routes.Add(r);
        return r;
    }

    public Neighbor AddNeighbor(uint ip, string device, MacAddress? mac, string state = "REACHABLE")
    {
        var n = new Neighbor { Address = Addressing.Ip(ip), Device = device, Mac = mac, State = [state], Source = CollectSources.Neighbors };
        Ns.Neighbors.Add(n);
        return n;
    }

    public void AddNetnsId(int id, string ns) => Ns.NetnsIds.Add(new NetnsIdEntry(id, ns));

    /// <summary>Policy rules, sysctls and known sections; call once, after the last device.</summary>
    public NetNamespace Finish()
    {
        bool ipForward = IpForward;
        foreach (var fam in new[] { "inet", "inet6" })
        {
            var src = fam == "inet" ? CollectSources.Rules4 : CollectSources.Rules6;
            Ns.Rules.Add(new Rule { Priority = 0, Family = fam, Table = RouteTables.Local, Source = src });
            Ns.Rules.Add(new Rule { Priority = 32766, Family = fam, Table = RouteTables.Main, Source = src });
            if (fam == "inet") Ns.Rules.Add(new Rule { Priority = 32767, Family = fam, Table = RouteTables.Default, Source = src });
        }
        // what the collector reads: ip_forward, six keys per conf dir (all, default, each device), IPv6 forwarding
        var s = Ns.Sysctls;
        string fwd = ipForward ? "1" : "0";
        s["net.ipv4.ip_forward"] = fwd;
        foreach (var dir in Ns.Links.Select(l => l.Name).Prepend("default").Prepend("all"))
        {
            foreach (var key in CollectSources.V4Conf)
                s[$"net.ipv4.conf.{dir}.{key}"] = key switch
                {
                    "forwarding" => fwd,
                    "rp_filter" => "2",
                    _ => "0",
                };
            s[$"net.ipv6.conf.{dir}.forwarding"] = "0";
        }
        foreach (var t in Ns.Iptables)
            for (int i = 0; i < t.Rules.Count; i++) t.Rules[i].Source = CollectSources.IptablesRule(3 + t.Chains.Count + i);
        Ns.Nftables = new NftRuleset { Source = CollectSources.Nft };
        foreach (var k in AllSections) Ns.Known.Add(k);
        return Ns;
    }

    public static IptablesTable NewFilterTable() => new()
    {
        Name = "filter",
        Backend = "legacy",
        Source = CollectSources.IptablesTable,
        Chains =
        [
            new IptablesChain { Name = "INPUT", Policy = "ACCEPT", Packets = 0, Bytes = 0 },
            new IptablesChain { Name = "FORWARD", Policy = "ACCEPT", Packets = 0, Bytes = 0 },
            new IptablesChain { Name = "OUTPUT", Policy = "ACCEPT", Packets = 0, Bytes = 0 },
        ],
    };

    /// <summary>The filter table, created on first use.</summary>
    public IptablesTable Filter()
    {
        var t = Ns.Iptables.FirstOrDefault(t => t.Name == "filter");
        if (t is null) Ns.Iptables.Add(t = NewFilterTable());
        return t;
    }

    private static Route KernelRoute(string type, IpPrefix dest, string dev, string scope, System.Net.IPAddress src, uint table) => new()
    {
        Type = type,
        Destination = dest,
        Table = table,
        Source = CollectSources.Routes,
        Device = dev,
        Protocol = "kernel",
        Scope = scope,
        PrefSrc = src,
    };
}
