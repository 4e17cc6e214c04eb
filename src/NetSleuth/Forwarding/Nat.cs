using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>Applies a NAT to a flow: the new destination of DNAT/REDIRECT, the new source of SNAT/MASQUERADE.</summary>
internal static class Nat
{
    /// <summary>The flow after a DNAT or REDIRECT (REDIRECT: the primary address of the arrival device, 127.0.0.1 for a
    /// local packet, as nf_nat_redirect does).</summary>
    public static Flow ApplyDestination(Flow flow, NatAction a, string? inDev, NetNamespace ns)
    {
        var dst = a.Kind == NatKind.Redirect ? RedirectAddress(ns, inDev) ?? flow.Destination : a.Address ?? flow.Destination;
        return flow with { Destination = dst, DestinationPort = a.Port ?? flow.DestinationPort };
    }

    public static IPAddress? RedirectAddress(NetNamespace ns, string? inDev)
    {
        if (inDev is null) return IPAddress.Loopback;
        var l = ns.FindLink(inDev);
        foreach (var ad in l?.Addresses ?? [])
            if (ad.Prefix.IsV4) return ad.Address;
        return null;
    }

    /// <summary>"10.244.1.5:8080", "10.0.0.1-10.0.0.3:80-90", ":8080", "10.0.0.1" → first address and port, and the
    /// range text when it names more than one. False when it cannot be read.</summary>
    public static bool TryParseTarget(string text, out IPAddress? address, out int? port, out string? range)
    {
        address = null; port = null; range = null;
        var addrPart = text;
        string? portPart = null;
        int colon = text.LastIndexOf(':');
        if (colon >= 0) { addrPart = text[..colon]; portPart = text[(colon + 1)..]; }
        if (addrPart.Length > 0)
        {
            var ends = addrPart.Split('-');
            if (!IPAddress.TryParse(ends[0], out var a)) return false;
            address = a;
            if (ends.Length == 2 && IPAddress.TryParse(ends[1], out var b) && !b.Equals(a)) range = text;
            else if (ends.Length > 2) return false;
        }
        if (portPart is not null)
        {
            var ends = portPart.Split('-');
            if (!int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p)) return false;
            port = p;
            if (ends.Length == 2 && ends[1] != ends[0]) range = text;
        }
        return address is not null || port is not null;
    }
}
