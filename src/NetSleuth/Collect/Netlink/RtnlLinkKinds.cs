using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// IFLA_INFO_DATA of the kinds the model has a detail object for (LinkInfoJson's "info_data"), and the bridge
/// port's IFLA_INFO_SLAVE_DATA. A kind with data this reader does not decode makes the caller use `ip` instead.
/// </summary>
internal static class RtnlLinkKinds
{
    // IFLA_VXLAN_* (linux/if_link.h)
    private const int VX_ID = 1, VX_GROUP = 2, VX_LINK = 3, VX_LOCAL = 4, VX_TTL = 5, VX_LEARNING = 7, VX_PORT_RANGE = 10,
        VX_PROXY = 11, VX_PORT = 15, VX_GROUP6 = 16, VX_LOCAL6 = 17, VX_COLLECT_METADATA = 25, VX_TTL_INHERIT = 28, VX_DF = 29;
    // IFLA_BR_*, IFLA_BRPORT_*, IFLA_VLAN_*, IFLA_MACVLAN_MODE, IFLA_BOND_MODE, IFLA_VRF_TABLE, IFLA_TUN_TYPE
    private const int BR_AGEING_TIME = 4, BR_STP_STATE = 5, BR_VLAN_FILTERING = 7;
    private const int BRPORT_STATE = 1, BRPORT_MODE = 4, BRPORT_LEARNING = 8, BRPORT_UNICAST_FLOOD = 9, BRPORT_ISOLATED = 33;
    private const int VLAN_ID = 1, VLAN_PROTOCOL = 5, MACVLAN_MODE = 1, BOND_MODE = 1, VRF_TABLE = 1, TUN_TYPE = 3;

    private static readonly string[] BondModes = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"];
    private static readonly string[] PortStates = ["disabled", "listening", "learning", "forwarding", "blocking"];

    /// <summary>Sets the link's detail object from its kind's data; false when the kind has data not decoded here.</summary>
    public static bool Read(Link link, NlAttrs? d, Dictionary<int, (string Name, uint Flags)> names)
    {
        if (d is null) return true;
        switch (link.Kind)
        {
            case LinkKinds.Vxlan: link.Vxlan = Vxlan(d, names); return true;
            case LinkKinds.Bridge:
                link.Bridge = new BridgeInfo
                {
                    StpState = Int(d.U32(BR_STP_STATE)),
                    VlanFiltering = d.U8(BR_VLAN_FILTERING) is { } vf ? vf != 0 : null,
                    AgeingTime = Int(d.U32(BR_AGEING_TIME)),
                };
                return true;
            case LinkKinds.Vlan:
                link.Vlan = new VlanInfo
                {
                    Id = d.U16(VLAN_ID),
                    Protocol = d.Be16(VLAN_PROTOCOL) is { } p ? Iproute2Names.EtherProto(p) ?? $"[{Iproute2Names.Invariant(p)}]" : null,
                };
                return true;
            case LinkKinds.Macvlan or LinkKinds.Macvtap:
                link.Macvlan = new MacvlanInfo
                {
                    Mode = d.U32(MACVLAN_MODE) switch
                    {
                        null => null, 1 => "private", 2 => "vepa", 4 => "bridge", 8 => "passthru", 16 => "source", _ => "unknown",
                    },
                };
                return true;
            case LinkKinds.Bond:
                link.Bond = new BondInfo { Mode = d.U8(BOND_MODE) is { } m && m < BondModes.Length ? BondModes[m] : null };
                return true;
            case LinkKinds.Vrf: link.Vrf = new VrfInfo { Table = d.U32(VRF_TABLE) }; return true;
            case LinkKinds.Tun:
                link.Tun = new TunInfo
                {
                    Type = d.U8(TUN_TYPE) switch { null => null, 1 => "tun", 2 => "tap", var t => "UNKNOWN:" + Iproute2Names.Invariant(t.Value) },
                };
                return true;
            default:
                // ip prints "info_data" (kept as ExtraInfo) for these: not decoded here, so `ip` must read them
                return !d.All().Any();
        }
    }

    private static VxlanInfo Vxlan(NlAttrs d, Dictionary<int, (string Name, uint Flags)> names)
    {
        var v = new VxlanInfo
        {
            Vni = d.U32(VX_ID),
            DstPort = d.Be16(VX_PORT),
            Learning = d.U8(VX_LEARNING) is { } l ? l != 0 : null,
            Proxy = d.U8(VX_PROXY) is > 0 ? true : null,
            External = d.U8(VX_COLLECT_METADATA) is > 0 ? true : null,
            // "ttl": "inherit" reads as no number
            Ttl = d.U8(VX_TTL_INHERIT) is > 0 ? null : d.U8(VX_TTL),
            Df = d.U8(VX_DF) switch { 0 => "unset", 1 => "set", 2 => "inherit", _ => null },
        };
        // ip prints GROUP (or else GROUP6) as "group" when multicast, "remote" otherwise, and neither when unspecified
        var g = d.Has(VX_GROUP) ? d.Ip(VX_GROUP) : d.Ip(VX_GROUP6);
        if (g is not null && !IsUnspecified(g))
        {
            if (IsMulticast(g)) v.Group = g;
            else v.Remote = g;
        }
        var local = d.Has(VX_LOCAL) ? d.Ip(VX_LOCAL) : d.Ip(VX_LOCAL6);
        if (local is not null && !IsUnspecified(local)) v.Local = local;
        if (d.Length(VX_PORT_RANGE) >= 4)
        {
            int low = (d[VX_PORT_RANGE][0] << 8) | d[VX_PORT_RANGE][1], high = (d[VX_PORT_RANGE][2] << 8) | d[VX_PORT_RANGE][3];
            if (high > 0) { v.SrcPortMin = low; v.SrcPortMax = high; }
        }
        // ip names IFLA_VXLAN_LINK with this namespace's ifindex table ("ifN" when none); the parser reads "ifN" back
        if (d.U32(VX_LINK) is { } link && link != 0)
        {
            v.UnderlayDevice = RtnlLinks.NameOf(names, link);
            if (v.UnderlayDevice.StartsWith("if", StringComparison.Ordinal) && int.TryParse(v.UnderlayDevice.AsSpan(2), out int n)) v.UnderlayIndex = n;
        }
        return v;
    }

    public static BridgePortInfo BridgePort(NlAttrs sd) => new()
    {
        State = sd.U8(BRPORT_STATE) is { } s ? s < PortStates.Length ? PortStates[s] : Iproute2Names.Invariant(s) : null,
        Learning = sd.U8(BRPORT_LEARNING) is { } l ? l != 0 : null,
        Flood = sd.U8(BRPORT_UNICAST_FLOOD) is { } f ? f != 0 : null,
        Isolated = sd.U8(BRPORT_ISOLATED) is { } i ? i != 0 : null,
        Hairpin = sd.U8(BRPORT_MODE) is { } h ? h != 0 : null,
    };

    private static int? Int(uint? v) => v is { } x && x <= int.MaxValue ? (int)x : null;

    private static bool IsUnspecified(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private static bool IsMulticast(IPAddress a) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? (a.GetAddressBytes()[0] & 0xF0) == 0xE0 : a.IsIPv6Multicast;
}
