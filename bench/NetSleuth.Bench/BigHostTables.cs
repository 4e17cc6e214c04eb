using System.Globalization;

namespace NetSleuth.Bench;

/// <summary>Routes, neighbours, FDB, qdiscs, filters, firewall and OVS of <see cref="BigHost"/>, as the tools print them.</summary>
internal sealed partial class BigHost
{
    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>`ip route show table all` of the root namespace (both families; <paramref name="v4"/>/<paramref name="v6"/> select).</summary>
    public void RootRoutes(TextWriter w, bool v4 = true, bool v6 = true)
    {
        if (v4)
        {
            w.Write("default via 198.51.100.1 dev ens3 proto dhcp src 198.51.100.10 metric 100 \n");
            for (int n = 0; n < 240; n++) // other nodes' pod blocks, learned by BIRD
                w.Write(I($"198.18.{128 + n % 120}.{n / 120 * 64}/26 via {NodeIp(n)} dev ens3 proto bird \n"));
            w.Write("blackhole 198.18.0.0/26 proto bird \n");
            for (int i = 0; i < Pods; i++) w.Write(PodIp(i) + " dev " + Cali(i) + " scope link \n");
            w.Write("198.51.100.0/24 dev ens3 proto kernel scope link src 198.51.100.10 metric 100 \n");
            w.Write("local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n");
            w.Write("local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n");
            w.Write("broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n");
            w.Write("local 198.18.0.1 dev vxlan.calico table local proto kernel scope host src 198.18.0.1 \n");
            w.Write("local 198.51.100.10 dev ens3 table local proto kernel scope host src 198.51.100.10 \n");
            w.Write("broadcast 198.51.100.255 dev ens3 table local proto kernel scope link src 198.51.100.10 \n");
        }
        if (!v6) return;
        for (int i = 0; i < Pods; i++) w.Write(PodIp6(i) + " dev " + Cali(i) + " metric 1024 pref medium\n");
        w.Write("fe80::/64 dev ens3 proto kernel metric 256 pref medium\n");
        for (int i = 0; i < Pods; i++) w.Write("fe80::/64 dev " + Cali(i) + " proto kernel metric 256 pref medium\n");
        for (int t = 0; t < Taps; t++) w.Write("fe80::/64 dev " + Tap(t) + " proto kernel metric 256 pref medium\n");
        w.Write("local ::1 dev lo table local proto kernel metric 0 pref medium\n");
        w.Write("local fe80::5054:ff:fe12:3456 dev ens3 table local proto kernel metric 0 pref medium\n");
        for (int i = 0; i < Pods; i++) w.Write("local " + PodGatewayLl + " dev " + Cali(i) + " table local proto kernel metric 0 pref medium\n");
        for (int t = 0; t < Taps; t++) w.Write("local " + LinkLocal(TapMac(t)) + " dev " + Tap(t) + " table local proto kernel metric 0 pref medium\n");
        w.Write("multicast ff00::/8 dev ens3 table local proto kernel metric 256 pref medium\n");
        for (int i = 0; i < Pods; i++) w.Write("multicast ff00::/8 dev " + Cali(i) + " table local proto kernel metric 256 pref medium\n");
        for (int t = 0; t < Taps; t++) w.Write("multicast ff00::/8 dev " + Tap(t) + " table local proto kernel metric 256 pref medium\n");
    }

    /// <summary>Number of root routes <see cref="RootRoutes"/> prints (both families).</summary>
    public int RootRouteCount => 240 + 2 + Pods + 7 + Pods + 1 + Pods + Taps + 2 + Pods + Taps + 1 + Pods + Taps;

    public void PodRoutes(TextWriter w, int i)
    {
        var ip = PodIp(i);
        w.Write("default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n");
        w.Write("local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n");
        w.Write("local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n");
        w.Write("broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n");
        w.Write("local " + ip + " dev eth0 table local proto kernel scope host src " + ip + " \n");
        w.Write(PodIp6(i) + " dev eth0 proto kernel metric 256 pref medium\n");
        w.Write("fe80::/64 dev eth0 proto kernel metric 256 pref medium\n");
        w.Write("default via " + PodGatewayLl + " dev eth0 metric 1024 pref medium\n");
        w.Write("local ::1 dev lo table local proto kernel metric 0 pref medium\n");
        w.Write("local " + PodIp6(i) + " dev eth0 table local proto kernel metric 0 pref medium\n");
        w.Write("local " + LinkLocal(PodMac(i)) + " dev eth0 table local proto kernel metric 0 pref medium\n");
        w.Write("multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n");
    }

