using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>The source references `netsleuth collect` puts on what it reads (one shared instance per command).</summary>
internal static class CollectSources
{
    public static readonly SourceRef Addresses = new("ip -d -j address show");
    public static readonly SourceRef Routes = new("ip -d -j route show table all");
    public static readonly SourceRef Rules4 = new("ip -d -j rule show");
    public static readonly SourceRef Rules6 = new("ip -6 -j rule show");
    public static readonly SourceRef Neighbors = new("ip -d -j neigh show nud all");
    public static readonly SourceRef Fdb = new("bridge -j fdb show");
    public static readonly SourceRef Qdiscs = new("tc -j qdisc show");
    public static readonly SourceRef Nft = new("nft -j list ruleset");
    public static readonly SourceRef Ovs = new("ovs-vsctl --db=unix:/run/openvswitch/db.sock");
    public static readonly SourceRef IptablesTable = new("iptables-save", 2);

    public static SourceRef Filters(string dev) => new($"tc -j filter show dev {dev} ingress");
    public static SourceRef IptablesRule(int line) => new("iptables-save", line);

    /// <summary>Per-device sysctls the collector reads under net.ipv4.conf.DEV (and forwarding under ipv6).</summary>
    public static readonly string[] V4Conf = ["accept_local", "arp_filter", "arp_ignore", "forwarding", "proxy_arp", "rp_filter"];
}
