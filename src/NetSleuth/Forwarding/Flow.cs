using System.Net;
using System.Text.Json.Serialization;

namespace NetSleuth.Forwarding;

/// <summary>The L3/L4 header of the traced packet.</summary>
/// <param name="Size">IP packet size in bytes (ping -s N sends N + 28)</param>
/// <param name="DontFragment">DF set (ping -M do)</param>
public sealed record Flow(
    IPAddress Source, IPAddress Destination, string Protocol, int? SourcePort, int? DestinationPort, int Size, bool DontFragment)
{
    /// <summary>The sending socket's uid (a locally generated packet; `ip rule uidrange`); null = not known.
    /// Forwarded packets are looked up with uid 0, as the kernel does.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public uint? Uid { get; init; }
    /// <summary>The source port was not given: the tracer chose it (a rule testing sport cannot be decided by it).</summary>
    [JsonIgnore] public bool SourcePortChosen { get; init; }

    /// <summary>The reply's header: addresses and ports swapped.</summary>
    public Flow Reversed() => this with
    {
        Source = Destination, Destination = Source, SourcePort = DestinationPort, DestinationPort = SourcePort, Uid = null, SourcePortChosen = false,
    };

    public override string ToString() =>
        $"{Protocol} {Source}{(SourcePort is { } sp ? ":" + sp : "")} → {Destination}{(DestinationPort is { } dp ? ":" + dp : "")}, {Size} bytes{(DontFragment ? " DF" : "")}";

    [JsonIgnore] public bool IsV4 => Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
}

public static class Protocols
{
    public const string Icmp = "icmp";
    public const string Tcp = "tcp";
    public const string Udp = "udp";
}

/// <summary>What to trace: a packet sent from a namespace (optionally bound to a device) to an address.</summary>
/// <param name="Host">host name as in the input</param>
/// <param name="Namespace">namespace name or id; null = the host's root namespace</param>
/// <param name="Device">bind to this device (ping -I DEV); null = let routing choose</param>
public sealed record TraceRequest(string Host, string? Namespace, string? Device, IPAddress Destination)
{
    /// <summary>Source address; null = chosen like the kernel (prefsrc, the outgoing device's primary address).</summary>
    public IPAddress? Source { get; init; }
    public string Protocol { get; init; } = Protocols.Icmp;
    public int? SourcePort { get; init; }
    public int? DestinationPort { get; init; }
    /// <summary>The sending socket's uid (policy rules with `uidrange`); null = not known.</summary>
    public uint? Uid { get; init; }
    /// <summary>IP packet size in bytes; 84 = a default ping.</summary>
    public int Size { get; init; } = 84;
    /// <summary>DF set (ping -M do). Default true: what does not fit fails rather than fragments.</summary>
    public bool DontFragment { get; init; } = true;
    /// <summary>Also trace the reply after delivery.</summary>
    public bool TraceReply { get; init; } = true;
    /// <summary>The start namespace when the caller already holds it (a sweep over every pod): spares the lookup by name.</summary>
    internal Topology.NsRef? Start { get; init; }
}

/// <summary>A command that would decide what the input does not say, and where to run it.</summary>
public sealed record MissingInput(string Host, string? Namespace, string Command)
{
    public override string ToString() =>
        $"run `{Command}` on host {Host}" + (Namespace is null ? "" : $" (namespace {Namespace})");
}