    /// <summary>`ip neigh` (or with <paramref name="stats"/> `ip -s -s neigh show`) of the root namespace.</summary>
    public void RootNeighbors(TextWriter w, bool stats)
    {
        string S(string used, int probes) => stats ? I($" used {used}probes {probes}") : "";
        w.Write("198.51.100.1 dev ens3 lladdr 52:54:00:00:00:01" + (stats ? " ref 1" : "") + S("12/7/5", 1) + " REACHABLE \n");
        for (int n = 0; n < 240; n++) w.Write(I($"{NodeIp(n)} dev ens3 lladdr 52:54:00:00:{n / 256:x2}:{n % 256:x2}{S("301/296/250", 1)} STALE \n"));
        for (int i = 0; i < Pods; i++) w.Write(PodIp(i) + " dev " + Cali(i) + " lladdr " + PodMac(i) + S("44/44/19", 0) + " STALE \n");
        w.Write("fe80::1 dev ens3 lladdr 52:54:00:00:00:01 router" + S("8/3/1", 1) + " STALE \n");
    }

    public void PodNeighbors(TextWriter w, bool stats) =>
        w.Write("169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee" + (stats ? " ref 1 used 0/0/0probes 1" : "") + " REACHABLE \n" +
                PodGatewayLl + " dev eth0 lladdr ee:ee:ee:ee:ee:ee router" + (stats ? " used 13/13/13probes 1" : "") + " STALE \n");

    /// <summary>`bridge fdb show` of the root namespace: the multicast entries every device has, the VXLAN peers.</summary>
    public void RootFdb(TextWriter w)
    {
        w.Write("33:33:00:00:00:01 dev ens3 self permanent\n01:00:5e:00:00:01 dev ens3 self permanent\n33:33:ff:12:34:56 dev ens3 self permanent\n");
        for (int n = 0; n < 240; n++) w.Write(I($"66:1f:3a:00:{n / 256:x2}:{n % 256:x2} dev vxlan.calico dst {NodeIp(n)} self permanent\n"));
        for (int i = 0; i < Pods; i++)
        {
            var c = Cali(i);
            w.Write("33:33:00:00:00:01 dev " + c + " self permanent\n01:00:5e:00:00:01 dev " + c + " self permanent\n33:33:ff:ee:ee:ee dev " + c + " self permanent\n");
        }
        for (int t = 0; t < Taps; t++) w.Write("33:33:00:00:00:01 dev " + Tap(t) + " self permanent\n01:00:5e:00:00:01 dev " + Tap(t) + " self permanent\n");
    }

    /// <summary>`tc [-s] qdisc show` of the root namespace.</summary>
    public void RootQdiscs(TextWriter w, bool stats)
    {
        const string Sent = " Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n";
        const string FqCodel = " root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms interval 100ms memory_limit 32Mb ecn drop_batch 64 \n";
        void Q(string line) { w.Write(line); if (stats) w.Write(Sent); }
        Q("qdisc noqueue 0: dev lo root refcnt 2 \n");
        Q("qdisc fq_codel 0: dev ens3" + FqCodel);
        Q("qdisc noqueue 0: dev vxlan.calico root refcnt 2 \n");
        Q("qdisc noqueue 0: dev genev_sys_6081 root refcnt 2 \n");
        for (int i = 0; i < Pods; i++) Q("qdisc noqueue 0: dev " + Cali(i) + " root refcnt 2 \n");
        for (int t = 0; t < Taps; t++)
        {
            Q("qdisc fq_codel 0: dev " + Tap(t) + FqCodel);
            Q("qdisc ingress ffff: dev " + Tap(t) + " parent ffff:fff1 ---------------- \n");
        }
    }

