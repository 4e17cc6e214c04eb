using System.Globalization;

namespace NetSleuth.Bench;

/// <summary>
/// A large Kubernetes worker for the import benchmark: Calico-style pods (a veth "caliXXXXXXXXXXX" in the
/// root namespace, "eth0@ifN" with a /32 and a /128 in the pod's "cni-UUID" namespace, a host route each
/// way), VM taps on an OVS br-int, kube-proxy iptables rules for a quarter as many services as pods.
/// It writes the text each command prints, in the format of iproute2 6.1 / iptables 1.8.9 / OVS 3.1 as
/// captured in tests/NetSleuth.Tests/Fixtures (iproute2/kinds, sosreport, ovs, netfilter). Nothing here
/// touches the machine: it only writes text.
/// </summary>
internal sealed partial class BigHost
{
    public const string Name = "bignode-17";
    private const int FirstPodIndex = 7; // root ifindex of the first cali veth (1 lo … 6 genev_sys_6081)
    public const string PodGatewayMac = "ee:ee:ee:ee:ee:ee";
    public const string PodGatewayLl = "fe80::ecee:eeff:feee:eeee";

    public int Pods { get; }
    public int Taps { get; }
    public int Services => Math.Max(1, Pods / 4);
    public int RootLinks => 6 + Pods + Taps;
    public int TotalLinks => RootLinks + 2 * Pods;

    public BigHost(int links)
    {
        // links = 6 + pods (cali) + pods/10 (taps) + 2 pods (lo, eth0 in each pod)
        Pods = Math.Max(1, (int)((links - 6) / 3.1));
        Taps = Math.Max(1, Pods / 10);
    }

    // ---- names and addresses, deterministic per index ----

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private static string Hex(ulong v, int digits) => v.ToString("x16", CultureInfo.InvariantCulture)[..digits];

