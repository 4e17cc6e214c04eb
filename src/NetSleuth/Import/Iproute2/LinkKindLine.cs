using NetSleuth.Model.Collections;
using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// The kind lines `ip -d link` prints under link/… (IFLA_INFO_KIND then its attributes; ip/iplink_*.c,
/// ip/iplink_vxlan.c, ip/iplink_bridge.c, ip/iplink_bridge_slave.c):
/// <code>
/// veth
/// vxlan id 555005 remote 198.51.100.201 local 198.51.100.163 dev ens3 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300
/// vxlan id 42 group 239.1.1.1 dev eth0 srcport 32768 61000 dstport 8472 ageing 300      (older iproute2)
/// bridge forward_delay 1500 … ageing_time 30000 stp_state 0 … vlan_filtering 0 …
/// bridge_slave state forwarding priority 32 cost 2 … learning on flood on … isolated off
/// tun type tap pi off vnet_hdr off persist on
/// vlan protocol 802.1Q id 100 &lt;REORDER_HDR&gt;
/// macvlan mode bridge …    bond mode active-backup …    vrf table 10    openvswitch    openvswitch_slave
/// </code>
/// Attributes every kind line may end with (addrgenmode, numtxqueues, gso_max_size, …) are ignored.
/// </summary>
internal static class LinkKindLine
{
    private static readonly HashSet<string> Kinds =
    [
        "veth", "vxlan", "bridge", "openvswitch", "tun", "vlan", "macvlan", "macvtap", "ipvlan", "ipvtap", "bond", "dummy",
        "vrf", "ifb", "geneve", "gre", "gretap", "ip6gre", "ip6gretap", "ipip", "ip6tnl", "sit", "vti", "vti6", "team",
        "wireguard", "nlmon", "netdevsim", "bareudp", "gtp", "xfrm", "macsec", "hsr", "batadv", "erspan", "ip6erspan",
        "can", "vcan", "vxcan", "netkit", "amt", "rmnet", "ipoib", "lowpan",
    ];

    private static readonly HashSet<string> NotKinds =
    [
        "addrgenmode", "numtxqueues", "numrxqueues", "gso_max_size", "gso_max_segs", "tso_max_size", "tso_max_segs",
        "gro_max_size", "parentbus", "parentdev", "portname", "portid", "switchid", "vf", "prop", "protodown",
        "alias", "link-netnsid", "link-netns",
    ];

    /// <summary>Reads a kind line into <paramref name="link"/>; false when the line is not one.</summary>
    public static bool TryRead(string[] w, Link link, ImportLog log, SourceRef at)
    {
        var head = w[0];
        if (NotKinds.Contains(head)) return true; // a detail line without a kind (loopback, physical NIC)
        if (head.EndsWith("_slave", StringComparison.Ordinal))
        {
            link.SlaveKind = head[..^6];
            if (link.SlaveKind == LinkKinds.Bridge) ReadBridgePort(w, link);
            return true;
        }
        if (!Kinds.Contains(head) && !(w.Length > 1 && head.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
            return false;
        if (!Kinds.Contains(head)) log.Warn(at, $"link kind '{head}' is not modelled; its attributes are kept as text");
        link.Kind = head;
        switch (head)
        {
            case LinkKinds.Vxlan: ReadVxlan(w, link); break;
            case LinkKinds.Bridge: ReadBridge(w, link); break;
            case LinkKinds.Tun: link.Tun = new TunInfo { Type = After(w, "type") }; break;
            case LinkKinds.Vlan:
                link.Vlan = new VlanInfo { Id = Facts.Int(After(w, "id")), Protocol = After(w, "protocol") };
                break;
            case LinkKinds.Macvlan or LinkKinds.Macvtap: link.Macvlan = new MacvlanInfo { Mode = After(w, "mode") }; break;
            case LinkKinds.Bond: link.Bond = new BondInfo { Mode = After(w, "mode") }; break;
            case LinkKinds.Vrf: link.Vrf = new VrfInfo { Table = Facts.UInt(After(w, "table")) }; break;
            case LinkKinds.Veth or LinkKinds.OpenVSwitch or LinkKinds.Dummy or LinkKinds.Ifb: break;
            default:
                link.ExtraInfo = new StringMap { ["line"] = string.Join(' ', w[1..]) };
                break;
        }
        return true;
    }

    private static string? After(string[] w, string key)
    {
        int i = Array.IndexOf(w, key);
        return i >= 0 && i + 1 < w.Length ? w[i + 1] : null;
    }

    private static void ReadVxlan(string[] w, Link link)
    {
        var v = link.Vxlan ??= new VxlanInfo();
        v.Learning = true; // iproute2 prints "nolearning" only when learning is off
        for (int i = 1; i < w.Length; i++)
        {
            string? next = i + 1 < w.Length ? w[i + 1] : null;
            switch (w[i])
            {
                case "id": v.Vni = Facts.UInt(next); i++; break;
                case "remote": v.Remote = Facts.Ip(next); i++; break;
                case "group": v.Group = Facts.Ip(next); i++; break;
                case "local": v.Local = Facts.Ip(next); i++; break;
                case "dev": v.UnderlayDevice = next; i++; break;
                case "srcport" when i + 2 < w.Length:
                    v.SrcPortMin = Facts.Int(w[i + 1]);
                    v.SrcPortMax = Facts.Int(w[i + 2]);
                    i += 2;
                    break;
                case "dstport": v.DstPort = Facts.Int(next); i++; break;
                case "nolearning": v.Learning = false; break;
                case "learning": v.Learning = true; break;
                case "proxy": v.Proxy = true; break;
                case "external": v.External = true; break;
                case "ttl": v.Ttl = Facts.Int(next); i++; break;
                case "df": v.Df = next; i++; break;
                case "link-netnsid": i++; break;
            }
        }
        v.Proxy ??= false;
        v.External ??= false;
    }

    private static void ReadBridge(string[] w, Link link)
    {
        var b = link.Bridge ??= new BridgeInfo();
        b.StpState = Facts.Int(After(w, "stp_state"));
        b.AgeingTime = Facts.Int(After(w, "ageing_time"));
        if (After(w, "vlan_filtering") is { } vf) b.VlanFiltering = vf == "1";
    }

    private static void ReadBridgePort(string[] w, Link link)
    {
        var p = link.BridgePort ??= new BridgePortInfo();
        p.State = After(w, "state");
        p.Learning = OnOff(After(w, "learning"));
        p.Flood = OnOff(After(w, "flood"));
        p.Isolated = OnOff(After(w, "isolated"));
        p.Hairpin = OnOff(After(w, "hairpin"));
    }

    private static bool? OnOff(string? s) => s switch { "on" => true, "off" => false, _ => null };
}
