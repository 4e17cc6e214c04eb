using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Tests.Support;

/// <summary>
/// Builds snapshot models in code for unit tests of linking, tracing and checks. The shapes mirror
/// what the live collector reports for the same lab (kernel-differential lab tests check the rest).
/// </summary>
internal sealed class HostBuilder
{
    public Host Host { get; }
    private int _nextIndex = 1;

    public HostBuilder(string name)
    {
        Host = new Host { Name = name, Meta = new HostMeta { Origin = "test" } };
        Ns("root", root: true);
    }

    public NetNamespace Root => Host.Root!;

    public NetNamespace Ns(string id, bool root = false)
    {
        var ns = Host.FindNamespace(id);
        if (ns is not null) return ns;
        ns = new NetNamespace { Id = id, Name = root ? null : id, IsRoot = root };
        foreach (var s in new[] { Sections.Links, Sections.LinkDetails, Sections.Addresses, Sections.Routes4, Sections.Routes6,
                     Sections.AllTables, Sections.Rules4, Sections.Rules6, Sections.Neighbors, Sections.Fdb, Sections.Tc,
                     Sections.Iptables, Sections.Nftables, Sections.Sysctls, Sections.NetnsIds })
            ns.Known.Add(s);
        ns.Links.Add(new Link { Index = 1, Name = "lo", LinkType = "loopback", DetailsKnown = true, Mtu = 65536,
            Flags = ["LOOPBACK", "UP", "LOWER_UP"], OperState = "UNKNOWN", Mac = MacAddress.Zero,
            Addresses = [new IfAddress { Prefix = IpPrefix.Parse("127.0.0.1/8"), Scope = "host" }] });
        ns.Routes.Add(new Route { Type = RouteTypes.Local, Destination = IpPrefix.Parse("127.0.0.0/8"), Table = RouteTables.Local, Device = "lo", Scope = "host" });
        ns.Rules.Add(new Rule { Priority = 0, Table = RouteTables.Local });
        ns.Rules.Add(new Rule { Priority = 32766, Table = RouteTables.Main });
        ns.Rules.Add(new Rule { Priority = 32767, Table = RouteTables.Default });
        ns.Sysctls["net.ipv4.ip_forward"] = "0";
        ns.Sysctls["net.ipv4.conf.all.rp_filter"] = "0";
        ns.Sysctls["net.ipv4.conf.default.rp_filter"] = "0";
        Host.Namespaces.Add(ns);
        return ns;
    }

    private int NextIndex(NetNamespace ns) => Math.Max(_nextIndex++, ns.Links.Max(l => l.Index) + 1);

    public Link Dev(NetNamespace ns, string name, string? kind, string mac, int mtu = 1500, bool up = true, int? index = null)
    {
        var link = new Link
        {
            Index = index ?? NextIndex(ns), Name = name, Kind = kind, DetailsKnown = true, LinkType = "ether",
            Mac = MacAddress.Parse(mac), Mtu = mtu, OperState = up ? "UP" : "DOWN",
            Flags = up ? ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"] : ["BROADCAST", "MULTICAST"],
        };
        ns.Links.Add(link);
        return link;
    }

    /// <summary>Adds an address and the connected + local routes the kernel makes for it.</summary>
    public void Addr(NetNamespace ns, Link link, string cidr)
    {
        var p = IpPrefix.Parse(cidr);
        link.Addresses.Add(new IfAddress { Prefix = p, Scope = "global" });
        ns.Routes.Add(new Route { Type = RouteTypes.Local, Destination = IpPrefix.Host(p.Address), Table = RouteTables.Local, Device = link.Name, Scope = "host", PrefSrc = p.Address, Protocol = "kernel" });
        if (p.Length < p.MaxLength)
            ns.Routes.Add(new Route { Destination = p.Network, Device = link.Name, Scope = "link", PrefSrc = p.Address, Protocol = "kernel", Flags = link.IsUp ? [] : ["linkdown"] });
    }

    public Route Route(NetNamespace ns, string dest, string? via, string dev, uint table = RouteTables.Main)
    {
        var r = new Route { Destination = IpPrefix.Parse(dest), Gateway = via is null ? null : IPAddress.Parse(via), Device = dev, Table = table };
        ns.Routes.Add(r);
        return r;
    }

    public void Neigh(NetNamespace ns, string ip, string dev, string? mac, string state = "PERMANENT") =>
        ns.Neighbors.Add(new Neighbor { Address = IPAddress.Parse(ip), Device = dev, Mac = mac is null ? null : MacAddress.Parse(mac), State = [state] });

    /// <summary>A veth pair between two namespaces of this host, with netnsids as the kernel reports them.</summary>
    public (Link A, Link B) Veth(NetNamespace a, string nameA, string macA, NetNamespace b, string nameB, string macB)
    {
        var la = Dev(a, nameA, LinkKinds.Veth, macA);
        var lb = Dev(b, nameB, LinkKinds.Veth, macB);
        la.LinkIndex = lb.Index;
        lb.LinkIndex = la.Index;
        if (a != b)
        {
            la.LinkNetnsId = NetnsId(a, b);
            lb.LinkNetnsId = NetnsId(b, a);
            la.LinkNamespace = b.Id;
            lb.LinkNamespace = a.Id;
        }
        return (la, lb);
    }

