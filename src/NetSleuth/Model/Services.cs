using System.Net;

namespace NetSleuth.Model;

/// <summary>One connection-tracking entry as `conntrack -L` prints it: the original direction's tuple and the
/// reply's (a DNAT shows as a reply source other than the original destination, an SNAT as a reply destination
/// other than the original source).</summary>
public sealed class ConntrackEntry
{
    /// <summary>tcp, udp, icmp, sctp, …</summary>
    public required string Protocol { get; set; }
    /// <summary>The TCP/SCTP state (ESTABLISHED, TIME_WAIT, …); null for udp/icmp.</summary>
    public string? State { get; set; }
    public required ConntrackTuple Original { get; set; }
    public required ConntrackTuple Reply { get; set; }
    /// <summary>Status words conntrack prints: ASSURED, UNREPLIED, OFFLOAD, …</summary>
    public List<string> Flags { get; set; } = [];
    public uint? Mark { get; set; }
    /// <summary>Seconds before it expires, when printed.</summary>
    public long? Timeout { get; set; }
    public SourceRef? Source { get; set; }

    public override string ToString() =>
        $"{Protocol} {Original} → reply {Reply}" + (State is null ? "" : $" [{State}]") + (Flags.Count == 0 ? "" : $" [{string.Join(',', Flags)}]");
}

/// <summary>src=… dst=… sport=… dport=… of one direction (ICMP: no ports).</summary>
public sealed class ConntrackTuple
{
    public required IPAddress Src { get; set; }
    public required IPAddress Dst { get; set; }
    public int? Sport { get; set; }
    public int? Dport { get; set; }

    public override string ToString() =>
        $"{Src}{(Sport is { } s ? ":" + s : "")} → {Dst}{(Dport is { } d ? ":" + d : "")}";
}

/// <summary>An IPVS virtual service (`ipvsadm -Ln` / `ipvsadm-save -n`) and its real servers.</summary>
public sealed class IpvsService
{
    /// <summary>tcp, udp, sctp; "fwmark" for a firewall-mark service.</summary>
    public required string Protocol { get; set; }
    /// <summary>The virtual address (null for a fwmark service).</summary>
    public IPAddress? Address { get; set; }
    public int? Port { get; set; }
    public uint? FwMark { get; set; }
    /// <summary>rr, wrr, lc, sh, …</summary>
    public string? Scheduler { get; set; }
    public bool Persistent { get; set; }
    public List<IpvsDestination> Destinations { get; set; } = [];
    public SourceRef? Source { get; set; }

    public override string ToString() =>
        FwMark is { } m ? $"FWM {m}" : $"{Protocol.ToUpperInvariant()} {Address}:{Port}";
}

/// <summary>One real server of an IPVS service.</summary>
public sealed class IpvsDestination
{
    public required IPAddress Address { get; set; }
    public int? Port { get; set; }
    /// <summary>Masq (NAT), Route (DR), Tunnel, Local.</summary>
    public string? Forward { get; set; }
    public int? Weight { get; set; }
    public long? ActiveConnections { get; set; }
    public long? InactiveConnections { get; set; }
    public SourceRef? Source { get; set; }

    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>An ipset (`ipset list`): its type and members, as kube-proxy's ipvs mode uses them (KUBE-CLUSTER-IP,
/// KUBE-LOOP-BACK, …).</summary>
public sealed class IpSet
{
    public required string Name { get; set; }
    /// <summary>hash:ip,port, hash:ip,port,ip, hash:net, bitmap:port, …</summary>
    public string? Type { get; set; }
    /// <summary>The members as printed ("10.96.0.1,tcp:443").</summary>
    public List<string> Members { get; set; } = [];
    public SourceRef? Source { get; set; }
}
