using System.Net;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>Link state as the kernel changes it: administrative state, carrier of veth pairs, the routes a down link loses.</summary>
internal static class LinkState
{
    public static void SetUp(EditScope s, Link l)
    {
        if (!l.Flags.Contains("UP")) l.Flags.Insert(0, "UP");
        var peer = VethPeer(s, s.Ns, l);
        bool carrier = !l.IsVeth || peer is null || peer.Value.Link.IsUp;
        SetCarrier(l, carrier);
        if (peer is { } p && p.Link.IsUp) SetCarrier(p.Link, true);
        // the kernel adds the connected route of each address (fib_add_ifaddr) when the link comes up
        foreach (var a in l.Addresses) ConnectedRoute.Add(s.Ns, l, a);
    }

    public static void SetDown(EditScope s, Link l)
    {
        l.Flags.Remove("UP");
        SetCarrier(l, false);
        l.OperState = "DOWN";
        if (VethPeer(s, s.Ns, l) is { } p) SetCarrier(p.Link, false);
        // fib_disable_ip: every route through the device goes; connected and local ones come back on up
        s.Ns.Routes.RemoveAll(r => r.Device == l.Name || (r.NextHops.Count > 0 && r.NextHops.All(h => h.Device == l.Name)));
    }

    private static void SetCarrier(Link l, bool on)
    {
        l.Flags.Remove("LOWER_UP");
        l.Flags.Remove("NO-CARRIER");
        if (!l.IsUp) { l.OperState = "DOWN"; return; }
        if (on) { l.Flags.Add("LOWER_UP"); if (l.OperState is not "UNKNOWN") l.OperState = "UP"; }
        else { l.Flags.Add("NO-CARRIER"); l.OperState = "LOWERLAYERDOWN"; }
        PortState(l);
    }

    /// <summary>The STP state of a Linux bridge port follows its link: br_port_carrier_check disables a port that is down
    /// or has no carrier (its veth peer down) and enables it again when both are back (with STP off the enabled port
    /// forwards at once; with STP on it goes through listening/learning to forwarding — the state it ends in, unless STP
    /// blocks it, which the model does not decide). A state the input shows on a port whose link does not change is kept.</summary>
    public static void PortState(Link l)
    {
        if (l.BridgePort is not { } bp || l.SlaveKind is not (null or LinkKinds.Bridge)) return;
        bool enabled = l.IsUp && l.HasCarrier;
        if (!enabled) bp.State = "disabled";
        else if (bp.State is null or "disabled") bp.State = "forwarding";
    }

    /// <summary>The other end of a veth pair: on the same host (<see cref="VethPeer(Host, NetNamespace, Link)"/>), or in a
    /// namespace of another host that the link-netns name names and whose device points back (as the linker pairs them),
    /// from that host's copy.</summary>
    public static (NetNamespace Ns, Link Link)? VethPeer(EditScope s, NetNamespace ns, Link l)
    {
        if (VethPeer(s.Host, ns, l) is { } here) return here;
        if (!l.IsVeth || l.LinkIndex is not { } idx || s.Copy is null) return null;
        var names = new[] { l.LinkNetnsName, l.LinkNamespace }.OfType<string>().ToList();
        if (names.Count == 0) return null;
        foreach (var h in s.Copy.Originals)
        {
            if (h.Name == s.Host.Name) continue;
            var other = h.Namespaces.FirstOrDefault(n => n.Name is not null && names.Contains(n.Name) && n.Links.Count > 0);
            if (other?.FindLink(idx) is not { IsVeth: true } p || p.LinkIndex != l.Index) continue;
            if (p.LinkNetnsName != ns.Name && p.LinkNamespace != ns.Name) continue;
            var copy = s.Copy.Host(h.Name);
            var cns = copy.Namespaces.First(n => n.Name == other.Name);
            return (cns, cns.FindLink(idx)!);
        }
        return null;
    }

