using System.Net;

namespace NetSleuth.Model;

/// <summary>The answer of one `ip route get ADDR`: the route the kernel chose at that moment (evidence
/// from an import, not a FIB entry).</summary>
public sealed class RouteLookup
{
    public required IPAddress Destination { get; set; }
    public string Type { get; set; } = RouteTypes.Unicast;
    public IPAddress? Gateway { get; set; }
    public string? Device { get; set; }
    public IPAddress? PrefSrc { get; set; }
    public uint? Table { get; set; }
    /// <summary>The command as typed after normalisation ("ip route get 198.18.2.46").</summary>
    public string? Command { get; set; }
    public SourceRef? Source { get; set; }
}
