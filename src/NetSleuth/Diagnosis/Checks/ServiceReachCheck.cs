using System.Globalization;
using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #21 and #22, asked of the tracer (<see cref="Tracer"/>): pod traffic leaving the cluster without a
/// masquerade (<c>masquerade-missing</c>: a pod's packet to the node's default gateway keeps the pod's source, and the
/// gateway has no route back to it), and a NodePort a firewall rule drops before kube-proxy's DNAT
/// (<c>nodeport-blocked</c>: a neighbour of the node on its subnet connects to NODE-IP:NODEPORT and the trace dies at a
/// drop rule that is not kube-proxy's own). Candidates are cheap to find (one pod per node; drop rules that match a
/// NodePort packet); only they are traced. And #23 (<c>service-hairpin-off</c>): an endpoint pod whose bridge port has
/// hairpin mode off.
/// </summary>
internal sealed class ServiceReachCheck : ICheck
{
    public string Id => "masquerade-missing, nodeport-blocked, service-hairpin-off";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var f in Masquerade(ctx)) yield return f;
        foreach (var f in NodePorts(ctx)) yield return f;
        foreach (var f in Hairpin(ctx)) yield return f;
    }

    // ---- service-hairpin-off ----

    /// <summary>faults.md #23: a Service endpoint that is a pod on a bridge of the node, whose bridge port has hairpin mode
    /// off (and the bridge is not promiscuous, kubelet's other hairpin mode). With br_netfilter (which Kubernetes needs),
    /// the pod's own connection to the Service DNATed back to itself is bridged back to the port it came in by, which the
    /// bridge refuses without hairpin: the pod cannot reach itself through its Service (the other endpoints work).</summary>
    private static IEnumerable<Finding> Hairpin(DiagnosisContext ctx)
    {
        var t = ctx.Topology;
        foreach (var node in ctx.Namespaces)
        {
            if (!node.Ns.IsRoot) continue;
            if (node.Ns.Iptables.All(x => x.Rules.Count == 0) && node.Ns.Nftables is null or { Rules.Count: 0 }) continue;
            // only a port of this node's bridges with hairpin off can be at fault: most nodes have none, and then their
            // thousands of endpoints need no look-up
            if (!HasHairpinOffPort(t, node)) continue;
            var endpoints = ServiceTable.Endpoints(node.Ns);
            if (endpoints.Count == 0) continue;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (ip, port) in endpoints)
            {
                foreach (var (dev, _) in t.OwnersOf(ip))
                {
                    if (dev.Host != node.Host || dev.Ns.IsRoot || t.VethPeer(dev) is not { } hostEnd || hostEnd.Ns != node.Ns) continue;
                    if (hostEnd.Link.BridgePort is not { Hairpin: false } || t.BridgeOf(hostEnd) is not { } br) continue;
                    if (br.Link.IsPromiscuous || !seen.Add(hostEnd.Link.Name)) continue;
                    var fix = NsCommand.Ip(node, "link", "set", "dev", hostEnd.Link.Name, "type", "bridge_slave", "hairpin", "on");
                    yield return new Finding
                    {
                        Id = "service-hairpin-off",
                        Severity = Severity.Warning,
                        Title = $"{dev.Namespace} ({ip}) cannot reach itself through its Service: {node}'s bridge port {hostEnd.Link.Name} has hairpin mode off",
                        Explanation = $"{ip}:{port} is an endpoint of a Service kube-proxy serves on {node}. When the pod connects to that Service " +
                            $"and kube-proxy picks the pod itself, the DNATed packet must go back out {hostEnd.Link.Name}, the port of {br.Link.Name} it " +
                            "came in by; with br_netfilter (net.bridge.bridge-nf-call-iptables=1, which Kubernetes requires) the bridge does that only " +
                            "in hairpin mode (kubelet's --hairpin-mode=hairpin-veth; promiscuous-bridge sets the bridge promiscuous instead). Those " +
                            "connections time out; the ones that pick another endpoint work.",
                        Evidence =
                        [
                            Ev.Device(hostEnd, $"port of {br.Link.Name}, hairpin off"),
                            Ev.Device(br, "not promiscuous"),
                            Ev.Text(node, "kube-proxy endpoint", $"{ip}:{port}", EndpointSource(node.Ns, ip)),
                        ],
                        Fix = [NsCommand.Step(node, [fix], "kubelet sets this on the pod's veth with --hairpin-mode=hairpin-veth; check its flag if the veth is recreated")],
                        RootCause = $"hairpin:{node.Key}/{hostEnd.Link.Name}",
                        Devices = [hostEnd, br, dev],
                    };
                }
            }
        }
    }

    /// <summary>Whether a device of the namespace is a port with hairpin off of a bridge that is not promiscuous.</summary>
    private static bool HasHairpinOffPort(Topology.Topology t, NsRef node)
    {
        foreach (var link in node.Ns.Links)
        {
            if (link.BridgePort is not { Hairpin: false }) continue;
            if (t.BridgeOf(new DeviceRef(node.Host, node.Ns, link)) is { } br && !br.Link.IsPromiscuous) return true;
        }
        return false;
    }

    /// <summary>The rule (or map element) that names the endpoint, for its input line.</summary>
    private static SourceRef? EndpointSource(NetNamespace ns, IPAddress ip)
    {
        var s = ip.ToString();
        foreach (var t in ns.Iptables)
            foreach (var r in t.Rules)
                if (r.Target == "DNAT" && r.Args.Any(a => a.StartsWith(s + ":", StringComparison.Ordinal) || a == s)) return r.Source ?? t.Source;
        if (ns.Nftables is { } nft)
        {
            foreach (var r in nft.Rules)
                if (r.Text is { } text && text.Contains("dnat to " + s, StringComparison.Ordinal)) return r.Source ?? nft.Source;
            return nft.Source;
        }
        return null;
    }

    // ---- masquerade-missing ----

    private static IEnumerable<Finding> Masquerade(DiagnosisContext ctx)
    {
        var seen = new HashSet<NetNamespace>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (!addr.Prefix.IsV4) continue;
            var podNs = pod.Namespace;
            // the pod's node: the owner of the pod's default gateway, a root namespace of the same host
            if (DefaultRoute(podNs.Ns) is not { Gateway: { } podGw }) continue;
            var node = ctx.Topology.OwnersOf(podGw).Select(o => o.Device.Namespace).FirstOrDefault(n => n.Ns.IsRoot && n.Host == pod.Host);
            if (node is null || !seen.Add(node.Ns)) continue;
            // the node's way out: its default gateway, owned by a namespace of another host that is no node of the cluster
            if (DefaultRoute(node.Ns) is not { Gateway: { } gw } outRoute) continue;
            var outside = ctx.Topology.OwnersOf(gw).Select(o => o.Device.Namespace).FirstOrDefault(n => n.Host != node.Host);
            if (outside is null) continue;
            // a way back to the pod (BGP-routed pods, a static route): no masquerade needed
            if (ctx.Route(outside, addr.Address).Route is { Destination.IsDefault: false }) continue;
            var r = Tracer.Trace(ctx.Topology, new TraceRequest(pod.Host.Name, podNs.Ns.IsRoot ? null : podNs.Ns.Name ?? podNs.Ns.Id, null, gw)
                { Start = podNs, Source = addr.Address });
            if (!r.Forward.Delivered || r.Reply is not { Delivered: false } reply) continue;
            if (r.Forward.Hops.Any(h => h.Steps.Any(s => s is NatStep { Kind: "SNAT" or "MASQUERADE" }))) continue;
            var cidr = ClusterCidr(ctx, node, addr);
            var fix = MasqueradeFix(node, cidr);
            yield return new Finding
            {
                Id = "masquerade-missing",
                Severity = Severity.Error,
                Title = $"{node} does not masquerade pod traffic leaving the cluster: {outside} sees {addr.Address} and has no route back to it",
                Explanation = $"A packet from {podNs} ({addr.Address}) to {gw}, {node}'s default gateway outside the cluster, leaves {node} with " +
                    $"its pod source address: no SNAT/MASQUERADE rule of {node}'s POSTROUTING matches it. {outside} knows no route to the pod " +
                    $"network, so its answers never come back ({reply.Reason}). The CNI (flannel, the bridge plugin's ipMasq, ip-masq-agent) " +
                    $"normally masquerades traffic from {cidr} to destinations outside it; that rule is missing on {node}.",
                Evidence =
                [
                    Ev.Address(pod, addr),
                    Ev.Route(node, outRoute),
                    Ev.Text(outside, "route lookup", $"no route to {addr.Address} (reply: {reply.Disposition})", null),
                    .. NatEvidence(node),
                ],
                Fix = [NsCommand.Step(node, fix.Commands, fix.Note)],
                RootCause = $"masq-missing:{node.Key}",
                Devices = [node, podNs],
                Trace = new FindingTrace($"{podNs}", gw.ToString(), $"reply {reply.Disposition}: {reply.Reason}",
                    reply.Hops.Select(h => h.Node).ToList(), reply.At),
            };
        }
    }

    private static Route? DefaultRoute(NetNamespace ns)
    {
        foreach (var r in ns.Routes)
            if (r.IsV4 && r.Destination.IsDefault && r.Gateway is not null && r.Type == RouteTypes.Unicast && r.Table == RouteTables.Main) return r;
        return null;
    }

    /// <summary>The cluster's pod CIDR: kube-proxy's own (the `! -s CIDR … KUBE-MARK-MASQ` / `ip saddr != CIDR jump
    /// mark-for-masquerade` of a Service rule), else the smallest prefix holding the node's pod subnet and every pod
    /// subnet it routes to another node.</summary>
    internal static IpPrefix ClusterCidr(DiagnosisContext ctx, NsRef node, IfAddress pod)
    {
        foreach (var t in node.Ns.Iptables)
            if (t.Name == "nat")
                foreach (var r in t.Rules)
                {
                    int i = r.Args.IndexOf("!");
                    if (r.Target == "KUBE-MARK-MASQ" && i >= 0 && i + 2 < r.Args.Count && r.Args[i + 1] == "-s" && IpPrefix.TryParse(r.Args[i + 2], out var p)) return p;
                }
        if (node.Ns.Nftables is { } nft)
            foreach (var r in nft.Rules)
            {
                if (r.Text is null && r.Expr is { } expr && MasqueradeExemptJson(expr) is { } fromJson) return fromJson;
                if (r.Text is not { } text || !text.Contains("jump mark-for-masquerade", StringComparison.Ordinal)) continue;
                int at = text.IndexOf("ip saddr != ", StringComparison.Ordinal);
                if (at < 0) continue;
                var word = text[(at + 12)..].Split(' ')[0];
                if (IpPrefix.TryParse(word, out var p)) return p;
            }
        var net = pod.Prefix.Network;
        uint a = Fib.ToUint(net.Address);
        int len = net.Length;
        foreach (var route in node.Ns.Routes)
        {
            if (!route.IsV4 || route.Destination.IsDefault || route.Gateway is null) continue;
            if (!ctx.PodsIn(route.Destination).Any()) continue;
            uint b = Fib.ToUint(route.Destination.Network.Address);
            while (len > 8 && (a ^ b) >> (32 - len) != 0) len--;
        }
        return new IpPrefix(net.Address, len).Network;
    }

    /// <summary>The same in `nft -j` form: a rule jumping to mark-for-masquerade with a match `ip saddr != PREFIX`.</summary>
    private static IpPrefix? MasqueradeExemptJson(System.Text.Json.JsonElement expr)
    {
        if (expr.ValueKind != System.Text.Json.JsonValueKind.Array) return null;
        IpPrefix? found = null;
        bool jumps = false;
        foreach (var e in expr.EnumerateArray())
        {
            if (e.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
            if (e.TryGetProperty("jump", out var j) && j.ValueKind == System.Text.Json.JsonValueKind.Object &&
                j.TryGetProperty("target", out var target) && Str(target) == "mark-for-masquerade") jumps = true;
            if (!e.TryGetProperty("match", out var m) || m.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
            if (!m.TryGetProperty("op", out var op) || Str(op) != "!=" || !m.TryGetProperty("left", out var left) ||
                left.ValueKind != System.Text.Json.JsonValueKind.Object ||
                !left.TryGetProperty("payload", out var pl) || pl.ValueKind != System.Text.Json.JsonValueKind.Object ||
                !pl.TryGetProperty("field", out var field) || Str(field) != "saddr") continue;
            if (m.TryGetProperty("right", out var right) && right.ValueKind == System.Text.Json.JsonValueKind.Object &&
                right.TryGetProperty("prefix", out var px) && px.ValueKind == System.Text.Json.JsonValueKind.Object &&
                px.TryGetProperty("addr", out var addr) && px.TryGetProperty("len", out var len) &&
                IpPrefix.TryParse($"{Str(addr)}/{len.GetRawText()}", out var p)) found = p;
        }
        return jumps ? found : null;
    }

    private static string? Str(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString() : null;

    /// <summary>A masquerade for CIDR leaving the cluster: iptables on an iptables node; on an nftables-only node a rule at the
    /// end of the CNI's nat postrouting chain when there is one (its earlier rules keep traffic inside the cluster as it is),
    /// else a table of its own.</summary>
    private static (List<string> Commands, string? Note) MasqueradeFix(NsRef node, IpPrefix cidr)
    {
        var c = cidr.ToString();
        bool iptables = node.Ns.Iptables.Any(t => t.Name == "nat" && t.Rules.Count > 0) || node.Ns.Nftables is not { Chains.Count: > 0 };
        if (iptables)
            return ([NsCommand.Exec(node, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", c, "!", "-d", c, "-m", "comment", "--comment",
                "masquerade pod traffic leaving the cluster", "-j", "MASQUERADE")], "the CNI's own configuration (e.g. flannel's ipMasq, ip-masq-agent) should write this rule; add it there too");
        var chain = node.Ns.Nftables!.Chains.FirstOrDefault(ch => ch.Hook == "postrouting" && ch.Type == "nat" && ch.Table != "kube-proxy" && ch.Family is "ip" or "inet");
        if (chain is not null)
            return ([NsCommand.Exec(node, "nft", "add", "rule", chain.Family, chain.Table, chain.Name, "ip", "saddr", c, "ip", "daddr", "!=", c, "masquerade")],
                "the CNI's own configuration should write this rule; add it there too");
        return ([
            NsCommand.Exec(node, "nft", "add", "table", "ip", "pod-masquerade"),
            NsCommand.Exec(node, "nft", "add", "chain", "ip", "pod-masquerade", "postrouting", "{ type nat hook postrouting priority srcnat; policy accept; }"),
            NsCommand.Exec(node, "nft", "add", "rule", "ip", "pod-masquerade", "postrouting", "ip", "saddr", c, "ip", "daddr", "!=", c, "masquerade"),
        ], null);
    }

    /// <summary>The node's nat postrouting rules the packet passed (what is there, to compare with what is missing).</summary>
    private static IEnumerable<Evidence> NatEvidence(NsRef node)
    {
        int n = 0;
        foreach (var t in node.Ns.Iptables)
            if (t.Name == "nat")
                foreach (var r in t.Rules)
                    if (r.Target is "MASQUERADE" or "SNAT" && n++ < 3)
                        yield return Ev.Text(node, "iptables rule", $"nat {r}", r.Source ?? t.Source);
        if (node.Ns.Nftables is { } nft)
            foreach (var r in nft.Rules)
                if (r.Text is { } text && (text.Contains("masquerade", StringComparison.Ordinal) || text.Contains("snat", StringComparison.Ordinal)) && n++ < 3)
                    yield return Ev.Text(node, "nft rule", $"{r.Family} {r.Table} {r.Chain}: {text}", r.Source ?? nft.Source);
    }

    // ---- nodeport-blocked ----

    /// <summary>The NodePorts kube-proxy opens in a namespace: iptables KUBE-NODEPORTS rules, nft's service-nodeports map.</summary>
    internal static List<(string Protocol, int Port, string Service, SourceRef? Source)> NodePortsOf(NetNamespace ns)
    {
        var list = new List<(string, int, string, SourceRef?)>();
        foreach (var t in ns.Iptables)
            if (t.Name == "nat")
                foreach (var r in t.Rules)
                {
                    if (r.Chain != "KUBE-NODEPORTS") continue;
                    int p = r.Args.IndexOf("-p"), d = r.Args.IndexOf("--dport"), c = r.Args.IndexOf("--comment");
                    if (p < 0 || d < 0 || d + 1 >= r.Args.Count || !int.TryParse(r.Args[d + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) continue;
                    list.Add((r.Args[p + 1], port, c >= 0 && c + 1 < r.Args.Count ? r.Args[c + 1].Trim('"') : r.Target ?? "", r.Source ?? t.Source));
                }
        if (ns.Nftables is { } nft)
            foreach (var s in nft.Sets)
            {
                if (s.Name != "service-nodeports") continue;
                foreach (var e in s.Elements)
                {
                    var k = e.Key.Split(" . ");
                    if (k.Length == 2 && int.TryParse(k[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                        list.Add((k[0].Trim(), port, e.Comment ?? e.Value?.Replace("goto ", "", StringComparison.Ordinal) ?? "", s.Source ?? nft.Source));
                }
            }
        return list;
    }

    private static IEnumerable<Finding> NodePorts(DiagnosisContext ctx)
    {
        foreach (var node in ctx.Namespaces)
        {
            if (!node.Ns.IsRoot) continue;
            if (node.Ns.Iptables.All(t => t.Rules.Count == 0) && node.Ns.Nftables is null or { Rules.Count: 0 }) continue;
            var ports = NodePortsOf(node.Ns);
            if (ports.Count == 0) continue;
            // the firewall's drop rules, kube-proxy's own left out (its REJECTs for Services without endpoints are service-no-endpoints)
            var drops = FirewallCheck.Drops(node).Where(d => !d.Chain.Contains("KUBE-", StringComparison.Ordinal) && !d.Chain.Contains(" kube-proxy ", StringComparison.Ordinal)).ToList();
            if (drops.Count == 0) continue;
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (dev, src, dst) in Neighbours(ctx, node))
                foreach (var (proto, port, service, portSource) in ports)
                {
                    var flow = new Flow(src.Address, dst, proto, 40000, port, 60, false);
                    var packet = new PacketView(flow, dev.Link.Name, null, "NEW");
                    if (!drops.Any(d => d.Matches(packet) == true)) continue;
                    var r = Tracer.Trace(ctx.Topology, new TraceRequest(src.Host.Name, src.Ns.Ns.IsRoot ? null : src.Ns.Ns.Name ?? src.Ns.Ns.Id, null, dst)
                        { Start = src.Ns, Protocol = proto, DestinationPort = port, SourcePort = 40000 });
                    if (r.Forward.Disposition is not (Disposition.DeniedIn or Disposition.DeniedForward or Disposition.DeniedOut)) continue;
                    var stop = r.Forward.Hops.Count > 0 ? r.Forward.Hops[^1].Steps.OfType<FilterStep>().LastOrDefault(s => s.Rule is not null && s.Verdict is "DROP" or "REJECT" or "drop" or "reject") : null;
                    var drop = stop is null ? null : drops.FirstOrDefault(d => d.Rule == stop.Rule || d.Rule.EndsWith(stop.Rule!, StringComparison.Ordinal))
                        ?? drops.FirstOrDefault(d => d.Matches(packet) == true && d.Chain.Contains(stop?.Chain ?? "", StringComparison.Ordinal));
                    if (drop is null || !reported.Add(drop.Rule + "/" + proto + port)) continue;
                    yield return new Finding
                    {
                        Id = "nodeport-blocked",
                        Severity = Severity.Error,
                        Title = $"{node}: a firewall rule drops NodePort {port}/{proto} ({service}) before kube-proxy's DNAT: {drop.Rule}",
                        Explanation = $"Connections from {src.Ns} ({src.Address}) to {dst}:{port}, a NodePort kube-proxy serves on {node}, meet " +
                            $"`{drop.Rule}` ({drop.Chain}) and are dropped: they time out, while the Service's ClusterIP still works. Remove the " +
                            "rule, or accept the NodePort range (30000-32767 by default) before it; on a host firewall (firewalld, ufw) open the port there.",
                        Evidence = [Ev.Text(node, "firewall rule", $"{drop.Chain}: {drop.Rule}", drop.Source), Ev.Text(node, "kube-proxy NodePort", $"{proto} {port} ({service})", portSource)],
                        Fix = [NsCommand.Step(node, [drop.Fix.Command], drop.Fix.Note)],
                        RootCause = $"fw:{node.Key}/{drop.Chain}/{drop.Rule}",
                        Devices = [node, dev],
                        Trace = new FindingTrace($"{src.Ns}", $"{dst}:{port}/{proto}", $"{r.Forward.Disposition}: {r.Forward.Reason}",
                            r.Forward.Hops.Select(h => h.Node).ToList(), r.Forward.At),
                    };
                }
        }
    }

    /// <summary>For each global IPv4 address of the node on a device with neighbours of other hosts: one such neighbour (the
    /// client), the device, and the node's address.</summary>
    private static IEnumerable<(DeviceRef Dev, (Host Host, NsRef Ns, IPAddress Address) Src, IPAddress Dst)> Neighbours(DiagnosisContext ctx, NsRef node)
    {
        foreach (var l in node.Ns.Links)
        {
            if (l.IsLoopback || !l.IsUp) continue;
            foreach (var a in l.Addresses)
            {
                if (!a.Prefix.IsV4 || a.Prefix.Length >= 31 || !DiagnosisContext.IsGlobal(a)) continue;
                foreach (var (d, other) in ctx.Topology.AddressesIn(a.Prefix.Network))
                {
                    if (d.Host == node.Host || d.Link.IsLoopback) continue;
                    var dev = ctx.Devices.FirstOrDefault(x => x.Ns == node.Ns && x.Link == l);
                    if (dev is null) break;
                    yield return (dev, (d.Host, d.Namespace, other.Address), a.Address);
                    break;
                }
            }
        }
    }
}