    /// <summary>The other end of a veth pair in the snapshot: the peer index in the namespace the link names (or its own).</summary>
    public static (NetNamespace Ns, Link Link)? VethPeer(Host host, NetNamespace ns, Link l)
    {
        if (!l.IsVeth || l.LinkIndex is not { } idx) return null;
        var peerNs = l.LinkNamespace is { } id ? host.FindNamespace(id)
            : l.LinkNetnsName is { } nm ? host.Namespaces.FirstOrDefault(n => n.Name == nm) ?? host.FindNamespace(nm)
            : l.LinkNetnsId is null ? ns : null;
        if (peerNs?.FindLink(idx) is { } p) return (peerNs, p);
        // a peer namespace named that the input does not have (the peer moved to a namespace not collected): no guess
        if (peerNs is null && (l.LinkNamespace is not null || l.LinkNetnsName is not null)) return null;
        // the pair seen from the other side: a veth pointing back at this one (at this namespace: an index pair alone
        // matches unrelated veths, ens3@if2 and eth0@if2 in two namespaces)
        foreach (var n in host.Namespaces)
            if (n.FindLink(idx) is { IsVeth: true } c && c.LinkIndex == l.Index && c != l && PointsAt(host, n, c, ns)) return (n, c);
        return null;
    }

    private static bool PointsAt(Host host, NetNamespace at, Link c, NetNamespace ns)
    {
        if (c.LinkNamespace is { } id) return host.FindNamespace(id) == ns;
        if (c.LinkNetnsName is { } name) return ns.Name == name;
        return c.LinkNetnsId is null ? at == ns : true;
    }

    public static int NextIndex(NetNamespace ns)
    {
        int max = 0;
        foreach (var l in ns.Links) max = Math.Max(max, l.Index);
        return max + 1;
    }

    /// <summary>Deletes a device and what lives on it: addresses, routes, neighbours, FDB entries, tc; a veth takes its peer along.</summary>
    public static void Delete(EditScope s, NetNamespace ns, Link l, bool withPeer = true)
    {
        if (withPeer && VethPeer(s, ns, l) is { } p) Delete(s, p.Ns, p.Link, withPeer: false);
        ns.Links.Remove(l);
        ns.Routes.RemoveAll(r => r.Device == l.Name || (r.NextHops.Count > 0 && r.NextHops.All(h => h.Device == l.Name)));
        ns.Neighbors.RemoveAll(n => n.Device == l.Name);
        ns.Fdb.RemoveAll(f => f.Device == l.Name);
        ns.Qdiscs.RemoveAll(q => q.Device == l.Name);
        ns.Filters.RemoveAll(f => f.Device == l.Name);
        foreach (var other in ns.Links) if (other.Master == l.Name) { other.Master = null; other.SlaveKind = null; }
        if (ns.Ovs is { } ovs) RemoveOvsPort(ovs, l.Name);
    }

    public static void RemoveOvsPort(OvsState ovs, string name)
    {
        foreach (var b in ovs.Bridges) b.Ports.RemoveAll(p => p.Name == name);
    }
}

/// <summary>The connected route of an interface address, as the kernel adds it for an up device.</summary>
internal static class ConnectedRoute
{
    public static void Add(NetNamespace ns, Link l, IfAddress a)
    {
        if (!l.IsUp || l.IsLoopback) return;
        // the local route, where the input shows the local table (else the FIB derives it from the addresses)
        var host = IpPrefix.Host(a.Address);
        if (ns.Routes.Any(r => r.Table == RouteTables.Local) && !ns.Routes.Any(r => r.Table == RouteTables.Local && r.Destination == host))
            ns.Routes.Add(new Route { Type = RouteTypes.Local, Destination = host, Table = RouteTables.Local, Device = l.Name, Protocol = "kernel", Scope = "host", PrefSrc = a.Address });
        if (a.Prefix.Length >= a.Prefix.MaxLength || a.Flags.Contains("noprefixroute")) return;
        var net = a.Prefix.Network;
        if (ns.Routes.Any(r => r.Table == RouteTables.Main && r.Destination == net && r.Device == l.Name)) return;
        ns.Routes.Add(new Route { Destination = net, Device = l.Name, Protocol = "kernel", Scope = "link", PrefSrc = a.Address });
    }

    public static void Remove(NetNamespace ns, Link l, IfAddress a)
    {
        var net = a.Prefix.Network;
        ns.Routes.RemoveAll(r => r.Device == l.Name && r.Protocol == "kernel" && r.Destination == net && Equals(r.PrefSrc, a.Address));
        ns.Routes.RemoveAll(r => r.Table == RouteTables.Local && r.Device == l.Name && r.Destination == IpPrefix.Host(a.Address));
    }
}

