using NetSleuth.Model.Collections;
namespace NetSleuth.Model;

/// <summary>
/// One network namespace and everything in it that decides where a packet goes.
/// A list that is empty because its input was never seen is told apart from an empty table by
/// <see cref="Known"/>: a section absent from it is unknown, not empty.
/// Its collections, and those of the records loaded by the thousand (links, addresses, routes, neighbours, FDB entries,
/// nft rulesets), are made when first used (<c>field ??= []</c>): a pod with no conntrack, IPVS or FDB entries holds no
/// empty lists for them. A load that shares records gives them its file's one empty list instead (FastJson/RecordPool).
/// </summary>
public sealed class NetNamespace
{
    /// <summary>Stable key within the host: "root", the netns name, or "inode:N" for unnamed ones.</summary>
    public required string Id { get; set; }
    /// <summary>The name under /run/netns, if named.</summary>
    public string? Name { get; set; }
    public long? Inode { get; set; }
    public bool IsRoot { get; set; }
    /// <summary>A few processes living in it (for unnamed container namespaces), with their command names.</summary>
    public List<NsProcess> Processes { get => field ??= []; set; }
    /// <summary>This namespace's view of the others: netnsid → namespace Id (as `ip netns list-id` inside it).</summary>
    public List<NetnsIdEntry> NetnsIds { get => field ??= []; set; }

    /// <summary>Sections whose input was seen; see <see cref="Sections"/>.</summary>
    public StringSet Known { get => field ??= new(); set; }

    public List<Link> Links { get => field ??= []; set; }
    public List<Route> Routes { get => field ??= []; set; }
    public List<Rule> Rules { get => field ??= []; set; }
    public List<Neighbor> Neighbors { get => field ??= []; set; }
    public List<FdbEntry> Fdb { get => field ??= []; set; }
    public List<TcQdisc> Qdiscs { get => field ??= []; set; }
    public List<TcFilter> Filters { get => field ??= []; set; }
    public List<IptablesTable> Iptables { get => field ??= []; set; }
    public NftRuleset? Nftables { get; set; }
    /// <summary>Connection-tracking entries (`conntrack -L`), when the input holds them (Sections.Conntrack).</summary>
    public List<ConntrackEntry> Conntrack { get => field ??= []; set; }
    /// <summary>IPVS virtual services (`ipvsadm -Ln`), when the input holds them (Sections.Ipvs).</summary>
    public List<IpvsService> Ipvs { get => field ??= []; set; }
    /// <summary>ipsets (`ipset list`).</summary>
    public List<IpSet> Ipsets { get => field ??= []; set; }
    /// <summary>Forwarding-relevant sysctls, keyed as sysctl prints them ("net.ipv4.conf.eth0.rp_filter").</summary>
    public StringMap Sysctls { get => field ??= new(); set; }
    /// <summary>Open vSwitch, when an ovs-vswitchd runs in this namespace and its OVSDB was read.</summary>
    public OvsState? Ovs { get; set; }
    /// <summary>OVN's logical switch ports, when the input holds `ovn-nbctl` output.</summary>
    public OvnState? Ovn { get; set; }
    /// <summary>Answers of `ip route get` found in an import (not FIB entries).</summary>
    public List<RouteLookup> RouteLookups { get => field ??= []; set; }

    public bool IsKnown(string section) => Known.Contains(section);

    /// <summary>True when the whole neighbour table of the address's family is in the input (`ip neigh` for
    /// both, `arp -a` or `ip -4 neigh` for IPv4). An entry that was seen is a fact either way; this only says
    /// whether an entry that was not seen is absent.</summary>
    public bool NeighborsKnown(System.Net.IPAddress address) =>
        Known.Contains(Sections.Neighbors) ||
        Known.Contains(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Sections.Neighbors4 : Sections.Neighbors6);
    [System.Text.Json.Serialization.JsonIgnore] public string DisplayName => Name ?? (IsRoot ? "root" : Id);

    public Link? FindLink(string name) => Links.FirstOrDefault(l => l.Name == name);
    public Link? FindLink(int index) => Links.FirstOrDefault(l => l.Index == index);

    public string? Sysctl(string key) => Sysctls.TryGetValue(key, out var v) ? v : null;

    public override string ToString() => DisplayName;
}

/// <summary>Names of the sections of <see cref="NetNamespace.Known"/>.</summary>
public static class Sections
{
    public const string Links = "links";
    /// <summary>Link details (kind, veth peer, vxlan attributes) — `ip -d link`.</summary>
    public const string LinkDetails = "link-details";
    public const string Addresses = "addresses";
    public const string Routes4 = "routes4";
    public const string Routes6 = "routes6";
    /// <summary>Routes of every table (not only main).</summary>
    public const string AllTables = "routes-all-tables";
    public const string Rules4 = "rules4";
    public const string Rules6 = "rules6";
    /// <summary>The whole neighbour table, both families (`ip neigh`).</summary>
    public const string Neighbors = "neighbors";
    /// <summary>The IPv4 neighbour table only (`arp -a`, `ip -4 neigh`).</summary>
    public const string Neighbors4 = "neighbors4";
    /// <summary>The IPv6 neighbour table only (`ip -6 neigh`).</summary>
    public const string Neighbors6 = "neighbors6";
    public const string Fdb = "fdb";
    public const string Tc = "tc";
    public const string Iptables = "iptables";
    public const string Nftables = "nftables";
    /// <summary>The conntrack table (`conntrack -L`).</summary>
    public const string Conntrack = "conntrack";
    /// <summary>The IPVS table (`ipvsadm -Ln`).</summary>
    public const string Ipvs = "ipvs";
    public const string Ipsets = "ipsets";
    public const string Sysctls = "sysctls";
    public const string NetnsIds = "netns-ids";
    public const string Ovs = "ovs";
}

public sealed record NsProcess(int Pid, string? Command);

public sealed record NetnsIdEntry(int Id, string? Namespace);