    public int NetnsId(NetNamespace from, NetNamespace to)
    {
        var e = from.NetnsIds.FirstOrDefault(x => x.Namespace == to.Id);
        if (e is not null) return e.Id;
        var id = from.NetnsIds.Count;
        from.NetnsIds.Add(new NetnsIdEntry(id, to.Id));
        return id;
    }

    public void Master(Link port, Link master)
    {
        port.Master = master.Name;
        port.SlaveKind = master.Kind;
    }

    /// <summary>A VXLAN device created in <paramref name="underlay"/> and living in <paramref name="ns"/>.</summary>
    public Link Vxlan(NetNamespace ns, string name, string mac, uint vni, string remote, int port, NetNamespace underlay, int mtu = 1450)
    {
        var l = Dev(ns, name, LinkKinds.Vxlan, mac, mtu);
        l.Vxlan = new VxlanInfo { Vni = vni, Remote = IPAddress.Parse(remote), DstPort = port, Learning = false };
        if (underlay != ns)
        {
            l.LinkNetnsId = NetnsId(ns, underlay);
            l.LinkNamespace = underlay.Id;
        }
        return l;
    }

    public void Redirect(NetNamespace ns, string from, string to, string direction = "ingress")
    {
        ns.Qdiscs.Add(new TcQdisc { Device = from, Kind = "ingress", Handle = "ffff:", Parent = "ffff:fff1" });
        ns.Filters.Add(new TcFilter
        {
            Device = from, Direction = direction, Parent = "ffff:", Kind = "u32", Protocol = "all", Pref = 49152, MatchesAll = true,
            Match = "match 00000000/00000000 at 0",
            Actions = [new TcAction { Kind = "mirred", MirredDirection = "egress", MirredAction = "redirect", TargetDevice = to, Control = "stolen" }],
        });
    }
}

/// <summary>The mission story's two machines, as lab-recipe.md builds them.</summary>
internal static class PeerPodsModel
{
    public const string PodMac = "0a:58:0a:84:02:2e";
    public const string OtherMac = "7e:e5:f7:e6:f5:1a";

    /// <param name="macMismatch">true: vxlan0 keeps a MAC of its own (the mission's fault)</param>
    public static Snapshot Build(bool macMismatch = true, bool redirectBack = true, uint farVni = 555005, int farPort = 4789)
    {
        var wk = new HostBuilder("worker");
        var wroot = wk.Root;
        var wkpod = wk.Ns("wkpod");
        var ens3 = wk.Dev(wroot, "ens3", null, "52:54:00:00:01:63");
        wk.Addr(wroot, ens3, "198.51.100.163/24");
        var brint = wk.Dev(wroot, "br-int", LinkKinds.Bridge, "52:54:00:00:0b:01");
        var (mp0, mp0br) = wk.Veth(wroot, "ovn-k8s-mp0", "52:54:00:00:0a:02", wroot, "mp0-br", "52:54:00:00:0a:03");
        wk.Master(mp0br, brint);
        wk.Addr(wroot, mp0, "198.18.2.2/23");
        var (hostSide, eth0) = wk.Veth(wroot, "8b7266486ea2861", "52:54:00:00:0c:01", wkpod, "eth0", PodMac);
        hostSide.Mtu = eth0.Mtu = 1400; // the pod's MTU, as OVN-Kubernetes and the lab set it: what the tunnel carries
        wk.Master(hostSide, brint);
        wk.Addr(wkpod, eth0, "198.18.2.46/23");
        wk.Vxlan(wkpod, "vxlan1", "4a:00:00:00:00:01", 555005, "198.51.100.201", 4789, wroot);
        wk.Redirect(wkpod, "eth0", "vxlan1");
        if (redirectBack) wk.Redirect(wkpod, "vxlan1", "eth0");
        wk.Neigh(wroot, "198.18.2.46", "ovn-k8s-mp0", PodMac);

        var vmh = new HostBuilder("podvm");
        var vroot = vmh.Root;
        var vmpod = vmh.Ns("podns");
        var ens2 = vmh.Dev(vroot, "ens2", null, "52:54:00:00:02:01");
        vmh.Addr(vroot, ens2, "198.51.100.201/24");
        var vx0 = vmh.Vxlan(vmpod, "vxlan0", macMismatch ? OtherMac : PodMac, farVni, "198.51.100.163", farPort, vroot, mtu: 1400);
        vmh.Addr(vmpod, vx0, "198.18.2.46/23");
        vmh.Route(vmpod, "default", "198.18.2.1", "vxlan0");
        return new Snapshot { Hosts = [wk.Host, vmh.Host] };
    }
}