/// <summary>`ip link set DEV …`: state, MAC, MTU, master, namespace, name, VXLAN remote — several at once as ip takes them.</summary>
public sealed class LinkSetEdit : ModelEdit
{
    public required string Device { get; init; }
    public bool? Up { get; init; }
    public MacAddress? Mac { get; init; }
    public int? Mtu { get; init; }
    public string? Master { get; init; }
    public bool NoMaster { get; init; }
    /// <summary>The namespace to move the device to (name or process id).</summary>
    public string? Netns { get; init; }
    public string? NewName { get; init; }
    public bool? Promisc { get; init; }
    /// <summary>`type vxlan remote X` (changelink).</summary>
    public IPAddress? VxlanRemote { get; init; }

    public override string Describe()
    {
        var parts = new List<string>();
        if (Mac is { } m) parts.Add($"MAC {m}");
        if (Mtu is { } mtu) parts.Add($"MTU {mtu}");
        if (Master is { } b) parts.Add($"master {b}");
        if (NoMaster) parts.Add("no master");
        if (Netns is { } n) parts.Add($"into namespace {n}");
        if (NewName is { } nn) parts.Add($"name {nn}");
        if (Promisc is { } p) parts.Add(p ? "promiscuous" : "not promiscuous");
        if (VxlanRemote is { } r) parts.Add($"remote {r}");
        if (Up is { } u) parts.Add(u ? "up" : "down");
        return $"set {Device}: {string.Join(", ", parts)}";
    }