    public string Ns(int i)
    {
        var h = Hex(Mix((ulong)i * 2 + 1), 16) + Hex(Mix((ulong)i * 2 + 2), 16);
        return $"cni-{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }

    public string Cali(int i) => "cali" + Hex(Mix((ulong)i + 0x1000000), 11);
    public string Tap(int t) { var h = Hex(Mix((ulong)t + 0x2000000), 10); return $"tap{h[..8]}-{h[8..]}"; }
    public static int PodIfIndex(int i) => FirstPodIndex + i;
    public int TapIfIndex(int t) => FirstPodIndex + Pods + t;
    public string PodIp(int i) => V4(0xC6120000u + 10u + (uint)i);               // 198.18.0.10 + i
    public static string PodIp6(int i) => "2001:db8:42::" + (0x10 + i).ToString("x", CultureInfo.InvariantCulture);
    public static string ServiceIp(int s) => V4(0xC6138000u + 10u + (uint)s);      // 198.19.128.10 + s
    public string PodMac(int i) => MacOf(0x0a5800000000UL | (Mix((ulong)i) & 0xffffffffUL));
    public string TapMac(int t) => MacOf(0xfe163e000000UL | (Mix((ulong)t + 7) & 0xffffffUL));
    public static string NodeIp(int n) => "198.51.100." + (11 + n % 240).ToString(CultureInfo.InvariantCulture);

    public static string V4(uint a) => string.Create(CultureInfo.InvariantCulture, $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}");

    private static string MacOf(ulong v) => string.Join(':', Enumerable.Range(0, 6).Select(k => ((v >> (40 - 8 * k)) & 255).ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>The EUI-64 link-local address of a MAC ("0a:58:…" → "fe80::858:…").</summary>
    public static string LinkLocal(string mac)
    {
        var b = mac.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();
        b[0] ^= 2;
        int[] g = [b[0] << 8 | b[1], b[2] << 8 | 0xff, 0xfe << 8 | b[3], b[4] << 8 | b[5]];
        return "fe80::" + string.Join(':', g.Select(x => x.ToString("x", CultureInfo.InvariantCulture)));
    }

    public const string DetailTail = "numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ";
    private const string Promisc = "promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ";
    private const string Stats = """
            RX:  bytes packets errors dropped  missed   mcast           
                 5848      62      0       0       0       0 
            TX:  bytes packets errors dropped carrier collsns           
                 9610     101      0       0       0       0 

        """;

    /// <summary>`ip [-s] -d link show` / `ip -d address show` / `ip address show` of the root namespace.</summary>
    public void WriteRootLinks(TextWriter w, bool details, bool addresses, bool stats)
    {
        string mode = details || !addresses ? "mode DEFAULT " : "";
        void Head(int idx, string name, string flags, int mtu, string qdisc, string rest) =>
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{idx}: {name}: <{flags}> mtu {mtu} qdisc {qdisc} {rest}{mode}group default qlen 1000\n"));
        void Tail() { if (stats) w.Write(Stats); }
        void Kind(string line) { if (details) w.Write("    " + line + "\n"); }
        string P(string s) => details ? " " + s : "";

        Head(1, "lo", "LOOPBACK,UP,LOWER_UP", 65536, "noqueue", "state UNKNOWN ");
        w.Write("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00" + P("promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ") + "\n");
        if (addresses) w.Write("    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n");
        Tail();
        Head(2, "ens3", "BROADCAST,MULTICAST,UP,LOWER_UP", 1500, "fq_codel", "state UP ");
        w.Write("    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff" + P(Promisc + "addrgenmode none numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 parentbus virtio parentdev virtio0 ") + "\n");
        w.Write("    altname enp0s3\n");
        if (addresses) w.Write("    inet 198.51.100.10/24 brd 198.51.100.255 scope global ens3\n       valid_lft forever preferred_lft forever\n    inet6 fe80::5054:ff:fe12:3456/64 scope link \n       valid_lft forever preferred_lft forever\n");
        Tail();
        Head(3, "vxlan.calico", "BROADCAST,MULTICAST,UP,LOWER_UP", 1450, "noqueue", "state UNKNOWN ");
        w.Write("    link/ether 66:1f:3a:27:b0:9e brd ff:ff:ff:ff:ff:ff" + P(Promisc) + "\n");
        Kind("vxlan id 4096 local 198.51.100.10 dev ens3 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 " + DetailTail);
        if (addresses) w.Write("    inet 198.18.0.1/32 scope global vxlan.calico\n       valid_lft forever preferred_lft forever\n");
        Tail();
        Head(4, "ovs-system", "BROADCAST,MULTICAST", 1500, "noop", "state DOWN ");
        w.Write("    link/ether 5e:8c:4e:93:3d:8a brd ff:ff:ff:ff:ff:ff" + P(Promisc) + "\n");
        Kind("openvswitch addrgenmode eui64 " + DetailTail);
        Tail();
        Head(5, "br-int", "BROADCAST,MULTICAST", 1400, "noop", "state DOWN ");
        w.Write("    link/ether 4a:d8:91:6c:2e:40 brd ff:ff:ff:ff:ff:ff" + P(Promisc) + "\n");
        Kind("openvswitch addrgenmode eui64 " + DetailTail);
        Tail();
        Head(6, "genev_sys_6081", "BROADCAST,MULTICAST,UP,LOWER_UP", 65000, "noqueue", "master ovs-system state UNKNOWN ");
        w.Write("    link/ether 0e:3d:5c:8a:11:f2 brd ff:ff:ff:ff:ff:ff" + P(Promisc) + "\n");
        Kind("geneve external id 0 ttl auto dstport 6081 udp6zerocsumrx ");
        Kind("openvswitch_slave addrgenmode eui64 " + DetailTail);
        Tail();
        for (int i = 0; i < Pods; i++)
        {
            Head(PodIfIndex(i), Cali(i) + "@if2", "BROADCAST,MULTICAST,UP,LOWER_UP", 1450, "noqueue", "state UP ");
            w.Write("    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns " + Ns(i) + P(Promisc) + "\n");
            Kind("veth addrgenmode eui64 " + DetailTail);
            if (addresses) w.Write("    inet6 " + PodGatewayLl + "/64 scope link \n       valid_lft forever preferred_lft forever\n");
            Tail();
        }
        for (int t = 0; t < Taps; t++)
        {
            Head(TapIfIndex(t), Tap(t), "BROADCAST,MULTICAST,UP,LOWER_UP", 1450, "fq_codel", "master ovs-system state UNKNOWN ");
            w.Write("    link/ether " + TapMac(t) + " brd ff:ff:ff:ff:ff:ff" + P("promiscuity 1  allmulti 0 minmtu 68 maxmtu 65521 ") + "\n");
            Kind("tun type tap pi off vnet_hdr on persist off ");
            Kind("openvswitch_slave addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ");
            if (addresses) w.Write("    inet6 " + LinkLocal(TapMac(t)) + "/64 scope link \n       valid_lft forever preferred_lft forever\n");
            Tail();
        }
    }

    /// <summary>`ip [-d] address show` inside pod <paramref name="i"/>.</summary>
    public void PodAddresses(TextWriter w, int i, bool details)
    {
        string P(string s) => details ? " " + s : "";
        w.Write("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n");
        w.Write("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00" + P("promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ") + "\n");
        w.Write("    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n");
        w.Write(string.Create(CultureInfo.InvariantCulture, $"2: eth0@if{PodIfIndex(i)}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000\n"));
        w.Write("    link/ether " + PodMac(i) + " brd ff:ff:ff:ff:ff:ff link-netnsid 0" + P(Promisc) + "\n");
        if (details) w.Write("    veth " + DetailTail + "\n");
        w.Write("    inet " + PodIp(i) + "/32 scope global eth0\n       valid_lft forever preferred_lft forever\n");
        w.Write("    inet6 " + PodIp6(i) + "/128 scope global \n       valid_lft forever preferred_lft forever\n");
        w.Write("    inet6 " + LinkLocal(PodMac(i)) + "/64 scope link \n       valid_lft forever preferred_lft forever\n");
    }
}
