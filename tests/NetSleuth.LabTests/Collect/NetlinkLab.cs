using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect;

/// <summary>
/// Four namespaces ("nsnl" + a random part) holding what the in-process netlink reader must decode as the
/// `ip`/`tc` JSON path does: node (stands in as the root) with a bridge and its ports, a vxlan of its own and
/// one created here and moved into pod (x-netns underlay), a tap, an ifb, a macvtap, addresses (secondary,
/// deprecated, peer, IPv6), routes in several tables (blackhole, unreachable, prohibit, throw, multipath,
/// mtu, onlink, IPv6), IPv4/IPv6 rules, permanent/stale/proxy neighbours, static FDB entries, ingress,
/// clsact and htb qdiscs with u32 and bpf filters and mirred actions, and an nft table; pod (the mission's
/// eth0 ↔ vxlan mirred glue, no nft table); odd (a u32 filter on ethertype 0x1234, which the reader hands to
/// `tc`); under (the underlay peer). IPv6 is on only in node, with no link-local addresses and no DAD, so
/// nothing changes by itself but the kernel's own multicast joins. VLAN and gact are added when the kernel
/// has them (<see cref="Missing"/> says what it lacked). Deleted on Dispose, also after a failed test.
/// </summary>
public sealed class NetlinkLab : IDisposable
{
    public string Prefix { get; } = "nsnl" + Guid.NewGuid().ToString("N")[..6] + "-";
    public string Node => Prefix + "node";
    public string Pod => Prefix + "pod";
    public string Odd => Prefix + "odd";
    public string Under => Prefix + "under";
    public IReadOnlyList<string> Names => [Node, Pod, Odd, Under];
    /// <summary>Features the kernel lacked ("vlan", "gact"), so they are not in the lab.</summary>
    public List<string> Missing { get; } = [];