    internal override void Apply(EditScope s)
    {
        var l = s.Device(Device);
        // one request: address, MTU and master change before the device is opened (a device whose driver refuses a
        // live MAC change is not told apart: the model takes the MAC)
        if (Mac is { } mac)
        {
            l.Mac = mac;
        }
        if (Mtu is { } mtu) l.Mtu = mtu;
        if (Promisc is { } p)
        {
            l.Flags.Remove("PROMISC");
            if (p) l.Flags.Add("PROMISC");
            l.Promiscuity = p ? Math.Max(1, l.Promiscuity ?? 0) : 0;
        }
        if (VxlanRemote is { } remote)
        {
            if (l.Vxlan is not { } vx) throw s.Fail($"{Device} is not a VXLAN device");
            // vxlan_changelink: the default (all-zeros) FDB entry to the new remote is appended, the one to the old deleted
            var old = vx.Remote ?? vx.Group;
            if (!remote.Equals(old))
            {
                var zero = s.Ns.Fdb.Where(e => e.Device == l.Name && e.Mac.IsZero).ToList();
                if (!zero.Any(e => remote.Equals(e.Dst)))
                    s.Ns.Fdb.Add(new FdbEntry { Mac = MacAddress.Zero, Device = l.Name, Dst = remote, Flags = ["self", "permanent"] });
                if (old is not null) s.Ns.Fdb.RemoveAll(e => e.Device == l.Name && e.Mac.IsZero && old.Equals(e.Dst));
            }
            vx.Remote = remote;
            vx.Group = null;
        }
        if (NoMaster) { l.Master = null; l.SlaveKind = null; l.BridgePort = null; }
        if (Master is { } br)
        {
            var bridge = s.Device(br);
            if (bridge.Kind is not (LinkKinds.Bridge or LinkKinds.Bond or LinkKinds.Vrf) && bridge.Kind is not null)
                throw s.Fail($"{br} is a {bridge.Kind}, which takes no ports");
            bool moved = l.Master != br;
            l.Master = br;
            l.SlaveKind = bridge.Kind ?? LinkKinds.Bridge;
            // br_add_if: a new port of a Linux bridge starts with learning and flooding on, and its state from its link
            if (moved && l.SlaveKind == LinkKinds.Bridge)
            {
                l.BridgePort = new BridgePortInfo { State = "disabled", Learning = true, Flood = true, Isolated = false };
                LinkState.PortState(l);
            }
            else if (moved) l.BridgePort = null;
        }
        if (Up == false) LinkState.SetDown(s, l);
        if (NewName is { } name)
        {
            if (s.Ns.FindLink(name) is not null) throw s.Fail($"a device named {name} exists already in {s.Where}");
            foreach (var r in s.Ns.Routes) if (r.Device == l.Name) r.Device = name;
            foreach (var n in s.Ns.Neighbors) if (n.Device == l.Name) n.Device = name;
            foreach (var other in s.Ns.Links) if (other.Master == l.Name) other.Master = name;
            l.Name = name;
        }
        if (Netns is { } target)
        {
            var to = s.Namespace(target) ?? throw s.Fail($"no namespace '{target}' on host {s.Host.Name}");
            if (to.FindLink(l.Name) is not null) throw s.Fail($"a device named {l.Name} exists already in namespace {to.DisplayName}");
            var peer = LinkState.VethPeer(s.Host, s.Ns, l);
            // dev_change_net_namespace: the device goes down, loses its addresses and routes, gets a new index if taken
            if (l.IsUp) LinkState.SetDown(s, l);
            foreach (var a in l.Addresses.ToList()) ConnectedRoute.Remove(s.Ns, l, a);
            l.Addresses.Clear();
            s.Ns.Links.Remove(l);
            s.Ns.Neighbors.RemoveAll(n => n.Device == l.Name);
            s.Ns.Filters.RemoveAll(f => f.Device == l.Name);
            s.Ns.Qdiscs.RemoveAll(q => q.Device == l.Name);
            l.Master = null;
            if (to.FindLink(l.Index) is not null) l.Index = LinkState.NextIndex(to);
            to.Links.Add(l);
            if (l.Kind == LinkKinds.Vxlan)
            {
                // a VXLAN device keeps its socket in the namespace it was made in (the x-netns underlay)
                var origin = l.LinkNamespace ?? s.Ns.Id;
                l.LinkNamespace = origin == to.Id ? null : origin;
                l.LinkNetnsId = null; l.LinkNetnsName = null;
            }
            if (peer is { } pr)
            {
                // both ends now name each other's namespace
                l.LinkNamespace = pr.Ns == to ? null : pr.Ns.Id;
                l.LinkNetnsId = null; l.LinkNetnsName = null;
                pr.Link.LinkIndex = l.Index;
                pr.Link.LinkNamespace = pr.Ns == to ? null : to.Id;
                pr.Link.LinkNetnsId = null; pr.Link.LinkNetnsName = null;
                if (pr.Ns == to) l.LinkNamespace = null;
            }
        }
        if (Up == true)
        {
            var ns = Netns is null ? s.Ns : s.Namespace(Netns)!;
            LinkState.SetUp(new EditScope(s.Host, ns, s.Command, s.Copy), l);
        }
    }
}

