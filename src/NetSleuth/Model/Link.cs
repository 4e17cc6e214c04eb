using NetSleuth.Model.Collections;
using System.Net;
using System.Text.Json.Serialization;

namespace NetSleuth.Model;

/// <summary>
/// A network device. Common attributes as in netlink's LinkAttrs; the kind-specific part as the
/// kernel reports it in IFLA_LINKINFO: <see cref="Kind"/> (IFLA_INFO_KIND) plus at most one detail
/// object. One class with optional details (not a class per kind) because importers learn a device
/// piecewise (`ip a`, then `ip -d link`), and an unknown kind must survive a round trip untouched.
/// Nullable means "not reported".
/// </summary>
public sealed class Link
{
    public required int Index { get; set; }
    public required string Name { get; set; }
    /// <summary>IFLA_INFO_KIND ("veth", "vxlan", "bridge", "openvswitch", "tun", …); null when the device
    /// reports none (physical NICs, loopback) or details were not shown — see <see cref="DetailsKnown"/>.</summary>
    public string? Kind { get; set; }
    /// <summary>True when the source showed link details (`ip -d`), so a null Kind means "no kind".</summary>
    public bool DetailsKnown { get; set; }
    /// <summary>link/ether, loopback, none, ipip, … (ARPHRD as `ip` prints it).</summary>
    public string? LinkType { get; set; }
    public MacAddress? Mac { get; set; }
    public MacAddress? Broadcast { get; set; }
    public int? Mtu { get; set; }
    /// <summary>Interface flags as `ip` prints them (UP, LOWER_UP, BROADCAST, NOARP, PROMISC, …).</summary>
    public List<string> Flags { get => field ??= []; set; }
    /// <summary>UP, DOWN, UNKNOWN, LOWERLAYERDOWN, …</summary>
    public string? OperState { get; set; }
    public string? Master { get; set; }
    public int? Promiscuity { get; set; }
    public List<string> AltNames { get => field ??= []; set; }
    /// <summary>IFLA_INFO_SLAVE_KIND: "bridge", "bond", "openvswitch", "vrf".</summary>
    public string? SlaveKind { get; set; }
    public string? Qdisc { get; set; }

    /// <summary>IFLA_LINK: the peer (veth) or parent/underlay (vlan, macvlan, vxlan dev) ifindex — the "@ifN" / "@eth0".</summary>
    public int? LinkIndex { get; set; }
    /// <summary>The parent name when `ip` printed one ("vlan10@eth0").</summary>
    public string? LinkName { get => _rare?.LinkName; set => Rare(value is not null)?.LinkName = value; }
    /// <summary>IFLA_LINK_NETNSID as the reporting namespace numbers it; null = same namespace.</summary>
    public int? LinkNetnsId { get; set; }
    /// <summary>The "link-netns NAME" iproute2 printed, when it could name it.</summary>
    public string? LinkNetnsName { get => _rare?.LinkNetnsName; set => Rare(value is not null)?.LinkNetnsName = value; }
    /// <summary>The namespace (Id) that <see cref="LinkIndex"/> lives in, resolved by the collector/importer.</summary>
    public string? LinkNamespace { get; set; }

    public List<IfAddress> Addresses { get => field ??= []; set; }

    public VxlanInfo? Vxlan { get => _rare?.Vxlan; set => Rare(value is not null)?.Vxlan = value; }
    public BridgeInfo? Bridge { get => _rare?.Bridge; set => Rare(value is not null)?.Bridge = value; }
    public VlanInfo? Vlan { get => _rare?.Vlan; set => Rare(value is not null)?.Vlan = value; }
    public MacvlanInfo? Macvlan { get => _rare?.Macvlan; set => Rare(value is not null)?.Macvlan = value; }
    public BondInfo? Bond { get => _rare?.Bond; set => Rare(value is not null)?.Bond = value; }
    public VrfInfo? Vrf { get => _rare?.Vrf; set => Rare(value is not null)?.Vrf = value; }
    public TunInfo? Tun { get => _rare?.Tun; set => Rare(value is not null)?.Tun = value; }
    /// <summary>Bridge-port details when the device is a bridge slave.</summary>
    public BridgePortInfo? BridgePort { get => _rare?.BridgePort; set => Rare(value is not null)?.BridgePort = value; }
    /// <summary>Kind-specific attributes of kinds not modelled above, kept as text.</summary>
    public StringMap? ExtraInfo { get => _rare?.ExtraInfo; set => Rare(value is not null)?.ExtraInfo = value; }

    public SourceRef? Source { get; set; }

    /// <summary>The attributes few devices have (kind details, a parent's name, a peer namespace's name), kept apart:
    /// a cluster's hundreds of thousands of veths and loopbacks do not carry eleven empty references each.</summary>
    private RareAttributes? _rare;

    /// <summary>The rare attributes, made when one is set (MAKE); null when none is and none was.</summary>
    private RareAttributes? Rare(bool make) => make ? _rare ??= new RareAttributes() : _rare;