    /// <summary>`tc filter show dev TAP ingress`: a policing u32 filter (as tc prints the fixture's u32 filters).</summary>
    public static void TapIngressFilter(TextWriter w, int t) => w.Write(I($"""
        filter parent ffff: protocol all pref 49152 u32 chain 0 
        filter parent ffff: protocol all pref 49152 u32 chain 0 fh 800: ht divisor 1 
        filter parent ffff: protocol all pref 49152 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 terminal flowid not_in_hw 
          match 00000000/00000000 at 0
                action order 1: mirred (Egress Redirect to device ifb{t}) stolen
                index {t + 1} ref 1 bind 1

        """));

    /// <summary>`iptables-save` of kube-proxy: a KUBE-SVC chain per service, a KUBE-SEP chain per endpoint (two per service).</summary>
    public void RootIptablesSave(TextWriter w)
    {
        const string Gen = "# Generated by iptables-nft-save v1.8.9 (nf_tables) on Wed Nov 25 14:32:39 2026\n";
        const string Done = "COMMIT\n# Completed on Wed Nov 25 14:32:39 2026\n";
        w.Write(Gen + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-FORWARD - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        w.Write("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        w.Write("-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n");
        w.Write("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n");
        w.Write("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n" + Done);
        w.Write(Gen + "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        string Svc(int s) => "KUBE-SVC-" + Hex(Mix((ulong)s + 0x3000000), 16).ToUpperInvariant();
        string Sep(int s, int e) => "KUBE-SEP-" + Hex(Mix((ulong)(s * 2 + e) + 0x4000000), 16).ToUpperInvariant();
        for (int s = 0; s < Services; s++) w.Write(":" + Svc(s) + " - [0:0]\n:" + Sep(s, 0) + " - [0:0]\n:" + Sep(s, 1) + " - [0:0]\n");
        w.Write("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        w.Write("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        w.Write("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        w.Write("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
        w.Write("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
        w.Write("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        for (int s = 0; s < Services; s++)
        {
            var name = I($"ns{s % 97}/svc{s}:http");
            w.Write(I($"-A KUBE-SERVICES -d {ServiceIp(s)}/32 -p tcp -m comment --comment \"{name} cluster IP\" -m tcp --dport 80 -j {Svc(s)}\n"));
            for (int e = 0; e < 2; e++)
            {
                var pod = PodIp((s * 2 + e) % Pods);
                w.Write(e == 0
                    ? I($"-A {Svc(s)} -m comment --comment \"{name} -> {pod}:8080\" -m statistic --mode random --probability 0.50000000000 -j {Sep(s, e)}\n")
                    : I($"-A {Svc(s)} -m comment --comment \"{name} -> {pod}:8080\" -j {Sep(s, e)}\n"));
                w.Write(I($"-A {Sep(s, e)} -s {pod}/32 -m comment --comment \"{name}\" -j KUBE-MARK-MASQ\n"));
                w.Write(I($"-A {Sep(s, e)} -p tcp -m comment --comment \"{name}\" -m tcp -j DNAT --to-destination {pod}:8080\n"));
            }
        }
        w.Write(Done);
    }

    /// <summary>`ovs-vsctl show`: br-int with a port per VM tap and a Geneve tunnel per other node.</summary>
    public void OvsShow(TextWriter w)
    {
        w.Write("3f9b6c2e-8d41-4f0a-b7c5-2e91d4a0c6f3\n    Bridge br-int\n        fail_mode: secure\n        datapath_type: system\n");
        for (int n = 0; n < 24; n++)
            w.Write(I($"        Port ovn-node{n:x2}-0\n            Interface ovn-node{n:x2}-0\n                type: geneve\n                options: {{csum=\"true\", key=flow, remote_ip=\"{NodeIp(n)}\"}}\n"));
        for (int t = 0; t < Taps; t++) w.Write("        Port " + Tap(t) + "\n            Interface " + Tap(t) + "\n");
        w.Write("        Port br-int\n            Interface br-int\n                type: internal\n    ovs_version: \"3.1.0\"\n");
    }

    /// <summary>`nft list ruleset` of the root namespace (kube-proxy's nft canary tables beside iptables-nft).</summary>
    public static void RootNft(TextWriter w) => w.Write("""
        table ip filter {
        	chain INPUT {
        		type filter hook input priority filter; policy accept;
        		ct state new  counter packets 0 bytes 0 jump KUBE-SERVICES
        	}

        	chain KUBE-SERVICES {
        	}
        }
        table ip mangle {
        	chain KUBE-KUBELET-CANARY {
        	}
        }

        """);
}
