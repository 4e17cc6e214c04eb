using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>iproute2 commands (ip, bridge, tc) as normalised by the importer's <see cref="Import.CommandLine"/> into edits.</summary>
internal static class IpCommands
{
    public static List<ModelEdit>? Read(IReadOnlyList<string> argv, WhatIfCommand cmd)
    {
        var tool = Path.GetFileName(argv[0]);
        if (tool is not ("ip" or "bridge" or "tc")) return null;
        int i = 1;
        bool v6 = false;
        for (; i < argv.Count && argv[i].StartsWith('-'); i++)
        {
            if (argv[i] == "-6") v6 = true;
            else if (argv[i] is "-batch" or "-force") throw new NotModelledException($"`{tool} {argv[i]}` reads commands from a file the model does not see");
        }
        if (i + 1 >= argv.Count) throw new SyntaxError($"`{string.Join(' ', argv)}`: no object and verb");
        var obj = argv[i];
        var verb = argv[i + 1];
        var rest = argv.Skip(i + 2).ToList();
        if (verb is "show" or "get" or "help" or "list-id" or "save") return []; // reads nothing into the model
        return (tool, obj) switch
        {
            ("ip", "link") => Link(verb, rest),
            ("ip", "address") => Address(verb, rest, v6),
            ("ip", "route") => [Route(verb, rest, v6)],
            ("ip", "rule") => [Rule(verb, rest, v6)],
            ("ip", "neighbor") => [Neigh(verb, rest, v6)],
            ("bridge", "fdb") => [Fdb(verb, rest)],
            ("tc", "qdisc") => [Qdisc(verb, rest)],
            ("tc", "filter") => [Filter(verb, rest)],
            _ => throw new NotModelledException($"`{tool} {obj} {verb}` is not modelled"),
        };
    }

    private static string Op(string verb, string what) => verb switch
    {
        "add" or "append" or "prepend" or "replace" or "change" or "delete" or "flush" => verb,
        "chg" => "change",
        _ => throw new NotModelledException($"`{what} {verb}` is not modelled"),
    };

    private static List<ModelEdit> Link(string verb, List<string> w)
    {
        switch (verb)
        {
            case "set" or "change" or "chg": return [LinkSet(w)];
            case "delete":
            {
                string? dev = null;
                for (int i = 0; i < w.Count; i++)
                {
                    if (w[i] == "dev") dev = Words.Next(w, ref i, "a device");
                    else if (w[i] == "type") { i++; }
                    else if (dev is null) dev = w[i];
                    else throw new NotModelledException($"`ip link del` with '{w[i]}' is not modelled");
                }
                return [new LinkDeleteEdit { Device = dev ?? throw new SyntaxError("`ip link del` needs a device") }];
            }
            case "add": return [LinkAdd(w)];
            default: throw new NotModelledException($"`ip link {verb}` is not modelled");
        }
    }

