using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NetSleuth.Synth;

/// <summary>One Service port as kube-proxy programs it: its cluster IP and port, its NodePort, its ready endpoints.</summary>
public sealed record ServicePort(string Namespace, string Name, string PortName, string Protocol, string ClusterIp, int Port,
    int? NodePort, IReadOnlyList<(string Ip, int Port)> Endpoints)
{
    /// <summary>"default/web:http" (kube-proxy's ServicePortName).</summary>
    public string PortId => $"{Namespace}/{Name}" + (PortName.Length == 0 ? "" : ":" + PortName);
}

/// <summary>
/// Writes the rules kube-proxy writes for a set of Services, in both modes, the way kube-proxy 1.30+ does
/// (pkg/proxy/iptables/proxier.go and pkg/proxy/nftables/proxier.go, read for their shape; nothing copied): iptables
/// mode's nat table (KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-… with -m statistic, KUBE-MARK-MASQ / KUBE-POSTROUTING
/// masquerade on mark 0x4000, KUBE-NODEPORTS → KUBE-EXT-…) and filter table (REJECT for a Service without endpoints,
/// KUBE-FORWARD); nftables mode's <c>table ip kube-proxy</c> with the service-ips / service-nodeports verdict maps,
/// numgen endpoint choice, dnat and masquerade. Chain names are hashed like kube-proxy's (sha256, base32, 16 chars).
/// </summary>
public static class KubeProxyRules
{
    private static string Hash(string s)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(s));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int bits = 0, value = 0;
        foreach (var b in h)
        {
            value = (value << 8) | b; bits += 8;
            while (bits >= 5 && sb.Length < 16) { sb.Append(alphabet[(value >> (bits - 5)) & 31]); bits -= 5; }
        }
        return sb.ToString();
    }

    private static string Svc(ServicePort s) => "KUBE-SVC-" + Hash(s.PortId + s.Protocol);
    private static string Ext(ServicePort s) => "KUBE-EXT-" + Hash(s.PortId + s.Protocol);
    private static string Sep(ServicePort s, (string Ip, int Port) e) => "KUBE-SEP-" + Hash(s.PortId + s.Protocol + $"{e.Ip}:{e.Port}");

    /// <summary>iptables-save of the nat and filter tables kube-proxy writes (iptables mode).</summary>
    /// <param name="clusterCidr">the pod CIDR (traffic from outside it to a ClusterIP is masqueraded)</param>
    /// <param name="masquerade">false: KUBE-POSTROUTING without its MASQUERADE rule (the missing-masquerade fault)</param>
    public static string IptablesSave(IReadOnlyList<ServicePort> services, string clusterCidr, bool masquerade = true)
    {
        var nat = new StringBuilder();
        var natChains = new List<string> { "KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES" };
        var filter = new StringBuilder();
        var filterChains = new List<string> { "KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES" };
        var svcRules = new StringBuilder();
        var nodePortRules = new StringBuilder();
        var body = new StringBuilder();
        foreach (var s in services)
        {
            string p = s.Protocol;
            if (s.Endpoints.Count == 0)
            {
                filter.Append(Inv($"-A KUBE-SERVICES -d {s.ClusterIp}/32 -p {p} -m comment --comment \"{s.PortId} has no endpoints\" -m {p} --dport {s.Port} -j REJECT --reject-with icmp-port-unreachable\n"));
                if (s.NodePort is { } np0)
                    filter.Append(Inv($"-A KUBE-EXTERNAL-SERVICES -p {p} -m comment --comment \"{s.PortId} has no endpoints\" -m addrtype --dst-type LOCAL -m {p} --dport {np0} -j REJECT --reject-with icmp-port-unreachable\n"));
                continue;
            }
            var svc = Svc(s);
            natChains.Add(svc);
            svcRules.Append(Inv($"-A KUBE-SERVICES -d {s.ClusterIp}/32 -p {p} -m comment --comment \"{s.PortId} cluster IP\" -m {p} --dport {s.Port} -j {svc}\n"));
            body.Append(Inv($"-A {svc} ! -s {clusterCidr} -d {s.ClusterIp}/32 -p {p} -m comment --comment \"{s.PortId} cluster IP\" -m {p} --dport {s.Port} -j KUBE-MARK-MASQ\n"));
            if (s.NodePort is { } np)
            {
                var ext = Ext(s);
                natChains.Add(ext);
                nodePortRules.Append(Inv($"-A KUBE-NODEPORTS -p {p} -m comment --comment \"{s.PortId}\" -m {p} --dport {np} -j {ext}\n"));
                body.Append(Inv($"-A {ext} -m comment --comment \"masquerade traffic for {s.PortId} external destinations\" -j KUBE-MARK-MASQ\n"));
                body.Append(Inv($"-A {ext} -j {svc}\n"));
            }
            int n = s.Endpoints.Count;
            for (int i = 0; i < n; i++)
            {
                var e = s.Endpoints[i];
                var sep = Sep(s, e);
                var stat = i < n - 1 ? Inv($" -m statistic --mode random --probability {1.0 / (n - i):F11}") : "";
                body.Append(Inv($"-A {svc} -m comment --comment \"{s.PortId} -> {e.Ip}:{e.Port}\"{stat} -j {sep}\n"));
            }
            foreach (var e in s.Endpoints)
            {
                var sep = Sep(s, e);
                natChains.Add(sep);
                body.Append(Inv($"-A {sep} -s {e.Ip}/32 -m comment --comment \"{s.PortId}\" -j KUBE-MARK-MASQ\n"));
                body.Append(Inv($"-A {sep} -p {p} -m comment --comment \"{s.PortId}\" -m {p} -j DNAT --to-destination {e.Ip}:{e.Port}\n"));
            }
        }
        var sb = new StringBuilder();
        sb.Append("# Generated by iptables-nft-save v1.8.9 (nf_tables)\n*filter\n");
        sb.Append(":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        foreach (var c in filterChains) sb.Append(':').Append(c).Append(" - [0:0]\n");
        sb.Append("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n");
        sb.Append("-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS\n");
        sb.Append("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n");
        sb.Append("-A INPUT -j KUBE-FIREWALL\n");
        sb.Append("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n");
        sb.Append("-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n");
        sb.Append("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        sb.Append("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n");
        sb.Append("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n");
        sb.Append("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        sb.Append("-A OUTPUT -j KUBE-FIREWALL\n");
        sb.Append(filter);
        sb.Append("-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n");
        sb.Append("-A KUBE-FORWARD -m conntrack --ctstate INVALID -m comment --comment \"kubernetes forwarding rules\" -j DROP\n");
        sb.Append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT\n");
        sb.Append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        sb.Append("COMMIT\n");
        sb.Append("# Generated by iptables-nft-save v1.8.9 (nf_tables)\n*nat\n");
        sb.Append(":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        foreach (var c in natChains) sb.Append(':').Append(c).Append(" - [0:0]\n");
        sb.Append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        sb.Append("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        sb.Append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        sb.Append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
        sb.Append(nodePortRules);
        sb.Append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
        sb.Append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n");
        if (masquerade) sb.Append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        sb.Append(body);
        sb.Append(svcRules);
        sb.Append("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
        sb.Append("COMMIT\n");
        return sb.ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string NftChainName(string kind, ServicePort s) =>
        $"{kind}-{Hash(s.PortId + s.Protocol)[..8]}-{s.Namespace}/{s.Name}/{s.Protocol}/{s.PortName}";

    private static string NftEndpoint(ServicePort s, (string Ip, int Port) e) =>
        $"endpoint-{Hash(s.PortId + s.Protocol + $"{e.Ip}:{e.Port}")[..8]}-{s.Namespace}/{s.Name}/{s.Protocol}/{s.PortName}__{e.Ip}/{e.Port}";

    /// <summary>`nft list table ip kube-proxy` as kube-proxy's nftables mode writes it.</summary>
    /// <param name="serviceCidr">the Service range (traffic to an unallocated ClusterIP is dropped)</param>
    public static string Nft(IReadOnlyList<ServicePort> services, string clusterCidr, string serviceCidr, bool masquerade = true)
    {
        var sb = new StringBuilder();
        var clusterIps = services.Select(s => s.ClusterIp).Distinct().ToList();
        sb.Append("table ip kube-proxy {\n\tcomment \"rules for kube-proxy\"\n");
        sb.Append("\tset cluster-ips {\n\t\ttype ipv4_addr\n\t\tcomment \"Active ClusterIPs\"\n");
        if (clusterIps.Count > 0) sb.Append("\t\telements = { ").Append(string.Join(", ", clusterIps)).Append(" }\n");
        sb.Append("\t}\n\n");
        sb.Append("\tset nodeport-ips {\n\t\ttype ipv4_addr\n\t\tcomment \"IPs that accept NodePort traffic\"\n\t}\n\n");
        Map(sb, "firewall-ips", "ipv4_addr . inet_proto . inet_service : verdict", "destinations that are subject to LoadBalancerSourceRanges", []);
        Map(sb, "no-endpoint-nodeports", "inet_proto . inet_service : verdict", "vmap to drop or reject packets to service nodeports with no endpoints",
            services.Where(s => s.Endpoints.Count == 0 && s.NodePort is not null).Select(s => Inv($"{s.Protocol} . {s.NodePort} comment \"{s.PortId}\" : goto reject-chain")));
        Map(sb, "no-endpoint-services", "ipv4_addr . inet_proto . inet_service : verdict", "vmap to drop or reject packets to services with no endpoints",
            services.Where(s => s.Endpoints.Count == 0).Select(s => Inv($"{s.ClusterIp} . {s.Protocol} . {s.Port} comment \"{s.PortId}\" : goto reject-chain")));
        Map(sb, "service-ips", "ipv4_addr . inet_proto . inet_service : verdict", "ClusterIP, ExternalIP and LoadBalancer IP traffic",
            services.Where(s => s.Endpoints.Count > 0).Select(s => Inv($"{s.ClusterIp} . {s.Protocol} . {s.Port} : goto {NftChainName("service", s)}")));
        Map(sb, "service-nodeports", "inet_proto . inet_service : verdict", "NodePort traffic",
            services.Where(s => s.Endpoints.Count > 0 && s.NodePort is not null).Select(s => Inv($"{s.Protocol} . {s.NodePort} : goto {NftChainName("external", s)}")));
        void Chain(string name, params string[] lines)
        {
            sb.Append("\tchain ").Append(name).Append(" {\n");
            foreach (var l in lines) sb.Append("\t\t").Append(l).Append('\n');
            sb.Append("\t}\n\n");
        }
        Chain("cluster-ips-check", "ip daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\"",
            $"ip daddr {serviceCidr} drop comment \"Drop traffic to unallocated ClusterIPs\"");
        Chain("filter-prerouting", "type filter hook prerouting priority dstnat - 10; policy accept;", "ct state new jump firewall-check");
        Chain("filter-input", "type filter hook input priority -110; policy accept;", "ct state new jump nodeport-endpoints-check", "ct state new jump service-endpoints-check");
        Chain("filter-forward", "type filter hook forward priority -110; policy accept;", "ct state new jump service-endpoints-check", "ct state new jump cluster-ips-check");
        Chain("filter-output", "type filter hook output priority dstnat - 10; policy accept;", "ct state new jump service-endpoints-check", "ct state new jump firewall-check");
        Chain("filter-output-post-dnat", "type filter hook output priority dstnat + 10; policy accept;", "ct state new jump cluster-ips-check");
        Chain("firewall-check", "ip daddr . meta l4proto . th dport vmap @firewall-ips");
        Chain("mark-for-masquerade", "meta mark set meta mark | 0x00004000");
        Chain("masquerading", masquerade
            ? ["meta mark & 0x00004000 == 0x00000000 return", "meta mark set meta mark ^ 0x00004000", "masquerade fully-random"]
            : ["meta mark & 0x00004000 == 0x00000000 return", "meta mark set meta mark ^ 0x00004000"]);
        Chain("nat-output", "type nat hook output priority -100; policy accept;", "jump services");
        Chain("nat-postrouting", "type nat hook postrouting priority srcnat; policy accept;", "jump masquerading");
        Chain("nat-prerouting", "type nat hook prerouting priority dstnat; policy accept;", "jump services");
        Chain("nodeport-endpoints-check", "ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports");
        Chain("reject-chain", "reject");
        Chain("service-endpoints-check", "ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
        Chain("services", "ip daddr . meta l4proto . th dport vmap @service-ips", "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports");
        foreach (var s in services.Where(s => s.Endpoints.Count > 0))
        {
            var eps = s.Endpoints.Select((e, i) => $"{i} : goto {NftEndpoint(s, e)}");
            Chain(NftChainName("service", s), $"ip daddr {s.ClusterIp} {s.Protocol} dport {s.Port} ip saddr != {clusterCidr} jump mark-for-masquerade",
                $"numgen random mod {s.Endpoints.Count} vmap {{ {string.Join(", ", eps)} }}");
            if (s.NodePort is not null)
                Chain(NftChainName("external", s), "jump mark-for-masquerade", $"goto {NftChainName("service", s)}");
            foreach (var e in s.Endpoints)
                Chain(NftEndpoint(s, e), $"ip saddr {e.Ip} jump mark-for-masquerade", Inv($"meta l4proto {s.Protocol} dnat to {e.Ip}:{e.Port}"));
        }
        // the closing brace of the last chain is followed by the table's
        sb.Length -= 1;
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void Map(StringBuilder sb, string name, string type, string comment, IEnumerable<string> elements)
    {
        sb.Append("\tmap ").Append(name).Append(" {\n\t\ttype ").Append(type).Append("\n\t\tcomment \"").Append(comment).Append("\"\n");
        var list = elements.ToList();
        if (list.Count > 0) sb.Append("\t\telements = { ").Append(string.Join(",\n\t\t\t     ", list)).Append(" }\n");
        sb.Append("\t}\n\n");
    }
}