    private sealed class RareAttributes
    {
        public string? LinkName;
        public string? LinkNetnsName;
        public VxlanInfo? Vxlan;
        public BridgeInfo? Bridge;
        public VlanInfo? Vlan;
        public MacvlanInfo? Macvlan;
        public BondInfo? Bond;
        public VrfInfo? Vrf;
        public TunInfo? Tun;
        public BridgePortInfo? BridgePort;
        public StringMap? ExtraInfo;
    }

    /// <summary>Administratively up: the UP flag, or, where no flags were shown (`ip -br`), an operstate that only an
    /// up device has (UP, UNKNOWN as lo and tun show, DORMANT, LOWERLAYERDOWN).</summary>
    [JsonIgnore] public bool IsUp => Flags.Count > 0 ? Flags.Contains("UP") : OperState is "UP" or "UNKNOWN" or "DORMANT" or "LOWERLAYERDOWN";
    [JsonIgnore] public bool HasCarrier => Flags.Contains("LOWER_UP") || OperState is "UP" or "UNKNOWN";
    [JsonIgnore] public bool IsPromiscuous => Flags.Contains("PROMISC") || Promiscuity > 0;
    [JsonIgnore] public bool IsLoopback => LinkType == "loopback" || Flags.Contains("LOOPBACK");
    [JsonIgnore] public bool IsVeth => Kind == LinkKinds.Veth;

    public override string ToString() => Name;
}

public static class LinkKinds
{
    public const string Veth = "veth";
    public const string Vxlan = "vxlan";
    public const string Bridge = "bridge";
    public const string OpenVSwitch = "openvswitch";
    public const string Tun = "tun";
    public const string Vlan = "vlan";
    public const string Macvlan = "macvlan";
    public const string Macvtap = "macvtap";
    public const string Ipvlan = "ipvlan";
    public const string Bond = "bond";
    public const string Dummy = "dummy";
    public const string Vrf = "vrf";
    public const string Ifb = "ifb";
    public const string Geneve = "geneve";
}

public sealed class IfAddress
{
    public required IpPrefix Prefix { get; set; }
    /// <summary>Point-to-point peer ("peer 10.0.0.2/32").</summary>
    public IpPrefix? Peer { get; set; }
    public IPAddress? Broadcast { get; set; }
    /// <summary>global, link, host, site.</summary>
    public string? Scope { get; set; }
    public string? Label { get; set; }
    /// <summary>secondary, noprefixroute, dadfailed, tentative, deprecated, dynamic, …</summary>
    public List<string> Flags { get => field ??= []; set; }
    public SourceRef? Source { get; set; }

    [JsonIgnore] public IPAddress Address => Prefix.Address;
    public override string ToString() => Prefix.ToString();
}

public sealed class VxlanInfo
{
    public uint? Vni { get; set; }
    /// <summary>Unicast remote (the other tunnel end) — null when a group or FDB entries are used.</summary>
    public IPAddress? Remote { get; set; }
    public IPAddress? Group { get; set; }
    public IPAddress? Local { get; set; }
    /// <summary>UDP destination port; the kernel's default when unset is 8472, iproute2 prints it always.</summary>
    public int? DstPort { get; set; }
    public int? SrcPortMin { get; set; }
    public int? SrcPortMax { get; set; }
    public bool? Learning { get; set; }
    public bool? Proxy { get; set; }
    public bool? External { get; set; }
    public int? Ttl { get; set; }
    /// <summary>Outer DF bit: "unset" (the default), "set", or "inherit" (copied from the inner packet).</summary>
    public string? Df { get; set; }
    /// <summary>The underlay device ("dev ens3") by ifindex in the underlay namespace.</summary>
    public int? UnderlayIndex { get; set; }
    public string? UnderlayDevice { get; set; }
}

public sealed class BridgeInfo
{
    public int? StpState { get; set; }
    public bool? VlanFiltering { get; set; }
    public int? AgeingTime { get; set; }
}

public sealed class BridgePortInfo
{
    /// <summary>forwarding, disabled, blocking, learning, listening.</summary>
    public string? State { get; set; }
    public bool? Learning { get; set; }
    public bool? Flood { get; set; }
    public bool? Isolated { get; set; }
    /// <summary>Hairpin mode (`ip link set P type bridge_slave hairpin on`): the bridge may send a frame back out the
    /// port it came in by (a pod reaching itself through its Service when br_netfilter DNATs bridged traffic).</summary>
    public bool? Hairpin { get; set; }
}

public sealed class VlanInfo
{
    public int? Id { get; set; }
    public string? Protocol { get; set; }
}

public sealed class MacvlanInfo
{
    public string? Mode { get; set; }
}

public sealed class BondInfo
{
    public string? Mode { get; set; }
}

public sealed class VrfInfo
{
    public uint? Table { get; set; }
}

public sealed class TunInfo
{
    /// <summary>"tun" or "tap".</summary>
    public string? Type { get; set; }
}