    private static LinkSetEdit LinkSet(List<string> w)
    {
        string? dev = null, master = null, netns = null, name = null;
        bool? up = null, promisc = null;
        bool nomaster = false;
        MacAddress? mac = null;
        int? mtu = null;
        System.Net.IPAddress? remote = null;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "up": up = true; break;
                case "down": up = false; break;
                case "address": mac = Words.Mac(Words.Next(w, ref i, "a MAC address")); break;
                case "mtu": mtu = Words.Int(w, ref i, "an MTU"); break;
                case "master": master = Words.Next(w, ref i, "a bridge"); break;
                case "nomaster": nomaster = true; break;
                case "netns": netns = Words.Next(w, ref i, "a namespace"); break;
                case "name": name = Words.Next(w, ref i, "a name"); break;
                case "promisc":
                    promisc = Words.Next(w, ref i, "on or off") switch { "on" => true, "off" => false, var x => throw new SyntaxError($"promisc wants on or off, not '{x}'") };
                    break;
                case "type":
                    if (Words.Next(w, ref i, "a kind") != "vxlan") throw new NotModelledException($"`ip link set … type {w[i]}` is not modelled");
                    for (i++; i < w.Count; i++)
                    {
                        if (w[i] == "remote") remote = Words.Ip(Words.Next(w, ref i, "an address"));
                        else throw new NotModelledException($"`ip link set … type vxlan {w[i]}` is not modelled (the kernel changes few VXLAN attributes in place)");
                    }
                    break;
                default:
                    if (dev is null && !IsKeyword(w[i])) { dev = w[i]; break; }
                    throw new NotModelledException($"`ip link set … {w[i]}` is not modelled");
            }
        }
        return new LinkSetEdit
        {
            Device = dev ?? throw new SyntaxError("`ip link set` needs a device"), Up = up, Mac = mac, Mtu = mtu, Master = master,
            NoMaster = nomaster, Netns = netns, NewName = name, Promisc = promisc, VxlanRemote = remote,
        };
    }

    private static bool IsKeyword(string w) => w is "up" or "down" or "address" or "mtu" or "master" or "nomaster" or "netns" or "name" or "type" or "arp" or "multicast" or "txqueuelen" or "alias" or "vf" or "xdp" or "group";

    private static LinkAddEdit LinkAdd(List<string> w)
    {
        string? name = null, kind = null, peer = null, peerNs = null;
        MacAddress? mac = null, peerMac = null;
        int? mtu = null, peerMtu = null;
        VxlanInfo? vx = null;
        int i = 0;
        for (; i < w.Count && kind is null; i++)
        {
            switch (w[i])
            {
                case "name" or "dev": name = Words.Next(w, ref i, "a name"); break;
                case "address": mac = Words.Mac(Words.Next(w, ref i, "a MAC address")); break;
                case "mtu": mtu = Words.Int(w, ref i, "an MTU"); break;
                case "type": kind = Words.Next(w, ref i, "a kind"); break;
                case "link": throw new NotModelledException("`ip link add link DEV` (a device on a parent) is not modelled");
                case "netns": throw new NotModelledException("`ip link add … netns NS` is not modelled: add it, then `ip link set DEV netns NS`");
                default:
                    if (name is null) { name = w[i]; break; }
                    throw new NotModelledException($"`ip link add … {w[i]}` is not modelled");
            }
        }
        if (name is null) throw new SyntaxError("`ip link add` needs a name");
        switch (kind)
        {
            case null: throw new SyntaxError("`ip link add` needs `type KIND`");
            case LinkKinds.Bridge or LinkKinds.Dummy:
                if (i < w.Count) throw new NotModelledException($"`ip link add … type {kind} {w[i]}` is not modelled");
                break;
            case LinkKinds.Veth:
                if (i < w.Count)
                {
                    if (w[i] != "peer") throw new NotModelledException($"`type veth {w[i]}` is not modelled");
                    for (i++; i < w.Count; i++)
                    {
                        switch (w[i])
                        {
                            case "name": peer = Words.Next(w, ref i, "a name"); break;
                            case "address": peerMac = Words.Mac(Words.Next(w, ref i, "a MAC address")); break;
                            case "mtu": peerMtu = Words.Int(w, ref i, "an MTU"); break;
                            case "netns": peerNs = Words.Next(w, ref i, "a namespace"); break;
                            default:
                                if (peer is null) { peer = w[i]; break; }
                                throw new NotModelledException($"`type veth peer … {w[i]}` is not modelled");
                        }
                    }
                }
                break;
            case LinkKinds.Vxlan:
                vx = new VxlanInfo { Learning = true };
                for (; i < w.Count; i++)
                {
                    switch (w[i])
                    {
                        case "id" or "vni": vx.Vni = Words.UInt(w, ref i, "a VNI"); break;
                        case "remote": vx.Remote = Words.Ip(Words.Next(w, ref i, "an address")); break;
                        case "group": vx.Group = Words.Ip(Words.Next(w, ref i, "an address")); break;
                        case "local": vx.Local = Words.Ip(Words.Next(w, ref i, "an address")); break;
                        case "dev": vx.UnderlayDevice = Words.Next(w, ref i, "a device"); break;
                        case "dstport": vx.DstPort = Words.Int(w, ref i, "a port"); break;
                        case "ttl": { var t = Words.Next(w, ref i, "a TTL"); vx.Ttl = t is "auto" or "inherit" ? 0 : int.Parse(t, CultureInfo.InvariantCulture); break; }
                        case "nolearning": vx.Learning = false; break;
                        case "learning": vx.Learning = true; break;
                        case "proxy": vx.Proxy = true; break;
                        case "external": vx.External = true; break;
                        case "df": vx.Df = Words.Next(w, ref i, "set, unset or inherit"); break;
                        case "port": Words.Int(w, ref i, "a port"); Words.Int(w, ref i, "a port"); break;
                        case "nol2miss" or "nol3miss" or "noudpcsum" or "udpcsum" or "l2miss" or "l3miss" or "noproxy" or "norsc" or "rsc": break;
                        default: throw new NotModelledException($"`type vxlan … {w[i]}` is not modelled");
                    }
                }
                if (vx.Vni is null && vx.External != true) throw new SyntaxError("`type vxlan` needs `id VNI`");
                vx.DstPort ??= 8472; // the kernel's default when no dstport is given (iproute2 warns about it)
                break;
            default: throw new NotModelledException($"`ip link add … type {kind}` is not modelled");
        }
        return new LinkAddEdit { Name = name, Kind = kind, Mac = mac, Mtu = mtu, Vxlan = vx, PeerName = peer, PeerNetns = peerNs, PeerMac = peerMac, PeerMtu = peerMtu };
    }

    private static List<ModelEdit> Address(string verb, List<string> w, bool v6)
    {
        var op = Op(verb, "ip address");
        if (op is "flush" or "append" or "prepend") throw new NotModelledException($"`ip address {verb}` is not modelled");
        IpPrefix? prefix = null;
        string? dev = null, scope = null;
        bool noprefix = false;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "scope": scope = Words.Next(w, ref i, "a scope"); break;
                case "noprefixroute": noprefix = true; break;
                case "local": prefix = Words.Prefix(Words.Next(w, ref i, "an address"), v6); break;
                case "broadcast" or "brd" or "label": Words.Next(w, ref i, "a value"); break;
                case "valid_lft" or "preferred_lft": Words.Next(w, ref i, "a lifetime"); break;
                case "nodad" or "home" or "optimistic": break;
                case "peer": throw new NotModelledException("a point-to-point address (`peer`) is not modelled");
                default:
                    if (prefix is null) { prefix = Words.Prefix(w[i], v6); break; }
                    throw new NotModelledException($"`ip address … {w[i]}` is not modelled");
            }
        }
        return [new AddressEdit
        {
            Op = op == "change" ? "replace" : op, Prefix = prefix ?? throw new SyntaxError("`ip address` needs an address"),
            Device = dev ?? throw new SyntaxError("`ip address` needs `dev DEVICE`"), Scope = scope, NoPrefixRoute = noprefix,
        }];
    }

    private static readonly HashSet<string> RouteTypeWords = [RouteTypes.Unicast, RouteTypes.Local, RouteTypes.Broadcast, RouteTypes.Blackhole,
        RouteTypes.Unreachable, RouteTypes.Prohibit, RouteTypes.Throw, RouteTypes.Multicast, RouteTypes.Anycast];

    private static RouteEdit Route(string verb, List<string> w, bool v6)
    {
        var op = Op(verb, "ip route");
        if (op == "flush") throw new NotModelledException("`ip route flush` is not modelled");
        IpPrefix? dst = null;
        var r = new Route { Destination = IpPrefix.DefaultV4 };
        bool typeGiven = false;
        for (int i = 0; i < w.Count; i++)
        {
            var x = w[i];
            switch (x)
            {
                case "to": dst = Words.Prefix(Words.Next(w, ref i, "a prefix"), v6); break;
                case "via":
                {
                    var g = Words.Next(w, ref i, "a gateway");
                    if (g is "inet" or "inet6") g = Words.Next(w, ref i, "a gateway");
                    r.Gateway = Words.Ip(g);
                    break;
                }
                case "dev" or "oif": r.Device = Words.Next(w, ref i, "a device"); break;
                case "table":
                {
                    var t = Words.Next(w, ref i, "a table");
                    r.Table = RouteTables.Parse(t) ?? throw new SyntaxError($"unknown table '{t}' (a number, main, local or default)");
                    break;
                }
                case "proto" or "protocol": r.Protocol = Words.Next(w, ref i, "a protocol"); break;
                case "scope": r.Scope = Words.Next(w, ref i, "a scope"); break;
                case "src": r.PrefSrc = Words.Ip(Words.Next(w, ref i, "an address")); break;
                case "metric" or "preference" or "priority": r.Metric = Words.UInt(w, ref i, "a number"); break;
                case "mtu":
                {
                    if (i + 1 < w.Count && w[i + 1] == "lock") i++;
                    r.Mtu = Words.Int(w, ref i, "an MTU");
                    break;
                }
                case "tos" or "dsfield": r.Tos = Words.Int(w, ref i, "a TOS"); break;
                case "onlink": r.Flags.Add("onlink"); break;
                case "nexthop":
                {
                    var h = new NextHop();
                    for (i++; i < w.Count && w[i] != "nexthop"; i++)
                    {
                        if (w[i] == "via") h.Gateway = Words.Ip(Words.Next(w, ref i, "a gateway"));
                        else if (w[i] == "dev") h.Device = Words.Next(w, ref i, "a device");
                        else if (w[i] == "weight") h.Weight = Words.Int(w, ref i, "a weight");
                        else if (w[i] == "onlink") h.Flags.Add("onlink");
                        else throw new NotModelledException($"`nexthop … {w[i]}` is not modelled");
                    }
                    i--;
                    r.NextHops.Add(h);
                    break;
                }
                default:
                    if (RouteTypeWords.Contains(x) && dst is null && !typeGiven) { r.Type = x; typeGiven = true; break; }
                    if (dst is null && IpPrefix.TryParse(x, out var p, v6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork))
                    { dst = p; break; }
                    if (dst is null) throw new SyntaxError($"not an IP prefix: '{x}'");
                    throw new NotModelledException($"`ip route … {x}` is not modelled");
            }
        }
        if (dst is not { } d) throw new SyntaxError("`ip route` needs a destination");
        if (d.Address.Equals(d.Network.Address) == false) throw new SyntaxError($"{d}: invalid prefix for the given prefix length (the host bits are set)");
        r.Destination = d.Network;
        if (r.Type == RouteTypes.Local && r.Table == RouteTables.Main && !w.Contains("table")) r.Table = RouteTables.Local;
        if (op != "delete" && r.Type == RouteTypes.Unicast && r.Gateway is null && r.Device is null && r.NextHops.Count == 0)
            throw new SyntaxError("a unicast route needs `via GATEWAY` or `dev DEVICE`");
        if (op != "delete" && r.Scope is null && r.Gateway is null && r.NextHops.Count == 0 && r.Type == RouteTypes.Unicast) r.Scope = "link";
        if (op != "delete" && r.Protocol is null) r.Protocol = "boot";
        return new RouteEdit { Op = op, Route = r, TypeGiven = typeGiven };
    }

    private static RuleEdit Rule(string verb, List<string> w, bool v6)
    {
        var op = Op(verb, "ip rule");
        if (op is not ("add" or "delete")) throw new NotModelledException($"`ip rule {verb}` is not modelled");
        var r = new Rule { Priority = 0, Family = v6 ? "inet6" : "inet" };
        bool prio = false;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "not": r.Not = true; break;
                case "from": { var s = Words.Next(w, ref i, "a prefix"); r.From = s == "all" ? null : Words.Prefix(s, v6); break; }
                case "to": { var s = Words.Next(w, ref i, "a prefix"); r.To = s == "all" ? null : Words.Prefix(s, v6); break; }
                case "iif" or "dev": r.Iif = Words.Next(w, ref i, "a device"); break;
                case "oif": r.Oif = Words.Next(w, ref i, "a device"); break;
                case "fwmark":
                {
                    var s = Words.Next(w, ref i, "a mark");
                    int slash = s.IndexOf('/');
                    r.Fwmark = Mark(slash < 0 ? s : s[..slash]);
                    if (slash >= 0) r.FwmarkMask = Mark(s[(slash + 1)..]);
                    break;
                }
                case "pref" or "priority" or "order": r.Priority = Words.UInt(w, ref i, "a number"); prio = true; break;
                case "lookup" or "table":
                {
                    var t = Words.Next(w, ref i, "a table");
                    r.Table = RouteTables.Parse(t) ?? throw new SyntaxError($"unknown table '{t}'");
                    break;
                }
                case "goto": r.Action = "goto"; r.GotoTarget = Words.UInt(w, ref i, "a rule preference"); break;
                case "blackhole" or "unreachable" or "prohibit" or "nop": r.Action = w[i]; break;
                case "suppress_prefixlength": r.SuppressPrefixLength = Words.Int(w, ref i, "a length"); break;
                case "tos" or "dsfield": r.Tos = Words.Int(w, ref i, "a TOS"); break;
                case "l3mdev": r.L3mdev = true; break;
                default: throw new NotModelledException($"`ip rule … {w[i]}` is not modelled");
            }
        }
        if (op == "add" && r.Action == "to_tbl" && r.Table is null) throw new SyntaxError("`ip rule add` needs `lookup TABLE` or an action");
        return new RuleEdit { Op = op, Rule = r, PriorityGiven = prio };
    }

    private static uint Mark(string s) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h) ? h
        : uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new SyntaxError($"not a mark: '{s}'");

    private static NeighborEdit Neigh(string verb, List<string> w, bool v6)
    {
        var op = Op(verb, "ip neigh");
        if (op is "append" or "prepend") throw new NotModelledException($"`ip neigh {verb}` is not modelled");
        System.Net.IPAddress? addr = null;
        IpPrefix? flush = null;
        string? dev = null;
        MacAddress? mac = null;
        string state = "PERMANENT";
        bool router = false;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "to":
                    if (op == "flush") flush = Words.Prefix(Words.Next(w, ref i, "a prefix"), v6);
                    else addr = Words.Ip(Words.Next(w, ref i, "an address"));
                    break;
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "lladdr": mac = Words.Mac(Words.Next(w, ref i, "a MAC address")); break;
                case "nud":
                {
                    var s = Words.Next(w, ref i, "a state").ToUpperInvariant();
                    if (s is not ("PERMANENT" or "NOARP" or "REACHABLE" or "STALE" or "DELAY" or "PROBE" or "FAILED" or "INCOMPLETE" or "NONE"))
                        throw new SyntaxError($"unknown neighbour state '{w[i]}'");
                    state = s;
                    break;
                }
                case "router": router = true; break;
                case "proxy": throw new NotModelledException("proxy neighbour entries are not modelled");
                default:
                    if (addr is null && flush is null)
                    {
                        if (op == "flush") flush = Words.Prefix(w[i], v6);
                        else addr = Words.Ip(w[i]);
                        break;
                    }
                    throw new NotModelledException($"`ip neigh … {w[i]}` is not modelled");
            }
        }
        if (op == "flush")
        {
            if (flush is null && dev is null) throw new SyntaxError("`ip neigh flush` needs a prefix or a device");
            return new NeighborEdit { Op = op, Address = flush?.Address ?? System.Net.IPAddress.Any, FlushPrefix = flush ?? IpPrefix.DefaultV4, Device = dev };
        }
        if (addr is null) throw new SyntaxError($"`ip neigh {verb}` needs an address");
        if (dev is null) throw new SyntaxError($"`ip neigh {verb}` needs `dev DEVICE`");
        if (op != "delete" && mac is null && state is not ("FAILED" or "INCOMPLETE" or "NONE" or "NOARP")) throw new SyntaxError($"`ip neigh {verb}` needs `lladdr MAC`");
        return new NeighborEdit { Op = op, Address = addr, Device = dev, Mac = mac, State = state, Router = router };
    }

    private static FdbEdit Fdb(string verb, List<string> w)
    {
        var op = Op(verb, "bridge fdb");
        if (op is "flush" or "prepend" or "change") throw new NotModelledException($"`bridge fdb {verb}` is not modelled");
        MacAddress? mac = null;
        string? dev = null;
        System.Net.IPAddress? dst = null;
        uint? vni = null;
        int? port = null, vlan = null;
        var flags = new List<string>();
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "dst": dst = Words.Ip(Words.Next(w, ref i, "an address")); break;
                case "vni": vni = Words.UInt(w, ref i, "a VNI"); break;
                case "port" or "dst_port": port = Words.Int(w, ref i, "a port"); break;
                case "vlan": vlan = Words.Int(w, ref i, "a VLAN id"); break;
                case "self" or "master" or "permanent" or "static" or "dynamic" or "local" or "router" or "extern_learn" or "sticky": flags.Add(w[i]); break;
                case "via": throw new NotModelledException("`bridge fdb … via DEV` is not modelled");
                default:
                    if (mac is null) { mac = Words.Mac(w[i]); break; }
                    throw new NotModelledException($"`bridge fdb … {w[i]}` is not modelled");
            }
        }
        if (flags.Contains("local")) { flags.Remove("local"); flags.Add("permanent"); }
        return new FdbEdit
        {
            Op = op, Mac = mac ?? throw new SyntaxError("`bridge fdb` needs a MAC address"), Device = dev ?? throw new SyntaxError("`bridge fdb` needs `dev DEVICE`"),
            Dst = dst, Vni = vni, Port = port, Vlan = vlan, Flags = flags,
        };
    }

    private static QdiscEdit Qdisc(string verb, List<string> w)
    {
        var op = Op(verb, "tc qdisc");
        string? dev = null, kind = null;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "ingress" or "clsact": kind = w[i]; break;
                case "handle": Words.Next(w, ref i, "a handle"); break;
                case "parent": if (Words.Next(w, ref i, "a parent") is not ("ffff:" or "ffff:fff1")) throw new NotModelledException("`tc qdisc` other than ingress/clsact is not modelled"); break;
                case "root": throw new NotModelledException("root qdiscs (queueing) are not modelled: they change no path");
                default: throw new NotModelledException($"`tc qdisc … {w[i]}` is not modelled");
            }
        }
        return new QdiscEdit
        {
            Op = op, Device = dev ?? throw new SyntaxError("`tc qdisc` needs `dev DEVICE`"),
            Kind = kind ?? (op == "delete" ? "ingress" : throw new NotModelledException("only ingress and clsact qdiscs are modelled")),
        };
    }

    private static TcFilterEdit Filter(string verb, List<string> w)
    {
        var op = Op(verb, "tc filter");
        if (op is "change" or "append" or "prepend" or "flush") throw new NotModelledException($"`tc filter {verb}` is not modelled");
        string? dev = null, dir = null, proto = null, kind = null;
        int? pref = null;
        var actions = new List<TcAction>();
        bool matchAll = false;
        for (int i = 0; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "dev": dev = Words.Next(w, ref i, "a device"); break;
                case "ingress": dir = "ingress"; break;
                case "egress": dir = "egress"; break;
                case "root": dir = "egress"; break;
                case "parent":
                {
                    var p = Words.Next(w, ref i, "a parent");
                    dir = p switch
                    {
                        "ffff:" or "ffff:fff2" or "ffff:0" => "ingress",
                        "ffff:fff3" or "root" => "egress",
                        _ => throw new NotModelledException($"a filter on parent {p} (a classful qdisc) is not modelled"),
                    };
                    break;
                }
                case "pref" or "prio" or "priority": pref = Words.Int(w, ref i, "a preference"); break;
                case "protocol": proto = Words.Next(w, ref i, "a protocol"); break;
                case "handle": Words.Next(w, ref i, "a handle"); break;
                case "chain": if (Words.Int(w, ref i, "a chain") != 0) throw new NotModelledException("filters in chains other than 0 are not modelled"); break;
                case "matchall": kind = "matchall"; matchAll = true; break;
                case "u32":
                    kind = "u32";
                    // u32 match u32 0 0 (or match u32 0 0 at 0): every packet
                    if (i + 4 < w.Count && w[i + 1] == "match" && w[i + 2] == "u32" && IsZero(w[i + 3]) && IsZero(w[i + 4])) { matchAll = true; i += 4; if (i + 2 < w.Count && w[i + 1] == "at") i += 2; }
                    break;
                case "flower":
                    kind = "flower";
                    matchAll = i + 1 >= w.Count || w[i + 1] is "action" or "skip_sw" or "skip_hw";
                    break;
                case "skip_sw" or "skip_hw": break;
                case "action":
                    i++;
                    if (i < w.Count && w[i] == "mirred")
                    {
                        var a = new TcAction { Kind = "mirred", MirredDirection = Words.Next(w, ref i, "egress or ingress"), MirredAction = Words.Next(w, ref i, "redirect or mirror"), Control = "stolen" };
                        if (a.MirredDirection is not ("egress" or "ingress") || a.MirredAction is not ("redirect" or "mirror")) throw new SyntaxError("`action mirred` wants egress|ingress redirect|mirror dev DEVICE");
                        if (Words.Next(w, ref i, "dev") != "dev") throw new SyntaxError("`action mirred …` needs `dev DEVICE`");
                        a.TargetDevice = Words.Next(w, ref i, "a device");
                        if (a.MirredAction == "mirror") a.Control = "pipe";
                        actions.Add(a);
                    }
                    else if (i < w.Count && w[i] is "drop" or "shot" or "pass" or "ok" or "gact")
                    {
                        var c = w[i] == "gact" ? Words.Next(w, ref i, "a verdict") : w[i];
                        actions.Add(new TcAction { Kind = "gact", Control = c == "shot" ? "drop" : c == "ok" ? "pass" : c });
                    }
                    else throw new NotModelledException($"tc action '{(i < w.Count ? w[i] : "")}' is not modelled");
                    break;
                default:
                    if (op == "delete") throw new NotModelledException($"`tc filter del … {w[i]}` is not modelled");
                    throw new NotModelledException($"a tc filter matching '{w[i]}' is not modelled (only match-all filters are)");
            }
        }
        if (dev is null) throw new SyntaxError("`tc filter` needs `dev DEVICE`");
        if (dir is null) throw new SyntaxError("`tc filter` needs `ingress`, `egress` or `parent ffff:`");
        if (op != "delete" && !matchAll) throw new NotModelledException("a tc filter that matches some packets only is not modelled (only match-all filters are)");
        if (op != "delete" && actions.Count == 0) throw new NotModelledException("a tc filter without an action is not modelled");
        return new TcFilterEdit { Op = op, Device = dev, Direction = dir, Pref = pref, Protocol = proto, Kind = kind, Actions = actions };
    }

    private static bool IsZero(string s) => s is "0" or "0x0" or "0x00000000" or "00000000";
}
