using System.Text.Json;

namespace NetSleuth.Model;

/// <summary>One iptables table of one family, as `iptables-save` prints it.</summary>
public sealed class IptablesTable
{
    /// <summary>"ipv4" or "ipv6".</summary>
    public string Family { get; set; } = "ipv4";
    public required string Name { get; set; }
    /// <summary>"nf_tables" (iptables-nft) or "legacy" (x_tables), when the output told.</summary>
    public string? Backend { get; set; }
    public List<IptablesChain> Chains { get; set; } = [];
    public List<IptablesRule> Rules { get; set; } = [];
    public SourceRef? Source { get; set; }
}

public sealed class IptablesChain
{
    public required string Name { get; set; }
    /// <summary>ACCEPT/DROP for built-in chains, null ("-") for user chains.</summary>
    public string? Policy { get; set; }
    public long? Packets { get; set; }
    public long? Bytes { get; set; }
}

public sealed class IptablesRule
{
    public required string Chain { get; set; }
    /// <summary>The rule's arguments after "-A CHAIN", as printed (quoted parts kept whole).</summary>
    public List<string> Args { get; set; } = [];
    /// <summary>-j/-g target (ACCEPT, DROP, REJECT, RETURN, a chain, …), null when the rule only counts.</summary>
    public string? Target { get; set; }
    public bool IsGoto { get; set; }
    public long? Packets { get; set; }
    public long? Bytes { get; set; }
    public SourceRef? Source { get; set; }

    public override string ToString() => $"-A {Chain} {string.Join(' ', Args)}";
}

/// <summary>An nftables ruleset, from `nft -j list ruleset` (or parsed from `nft list ruleset` text).</summary>
public sealed class NftRuleset
{
    public List<NftTable> Tables { get => field ??= []; set; }
    public List<NftChain> Chains { get => field ??= []; set; }
    public List<NftRule> Rules { get => field ??= []; set; }
    /// <summary>Named sets and maps (kube-proxy's service-ips, cluster-ips, …).</summary>
    public List<NftSet> Sets { get => field ??= []; set; }
    public SourceRef? Source { get; set; }
}

/// <summary>A named nft set or map; for a map each element has a value (a verdict such as "goto service-…").</summary>
public sealed class NftSet
{
    public required string Family { get; set; }
    public required string Table { get; set; }
    public required string Name { get; set; }
    /// <summary>"ipv4_addr . inet_proto . inet_service" (a map: the key type).</summary>
    public string? Type { get; set; }
    /// <summary>The value type of a map ("verdict", "ipv4_addr"); null for a set.</summary>
    public string? MapType { get; set; }
    public List<NftElement> Elements { get; set; } = [];
    public SourceRef? Source { get; set; }
}

/// <summary>One element: its key as nft prints it ("10.96.0.10 . tcp . 53", "10.0.0.0/8") and, in a map, its value.</summary>
public sealed class NftElement
{
    public required string Key { get; set; }
    public string? Value { get; set; }
    /// <summary>The element's comment (kube-proxy names the Service port there: "default/web:http").</summary>
    public string? Comment { get; set; }
}

public sealed class NftTable
{
    /// <summary>ip, ip6, inet, arp, bridge, netdev.</summary>
    public required string Family { get; set; }
    public required string Name { get; set; }
}

public sealed class NftChain
{
    public required string Family { get; set; }
    public required string Table { get; set; }
    public required string Name { get; set; }
    /// <summary>filter, nat, route for base chains; null for regular chains.</summary>
    public string? Type { get; set; }
    /// <summary>prerouting, input, forward, output, postrouting, ingress, egress.</summary>
    public string? Hook { get; set; }
    public int? Priority { get; set; }
    /// <summary>accept or drop.</summary>
    public string? Policy { get; set; }
    public string? Device { get; set; }
}

public sealed class NftRule
{
    public required string Family { get; set; }
    public required string Table { get; set; }
    public required string Chain { get; set; }
    public long? Handle { get; set; }
    /// <summary>The rule as nft prints it in text ("ip daddr 198.18.0.0/15 udp dport 4789 drop"), when known.</summary>
    public string? Text { get; set; }
    /// <summary>The "expr" array of `nft -j`, kept whole.</summary>
    public JsonElement? Expr { get; set; }
    public SourceRef? Source { get; set; }
}