    public NetlinkLab()
    {
        try { Build(); }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        foreach (var n in Names)
        {
            Sh($"ip netns add {n}");
            Sh(n == Node
                ? $"ip netns exec {n} sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0"
                : $"ip netns exec {n} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
        }
        Batch(Node,
            "link set lo up", "link add br0 type bridge", "link set br0 up",
            "address add 198.18.0.1/24 dev br0", "address add 198.18.0.2/24 dev br0",
            "address add 198.18.0.3/24 dev br0 valid_lft 600 preferred_lft 0",
            "address add 198.18.9.1/32 peer 198.18.9.2/32 dev br0", "address add 2001:db8:1::1/64 dev br0 nodad",
            "link add ul type veth peer name ul netns " + Under,
            "address add 198.51.100.1/24 dev ul", "link set ul up",
            "link add vb type veth peer name eth0 netns " + Pod, "link set vb master br0", "link set vb up",
            "link add vc type veth peer name eth0 netns " + Odd, "link set vc up",
            "link add vx0 type vxlan id 100 local 198.51.100.1 group 239.1.1.1 dev ul dstport 4789 ttl 4 srcport 1000 2000",
            "link set vx0 master br0", "link set vx0 up",
            "link add vx6 type vxlan id 106 remote 2001:db8:1::9 dstport 4789 proxy nolearning",
            "link add vxpod type vxlan id 555005 remote 198.51.100.2 dstport 4789 nolearning dev ul",
            "link add ifb0 type ifb", "link add mvt0 link ul type macvtap mode vepa",
            "route add 203.0.113.0/24 via 198.51.100.2 table 100", "route add blackhole 203.0.113.128/25 table 100",
            "route add throw 198.18.50.0/24 table 100", "route add unreachable 198.18.5.0/24", "route add prohibit 198.18.6.0/24",
            "route add 198.18.7.0/24 mtu 1400 nexthop via 198.51.100.2 weight 2 nexthop via 198.51.100.3",
            "route add 198.18.8.0/24 via 198.51.100.2 mtu lock 1300 metric 5 proto static",
            "route add 198.18.10.0/24 via 198.51.100.4 dev ul onlink",
            "route add 2001:db8:2::/64 via 2001:db8:1::9 table 100",
            "route add 2001:db8:3::/64 nexthop via 2001:db8:1::7 dev br0 weight 3 nexthop via 2001:db8:1::8 dev br0",
            "rule add from 198.18.0.0/24 lookup 100 pref 1000", "rule add fwmark 0x10/0xff lookup 100 pref 1100",
            "rule add not to 203.0.113.0/24 iif ul prohibit pref 1200", "rule add from 198.18.3.0/24 goto 1300 pref 1250",
            "rule add from 198.18.4.0/24 lookup main suppress_prefixlength 0 pref 1300",
            "rule add ipproto tcp dport 80-90 unreachable pref 1400",
            "neigh add 198.51.100.7 lladdr 02:00:00:00:00:07 dev ul nud permanent",
            "neigh add 198.51.100.8 lladdr 02:00:00:00:00:08 dev ul nud stale",
            "neigh add 2001:db8:1::7 lladdr 02:00:00:00:00:17 dev br0 router nud permanent",
            "neigh add proxy 198.18.0.77 dev br0");
        Sh($"ip -n {Node} -6 rule add from 2001:db8:1::/64 lookup 100 pref 1001");
        Sh($"ip -n {Node} tuntap add mode tap name tap0");
        Sh($"bridge -n {Node} fdb add 02:00:00:00:00:aa dev vb master static");
        Sh($"bridge -n {Node} fdb append 00:00:00:00:00:00 dev vx0 dst 198.51.100.5");
        if (Try($"ip -n {Node} link add link ul name ul.10 type vlan id 10") is false) Missing.Add("vlan");
        // the vxlan's UDP socket stays in node: an x-netns underlay, as the mission's vxlan1
        Batch(Node, "link set vxpod netns " + Pod);
        Batch(Under, "link set lo up", "address add 198.51.100.2/24 dev ul", "link set ul up");
        Batch(Pod, "link set lo up", "address add 198.18.0.10/24 dev eth0", "link set eth0 address 0a:58:0a:84:02:2e",
            "link set eth0 up", "link set vxpod up", "route add default via 198.18.0.1 dev eth0");
        Batch(Odd, "link set lo up", "address add 198.18.0.20/24 dev eth0", "link set eth0 up");

        Tc(Node, "qdisc add dev ul ingress",
            "filter add dev ul parent ffff: protocol ip u32 match ip dst 203.0.113.0/24 action mirred egress mirror dev vb",
            "qdisc add dev vc clsact",
            "filter add dev vc ingress protocol all u32 match u32 0 0 action mirred ingress mirror dev vb pipe",
            "filter add dev vc egress protocol ip u32 match ip src 198.18.0.0/16 match ip dport 80 0xffff action mirred egress redirect dev ul",
            "qdisc add dev vb root handle 1: htb",
            "filter add dev vb parent 1: protocol ip prio 5 bpf bytecode '1,6 0 0 0' classid 1:1",
            "filter add dev vb parent 1: protocol ipv6 prio 6 u32 match u32 0 0 action mirred egress redirect dev ul");
        Tc(Pod, "qdisc add dev eth0 ingress",
            "filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev vxpod",
            "qdisc add dev vxpod clsact",
            "filter add dev vxpod ingress protocol all u32 match u32 0 0 action mirred egress redirect dev eth0");
        Tc(Odd, "qdisc add dev eth0 ingress",
            "filter add dev eth0 parent ffff: protocol 0x1234 u32 match u32 0 0 action mirred egress mirror dev lo");
        if (Try($"tc -n {Odd} filter add dev eth0 parent ffff: protocol ip u32 match ip dst 198.18.0.0/24 action drop") is false) Missing.Add("gact");
        Sh($"ip netns exec {Node} sysctl -qw net.ipv4.conf.ul.rp_filter=2 net.ipv4.conf.ul.arp_ignore=1 net.ipv4.conf.ul.accept_local=1 " +
            "net.ipv4.conf.vb.proxy_arp=1 net.ipv4.conf.vc.arp_filter=1 net.ipv4.conf.br0.forwarding=1 net.ipv6.conf.br0.forwarding=1 " +
            "net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.proxy_arp=1 net.ipv4.conf.default.arp_ignore=2 net.ipv4.ip_forward=1");
        Sh($"ip netns exec {Node} nft add table inet nsnl");
        Sh($"ip netns exec {Node} nft add chain inet nsnl input '{{ type filter hook input priority 0; policy accept; }}'");
        Sh($"ip netns exec {Node} nft add rule inet nsnl input ip saddr 203.0.113.0/24 counter drop");
        // carrier, operstate and bridge port states settle asynchronously after "up"
        Thread.Sleep(1500);
    }

    private static void Batch(string ns, params string[] lines) =>
        Sh($"ip -n {ns} -batch - <<'EOF'\n{string.Join('\n', lines)}\nEOF");

    private static void Tc(string ns, params string[] lines) =>
        Sh($"tc -n {ns} -batch - <<'EOF'\n{string.Join('\n', lines)}\nEOF");

    /// <summary>Runs a command the kernel may not support: false when it said "unknown"/"not found"/"Failed to load".</summary>
    private static bool Try(string command)
    {
        var r = Proc.Run("sh", "-c", command);
        if (r.Ok) return true;
        if (r.Stderr.Contains("Unknown device type", StringComparison.Ordinal) || r.Stderr.Contains("Failed to load", StringComparison.Ordinal) ||
            r.Stderr.Contains("not found", StringComparison.Ordinal)) return false;
        throw new InvalidOperationException($"lab command failed: {command}\n{r.Stderr}");
    }

    public static string Sh(string command)
    {
        var r = Proc.Run("sh", "-c", command);
        if (!r.Ok) throw new InvalidOperationException($"lab command failed: {command}\n{r.Stderr}");
        return r.Stdout;
    }

    public void Dispose()
    {
        foreach (var line in Proc.Run("ip", "netns", "list").Stdout.Split('\n'))
        {
            var name = line.Split(' ')[0];
            if (name.StartsWith(Prefix, StringComparison.Ordinal)) Proc.Run("ip", "netns", "del", name);
        }
    }
}