/// <summary>`ip link add NAME type vxlan|veth|bridge|dummy …`: a new device (down, as the kernel makes it).</summary>
public sealed class LinkAddEdit : ModelEdit
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public MacAddress? Mac { get; init; }
    public int? Mtu { get; init; }
    public VxlanInfo? Vxlan { get; init; }
    /// <summary>veth: the peer's name and the namespace it goes to (null = the same).</summary>
    public string? PeerName { get; init; }
    public string? PeerNetns { get; init; }
    public MacAddress? PeerMac { get; init; }
    public int? PeerMtu { get; init; }

    public override string Describe() => $"add {Kind} device {Name}" + (PeerName is null ? "" : $" with peer {PeerName}") +
        (Vxlan is { } v ? $" (VNI {v.Vni}{(v.Remote is null ? "" : $", remote {v.Remote}")}, port {v.DstPort})" : "");

    internal override void Apply(EditScope s)
    {
        if (s.Ns.FindLink(Name) is not null) throw s.Fail($"a device named {Name} exists already in {s.Where} (RTNETLINK answers: File exists)");
        var l = New(s.Ns, Name, Mac, Mtu);
        l.Vxlan = Vxlan is null ? null : Copy(Vxlan);
        if (Kind == LinkKinds.Bridge) { l.Bridge = new BridgeInfo(); }
        if (Vxlan?.UnderlayDevice is { } dev)
        {
            var under = s.Device(dev);
            l.Vxlan!.UnderlayIndex = under.Index;
        }
        if (Kind == LinkKinds.Veth)
        {
            var peerNs = PeerNetns is null ? s.Ns : s.Namespace(PeerNetns) ?? throw s.Fail($"no namespace '{PeerNetns}' on host {s.Host.Name}");
            var name = PeerName ?? "veth" + LinkState.NextIndex(peerNs);
            if (peerNs.FindLink(name) is not null || (peerNs == s.Ns && name == Name)) throw s.Fail($"a device named {name} exists already in namespace {peerNs.DisplayName}");
            s.Ns.Links.Add(l);
            var p = New(peerNs, name, PeerMac, PeerMtu ?? Mtu);
            p.Kind = LinkKinds.Veth;
            peerNs.Links.Add(p);
            l.LinkIndex = p.Index; p.LinkIndex = l.Index;
            if (peerNs != s.Ns) { l.LinkNamespace = peerNs.Id; p.LinkNamespace = s.Ns.Id; }
        }
        else s.Ns.Links.Add(l);
        l.Kind = Kind;
    }

    private static Link New(NetNamespace ns, string name, MacAddress? mac, int? mtu) => new()
    {
        Index = LinkState.NextIndex(ns), Name = name, DetailsKnown = true, LinkType = "ether",
        Mac = mac ?? Invented(ns, name), Mtu = mtu ?? 1500, OperState = "DOWN", Flags = ["BROADCAST", "MULTICAST"],
    };

    /// <summary>The kernel gives a new device a random MAC; the model gives a stable locally administered one from its name.</summary>
    private static MacAddress Invented(NetNamespace ns, string name)
    {
        ulong h = 1469598103934665603UL;
        foreach (var c in ns.Id + "/" + name) h = (h ^ c) * 1099511628211UL;
        return new MacAddress((h & 0x0000_FEFF_FFFF_FFFFUL) | 0x0000_0200_0000_0000UL);
    }

    private static VxlanInfo Copy(VxlanInfo v) => new()
    {
        Vni = v.Vni, Remote = v.Remote, Group = v.Group, Local = v.Local, DstPort = v.DstPort, Learning = v.Learning,
        Ttl = v.Ttl, UnderlayDevice = v.UnderlayDevice, External = v.External, Proxy = v.Proxy, Df = v.Df,
    };
}

/// <summary>`ip link del DEV`: the device and what lives on it (a veth takes its peer).</summary>
public sealed class LinkDeleteEdit : ModelEdit
{
    public required string Device { get; init; }
    public override string Describe() => $"delete device {Device}";
    internal override void Apply(EditScope s) => LinkState.Delete(s, s.Ns, s.Device(Device));
}

/// <summary>`ip addr add|del|replace PREFIX dev DEV`.</summary>
public sealed class AddressEdit : ModelEdit
{
    public required string Op { get; init; }
    public required IpPrefix Prefix { get; init; }
    public required string Device { get; init; }
    public string? Scope { get; init; }
    public bool NoPrefixRoute { get; init; }

    public override string Describe() => $"{(Op == "delete" ? "remove" : "add")} address {Prefix} {(Op == "delete" ? "from" : "on")} {Device}";

    internal override void Apply(EditScope s)
    {
        var l = s.Device(Device);
        var existing = l.Addresses.FirstOrDefault(a => a.Address.Equals(Prefix.Address) && (Op != "delete" || a.Prefix.Length == Prefix.Length || Prefix.Length == Prefix.MaxLength));
        if (Op == "delete")
        {
            if (existing is null) throw s.Fail($"{Device} has no address {Prefix} (RTNETLINK answers: Cannot assign requested address)");
            l.Addresses.Remove(existing);
            ConnectedRoute.Remove(s.Ns, l, existing);
            return;
        }
        if (existing is not null)
        {
            if (Op == "add") throw s.Fail($"{Device} has {existing.Prefix} already (RTNETLINK answers: File exists)");
            l.Addresses.Remove(existing);
            ConnectedRoute.Remove(s.Ns, l, existing);
        }
        var a = new IfAddress { Prefix = Prefix, Scope = Scope ?? "global", Flags = NoPrefixRoute ? ["noprefixroute"] : [] };
        l.Addresses.Add(a);
        ConnectedRoute.Add(s.Ns, l, a);
    }
}
