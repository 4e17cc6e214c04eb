using System.Net;
using System.Text.Json.Serialization;

namespace NetSleuth.Model;

/// <summary>A FIB entry of any table, as `ip route show table all` lists it.</summary>
public sealed class Route
{
    /// <summary>unicast, local, broadcast, blackhole, unreachable, prohibit, throw, multicast, anycast, nat.</summary>
    public string Type { get; set; } = RouteTypes.Unicast;
    public required IpPrefix Destination { get; set; }
    /// <summary>Numeric table id (main = 254, local = 255, default = 253); the kernel's ids are unsigned 32-bit.</summary>
    public uint Table { get; set; } = RouteTables.Main;
    public IPAddress? Gateway { get; set; }
    public string? Device { get; set; }
    /// <summary>kernel, boot, static, dhcp, bird, … as printed.</summary>
    public string? Protocol { get; set; }
    /// <summary>global (universe), link, host, site, nowhere.</summary>
    public string? Scope { get; set; }
    public IPAddress? PrefSrc { get; set; }
    /// <summary>The route priority ("metric N"), unsigned 32-bit as the kernel keeps it.</summary>
    public uint? Metric { get; set; }
    public int? Tos { get; set; }
    /// <summary>Route MTU metric ("mtu 1400"), if any.</summary>
    public int? Mtu { get; set; }
    /// <summary>onlink, linkdown, dead, pervasive, …</summary>
    public List<string> Flags { get => field ??= []; set; }
    /// <summary>Multipath next hops; empty for a single-path route (Gateway/Device used instead).</summary>
    public List<NextHop> NextHops { get => field ??= []; set; }
    public SourceRef? Source { get; set; }

    [JsonIgnore] public bool IsV4 => Destination.IsV4;

    public override string ToString() =>
        $"{(Type == RouteTypes.Unicast ? "" : Type + " ")}{Destination.ToRouteString()}" +
        (Gateway is null ? "" : $" via {Gateway}") + (Device is null ? "" : $" dev {Device}") +
        (Table == RouteTables.Main ? "" : $" table {RouteTables.Name(Table)}");
}

public sealed class NextHop
{
    public IPAddress? Gateway { get; set; }
    public string? Device { get; set; }
    public int? Weight { get; set; }
    public List<string> Flags { get => field ??= []; set; }
}

public static class RouteTypes
{
    public const string Unicast = "unicast";
    public const string Local = "local";
    public const string Broadcast = "broadcast";
    public const string Blackhole = "blackhole";
    public const string Unreachable = "unreachable";
    public const string Prohibit = "prohibit";
    public const string Throw = "throw";
    public const string Multicast = "multicast";
    public const string Anycast = "anycast";
}

public static class RouteTables
{
    public const uint Unspec = 0;
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;

    public static string Name(uint id) => id switch
    {
        Default => "default",
        Main => "main",
        Local => "local",
        _ => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Table names iproute2 knows without /etc/iproute2/rt_tables; numbers pass through.</summary>
    public static uint? Parse(string text) => text switch
    {
        "default" => Default,
        "main" => Main,
        "local" => Local,
        "unspec" => Unspec,
        _ => uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null,
    };
}

/// <summary>A policy routing rule (`ip rule`).</summary>
public sealed class Rule
{
    /// <summary>The rule preference, unsigned 32-bit ("3232238081:" is a real one: Neutron DVR uses an address as the number).</summary>
    public required uint Priority { get; set; }
    /// <summary>"inet" or "inet6".</summary>
    public string Family { get; set; } = "inet";
    public bool Not { get; set; }
    public IpPrefix? From { get; set; }
    public IpPrefix? To { get; set; }
    public string? Iif { get; set; }
    public string? Oif { get; set; }
    public uint? Fwmark { get; set; }
    public uint? FwmarkMask { get; set; }
    public int? Tos { get; set; }
    public int? IpProto { get; set; }
    public string? SPortRange { get; set; }
    public string? DPortRange { get; set; }
    public string? UidRange { get; set; }
    public bool L3mdev { get; set; }
    public int? SuppressPrefixLength { get; set; }
    /// <summary>Lookup table (action "to_tbl"), null for other actions.</summary>
    public uint? Table { get; set; }
    /// <summary>to_tbl (lookup), goto, nop, blackhole, unreachable, prohibit.</summary>
    public string Action { get; set; } = "to_tbl";
    public uint? GotoTarget { get; set; }
    public SourceRef? Source { get; set; }

    public override string ToString() =>
        $"{Priority}: {(Not ? "not " : "")}from {From?.ToString() ?? "all"}" +
        (To is null ? "" : $" to {To}") + (Iif is null ? "" : $" iif {Iif}") + (Oif is null ? "" : $" oif {Oif}") +
        (Fwmark is null ? "" : $" fwmark 0x{Fwmark:x}") +
        (IpProto is null ? "" : $" ipproto {(IpProto < 0 ? "?" : IpProto)}") + (SPortRange is null ? "" : $" sport {SPortRange}") +
        (DPortRange is null ? "" : $" dport {DPortRange}") + (UidRange is null ? "" : $" uidrange {UidRange}") +
        (Action == "to_tbl" ? $" lookup {RouteTables.Name(Table ?? RouteTables.Main)}" : $" {Action}");
}

/// <summary>A neighbour (ARP/NDP) entry.</summary>
public sealed class Neighbor
{
    public required IPAddress Address { get; set; }
    public required string Device { get; set; }
    public MacAddress? Mac { get; set; }
    /// <summary>PERMANENT, NOARP, REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, NONE.</summary>
    public List<string> State { get => field ??= []; set; }
    public bool Router { get; set; }
    public bool Proxy { get; set; }
    public SourceRef? Source { get; set; }
    /// <summary>Earlier readings of this entry in the input (an `arp -an` run twice, `ip neigh` and `arp` of one
    /// namespace) that held another MAC, oldest first: conflicting evidence kept with its sources. The entry's own
    /// <see cref="Mac"/>, <see cref="State"/> and <see cref="Source"/> are the latest reading, the one forwarding uses.</summary>
    public List<NeighborReading> EarlierReadings { get => field ??= []; set; }

    [JsonIgnore] public bool IsUsable => Mac is not null && !State.Contains("FAILED") && !State.Contains("INCOMPLETE");
    public override string ToString() => $"{Address} dev {Device}" + (Mac is null ? "" : $" lladdr {Mac}") +
        (State.Count == 0 ? "" : " " + string.Join(' ', State));
}

/// <summary>One reading of a neighbour entry that a later reading in the input replaced (<see cref="Neighbor.EarlierReadings"/>).</summary>
public sealed class NeighborReading
{
    public MacAddress? Mac { get; set; }
    public List<string> State { get => field ??= []; set; }
    public SourceRef? Source { get; set; }

    public override string ToString() => (Mac?.ToString() ?? "no MAC") + (State.Count == 0 ? "" : " " + string.Join(' ', State));
}

/// <summary>A bridge forwarding database entry (`bridge fdb show`), including VXLAN FDB entries.</summary>
public sealed class FdbEntry
{
    public required MacAddress Mac { get; set; }
    public required string Device { get; set; }
    public string? Master { get; set; }
    public int? Vlan { get; set; }
    /// <summary>VXLAN remote ("dst 198.51.100.1").</summary>
    public IPAddress? Dst { get; set; }
    public uint? Vni { get; set; }
    public int? Port { get; set; }
    /// <summary>permanent, static, (empty = dynamic/learned); plus "self", "master", "extern_learn", …</summary>
    public List<string> Flags { get => field ??= []; set; }
    public SourceRef? Source { get; set; }
}
