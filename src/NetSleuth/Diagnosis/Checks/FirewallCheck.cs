using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #9: an iptables or nftables rule that drops the tunnel's UDP port in a tunnel's underlay
/// namespace, or drops pod traffic (a source/destination prefix holding pod addresses) anywhere.
/// Rules with matches the check cannot evaluate (sets, marks, conntrack, negation) are left alone.
/// </summary>
internal sealed class FirewallCheck : ICheck
{
    public string Id => "firewall-drop";

    private sealed record Flow(string What, int? Port, IPAddress? Addr);

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var tunnelPorts = new Dictionary<NetNamespace, List<(DeviceRef Dev, int Port)>>();
        foreach (var d in ctx.Devices)
            if (d.Link.Kind == LinkKinds.Vxlan && ctx.Topology.Tunnel(d)?.Underlay is { } u)
            {
                if (!tunnelPorts.TryGetValue(u.Ns, out var l)) tunnelPorts[u.Ns] = l = [];
                l.Add((d, d.Link.Vxlan?.DstPort ?? 8472));
            }
        var pods = new PodIndex(ctx.PodAddresses.Select(p => p.Address.Address));
        foreach (var ns in ctx.Namespaces)
        {
            // only rules drop here (policies are not this check's): a namespace without any has nothing to show
            if (ns.Ns.Iptables.All(t => t.Rules.Count == 0) && ns.Ns.Nftables is null or { Rules.Count: 0 }) continue;
            var ports = tunnelPorts.TryGetValue(ns.Ns, out var tp) ? tp : [];
            foreach (var (rule, chain, match, source, fix) in Drops(ns))
            {
                if (!match.Decidable) continue;
                if (match.InIf is "lo" || match.OutIf is "lo") continue;
                var hit = Hit(match, chain, ports, pods);
                if (hit is null) continue;
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{ns}: firewall rule drops {hit}: {rule}",
                    Explanation = $"The rule `{rule}` (chain {chain}) drops {hit}. Packets are seen up to {ns} and then nothing: " +
                        "tcpdump before the rule shows them, the next hop never does. Remove the rule or put an accept for this traffic before it.",
                    Evidence = [Ev.Text(ns, "firewall rule", $"{chain}: {rule}", source)],
                    Fix = [NsCommand.Step(ns, [fix.Command], fix.Note)],
                    RootCause = $"fw:{ns.Key}/{chain}/{rule}",
                    Devices = [ns.ToString(), .. ports.Select(p => p.Dev.ToString())],
                };
            }
        }
    }

    private static string? Hit(RuleMatch m, string chain, List<(DeviceRef Dev, int Port)> ports, PodIndex pods)
    {
        bool input = chain.Contains("INPUT", StringComparison.OrdinalIgnoreCase) || chain.Contains("input", StringComparison.Ordinal) ||
                     chain.Contains("OUTPUT", StringComparison.OrdinalIgnoreCase) || chain.Contains("prerouting", StringComparison.OrdinalIgnoreCase);
        if (input && m.Proto is null or "udp" or "all" && m.Src is null && m.Dst is null)
            foreach (var (dev, port) in ports)
                if (m.DPort is null || m.DPort == port)
                    return $"the UDP port {port} of tunnel {dev}";
        if (m.Proto is null or "icmp" or "all" && m.DPort is null)
        {
            if (m.Src is { } s && s.Length >= 8 && pods.AnyIn(s)) return $"pod traffic from {s}";
            if (m.Dst is { } d && d.Length >= 8 && pods.AnyIn(d)) return $"pod traffic to {d}";
        }
        return null;
    }

    private readonly record struct Drop(string Rule, string Chain, RuleMatch Match, SourceRef? Source, (string Command, string? Note) Fix);

    private static IEnumerable<Drop> Drops(NsRef ns)
    {
        foreach (var table in ns.Ns.Iptables)
        {
            if (table.Name is not ("filter" or "raw")) continue;
            var tool = table.Family == "ipv6" ? "ip6tables" : "iptables";
            var reachable = ReachableChains(table.Rules.Select(r => (r.Chain, r.Target)), ["INPUT", "FORWARD", "OUTPUT", "PREROUTING"]);
            foreach (var r in table.Rules)
            {
                if (!FirewallRules.IsDrop(r.Target) || !reachable.Contains(r.Chain)) continue;
                yield return new Drop(r.ToString(), $"{table.Name} {r.Chain}", FirewallRules.Iptables(r.Args), r.Source ?? table.Source,
                    (NsCommand.Exec(ns, [tool, "-t", table.Name, "-D", r.Chain, .. r.Args]), null));
            }
        }
        if (ns.Ns.Nftables is not { } nft) yield break;
        var parsed = nft.Rules.Select(r => (Rule: r, P: FirewallRules.Nft(r))).ToList();
        var bases = nft.Chains.Where(c => c.Hook is "input" or "forward" or "output" or "prerouting").Select(c => $"{c.Family} {c.Table} {c.Name}").ToList();
        var reach = ReachableChains(parsed.Select(x => ($"{x.Rule.Family} {x.Rule.Table} {x.Rule.Chain}", x.P.Jump is null ? null : $"{x.Rule.Family} {x.Rule.Table} {x.P.Jump}")), bases);
        foreach (var (r, p) in parsed)
        {
            var chain = $"{r.Family} {r.Table} {r.Chain}";
            if (!FirewallRules.IsDrop(p.Verdict) || !reach.Contains(chain)) continue;
            var hook = nft.Chains.FirstOrDefault(c => c.Family == r.Family && c.Table == r.Table && c.Name == r.Chain)?.Hook;
            var fix = r.Handle is { } h
                ? (NsCommand.Exec(ns, "nft", "delete", "rule", r.Family, r.Table, r.Chain, "handle", h.ToString(System.Globalization.CultureInfo.InvariantCulture)), (string?)null)
                : (NsCommand.Exec(ns, "nft", "-a", "list", "chain", r.Family, r.Table, r.Chain), "find the rule's handle, then: nft delete rule " + chain + " handle N");
            yield return new Drop(r.Text ?? "(rule " + (r.Handle?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?") + ")",
                $"{chain}{(hook is null ? "" : $" (hook {hook})")}", p.Match, r.Source ?? nft.Source, fix);
        }
    }

    /// <summary>Chains reachable from the start chains by jumps.</summary>
    private static HashSet<string> ReachableChains(IEnumerable<(string Chain, string? Target)> rules, IEnumerable<string> start)
    {
        var jumps = rules.Where(r => r.Target is not null).ToLookup(r => r.Chain, r => r.Target!);
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        var queue = new Queue<string>(seen);
        while (queue.Count > 0)
            foreach (var t in jumps[queue.Dequeue()])
                if (seen.Add(t)) queue.Enqueue(t);
        return seen;
    }

    /// <summary>Sorted IPv4 pod addresses: "is any pod in this prefix" in O(log n).</summary>
    private sealed class PodIndex
    {
        private readonly uint[] _v4;
        public PodIndex(IEnumerable<IPAddress> addrs) =>
            _v4 = addrs.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Select(ToUint).Distinct().Order().ToArray();

        public bool AnyIn(IpPrefix p)
        {
            if (!p.IsV4) return false;
            uint mask = p.Length == 0 ? 0 : p.Length >= 32 ? uint.MaxValue : ~(uint.MaxValue >> p.Length);
            uint lo = ToUint(p.Address) & mask, hi = lo | ~mask;
            int i = Array.BinarySearch(_v4, lo);
            if (i < 0) i = ~i;
            return i < _v4.Length && _v4[i] <= hi;
        }

        private static uint ToUint(IPAddress a)
        {
            Span<byte> b = stackalloc byte[4];
            a.TryWriteBytes(b, out _);
            return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        }
    }
}
