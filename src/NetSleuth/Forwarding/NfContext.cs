using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>What a NAT rule does to the packet.</summary>
internal enum NatKind { Dnat, Snat, Masquerade, Redirect }

/// <summary>A NAT statement a rule applied (iptables -j DNAT/SNAT/MASQUERADE/REDIRECT, nft dnat/snat/masquerade/redirect).</summary>
/// <param name="Address">the new address (DNAT/SNAT); null for MASQUERADE (the out device's) and REDIRECT (the in device's)</param>
/// <param name="Port">the new port, when the rule gives one</param>
/// <param name="Range">the rule's whole range when it names more than one address or port (the kernel picks one; the trace takes the first)</param>
internal sealed record NatAction(NatKind Kind, IPAddress? Address, int? Port, string? Range, string Engine, string Table, string Chain, string Rule, SourceRef? Evidence);

/// <summary>
/// The netfilter state of one packet in one namespace while a walk passes it: the skb mark (kube-proxy's 0x4000
/// masquerade mark, set in nat PREROUTING and read in POSTROUTING and filter FORWARD), the connection's NAT status
/// (ctstate DNAT/SNAT), whether the nat chains are consulted (only a connection's first packet), the NAT the
/// current hook chose, and the choice among endpoints (statistic/numgen) the walk makes.
/// </summary>
internal sealed class NfContext
{
    /// <summary>The skb mark.</summary>
    public uint Mark;
    /// <summary>The connection was DNATed / SNATed (conntrack status bits: ctstate DNAT, SNAT).</summary>
    public bool Dnat, Snat;
    /// <summary>Whether the nat table is consulted: a new connection with no mapping yet.</summary>
    public bool NatAllowed;
    /// <summary>The NAT chosen during the current hook (the first of each kind wins, as in the kernel).</summary>
    public NatAction? PendingDnat, PendingSnat;
    /// <summary>The namespace, for -m addrtype / fib daddr type.</summary>
    public NetNamespace? Ns;
    /// <summary>Picks one of several alternatives (an endpoint): key names the choice point, labels the alternatives;
    /// returns the index taken. Null: a choice is not simulated (the rule is uncertain).</summary>
    public Func<string, IReadOnlyList<string>, int>? Choose;

    /// <summary>Whether an address is local to the namespace (addrtype LOCAL): an address of one of its devices or 127/8.</summary>
    public bool? IsLocal(IPAddress a)
    {
        if (Ns is null) return null;
        if (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && a.GetAddressBytes()[0] == 127) return true;
        foreach (var l in Ns.Links)
            foreach (var ad in l.Addresses)
                if (ad.Address.Equals(a)) return true;
        foreach (var r in Ns.Routes)
            if (r.Type == RouteTypes.Local && r.Destination.Length == r.Destination.MaxLength && r.Destination.Address.Equals(a)) return true;
        return false;
    }

    /// <summary>addrtype of an address: LOCAL, BROADCAST, MULTICAST or UNICAST; null when the namespace is not known.</summary>
    public string? AddrType(IPAddress a)
    {
        var b = a.GetAddressBytes();
        if (b.Length == 4 && b[0] >= 224 && b[0] <= 239) return "MULTICAST";
        if (a.Equals(IPAddress.Broadcast)) return "BROADCAST";
        return IsLocal(a) switch { true => "LOCAL", false => "UNICAST", null => null };
    }

    /// <summary>MARK --set-xmark value/mask: mark = (mark AND NOT mask) XOR value.</summary>
    public void XMark(uint value, uint mask) => Mark = (Mark & ~mask) ^ value;
}

/// <summary>Reads the numbers marks are written with ("0x4000", "16384").</summary>
internal static class MarkValue
{
    public static bool TryParse(string? s, out uint v)
    {
        v = 0;
        if (s is null) return false;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out v);
        return uint.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out v);
    }

    /// <summary>"value[/mask]" (mask defaults to all ones).</summary>
    public static bool TryParsePair(string? s, out uint value, out uint mask)
    {
        value = 0; mask = uint.MaxValue;
        if (s is null) return false;
        int slash = s.IndexOf('/');
        if (slash < 0) return TryParse(s, out value);
        return TryParse(s[..slash], out value) && TryParse(s[(slash + 1)..], out mask);
    }
}
