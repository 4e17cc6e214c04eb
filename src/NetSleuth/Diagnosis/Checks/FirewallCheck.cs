using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #9: an iptables or nftables rule that drops the tunnel's UDP port in a tunnel's underlay
/// namespace, or drops pod traffic (a source/destination prefix holding pod addresses) anywhere.
/// The check only picks candidates (drop rules in chains a hook reaches, the tunnel packet, a pod in a
/// prefix the rule names); whether the rule matches that packet is the Forwarding evaluator's answer
/// (<see cref="Forwarding.IptablesEval"/>, <see cref="Forwarding.NftEval"/>), the one the tracer uses.
/// Rules with matches it cannot evaluate (sets, marks, …) are left alone.
/// </summary>
internal sealed class FirewallCheck : ICheck
{
    public string Id => "firewall-drop";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var tunnelPorts = new Dictionary<NetNamespace, List<(DeviceRef Dev, int Port)>>();
        foreach (var d in ctx.Devices)
            if (d.Link.Kind == LinkKinds.Vxlan && ctx.Topology.Tunnel(d)?.Underlay is { } u)
            {
                if (!tunnelPorts.TryGetValue(u.Ns, out var l)) tunnelPorts[u.Ns] = l = [];
                l.Add((d, d.Link.Vxlan?.DstPort ?? 8472));
            }
        foreach (var ns in ctx.Namespaces)
        {
            // only rules drop here (policies are not this check's): a namespace without any has nothing to show
            if (ns.Ns.Iptables.All(t => t.Rules.Count == 0) && ns.Ns.Nftables is null or { Rules.Count: 0 }) continue;
            var ports = tunnelPorts.TryGetValue(ns.Ns, out var tp) ? tp : [];
            foreach (var drop in Drops(ns))
            {
                var hit = Hit(ctx, ns, drop, ports);
                if (hit is null) continue;
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{ns}: firewall rule drops {hit}: {drop.Rule}",
                    Explanation = $"The rule `{drop.Rule}` (chain {drop.Chain}) drops {hit}. Packets are seen up to {ns} and then nothing: " +
                        "tcpdump before the rule shows them, the next hop never does. Remove the rule or put an accept for this traffic before it.",
                    Evidence = [Ev.Text(ns, "firewall rule", $"{drop.Chain}: {drop.Rule}", drop.Source)],
                    Fix = [NsCommand.Step(ns, [drop.Fix.Command], drop.Fix.Note)],
                    RootCause = $"fw:{ns.Key}/{drop.Chain}/{drop.Rule}",
                    Devices = [ns, .. ports.Select(p => (Topology.Place)p.Dev)],
                };
            }
        }
    }

    /// <summary>What the rule drops, found by asking the evaluator about the tunnel's packets and about a packet of a pod
    /// inside each prefix the rule names; null when it drops none of them.</summary>
    private static string? Hit(DiagnosisContext ctx, NsRef ns, Drop drop, List<(DeviceRef Dev, int Port)> ports)
    {
        bool input = drop.Chain.Contains("INPUT", StringComparison.OrdinalIgnoreCase) ||
                     drop.Chain.Contains("prerouting", StringComparison.OrdinalIgnoreCase);
        bool output = drop.Chain.Contains("OUTPUT", StringComparison.OrdinalIgnoreCase);
        if (input || output)
            foreach (var (dev, port) in ports)
            {
                var local = dev.Link.Vxlan?.Local ?? IPAddress.Any;
                var remote = dev.Link.Vxlan?.Remote ?? IPAddress.Any;
                var packet = output
                    ? Packet(ctx, ns, local, remote, Protocols.Udp, port, inDev: false)
                    : Packet(ctx, ns, remote, local, Protocols.Udp, port, inDev: true);
                if (drop.Matches(packet) == true) return $"the UDP port {port} of tunnel {dev}";
            }
        foreach (var s in drop.Src)
            if (s.Length >= 8 && ctx.PodsIn(s).FirstOrDefault() is { Device: not null } pod)
            {
                var to = drop.Dst.Count > 0 ? drop.Dst[0].Network.Address : pod.Address.Address;
                if (drop.Matches(Packet(ctx, ns, pod.Address.Address, to, Protocols.Icmp, null, inDev: true)) == true) return $"pod traffic from {s}";
            }
        foreach (var d in drop.Dst)
            if (d.Length >= 8 && ctx.PodsIn(d).FirstOrDefault() is { Device: not null } pod)
            {
                var from = drop.Src.Count > 0 ? drop.Src[0].Network.Address : pod.Address.Address;
                if (drop.Matches(Packet(ctx, ns, from, pod.Address.Address, Protocols.Icmp, null, inDev: true)) == true) return $"pod traffic to {d}";
            }
        return null;
    }

    /// <summary>A new packet as the hook sees it: the devices are the ones the FIB gives towards each end (lo left out).</summary>
    private static PacketView Packet(DiagnosisContext ctx, NsRef ns, IPAddress src, IPAddress dst, string proto, int? dport, bool inDev)
    {
        string? Dev(IPAddress a) => a.Equals(IPAddress.Any) ? null : ctx.Route(ns, a).Device is { } d and not "lo" ? d : null;
        var flow = new Flow(src, dst, proto, null, dport, 100, false);
        return new PacketView(flow, inDev ? Dev(src) : null, Dev(dst), "NEW");
    }

    internal sealed record Drop(string Rule, string Chain, Func<PacketView, bool?> Matches, List<IpPrefix> Src, List<IpPrefix> Dst,
        SourceRef? Source, (string Command, string? Note) Fix);

    private static bool IsDrop(string? verdict) => verdict is "DROP" or "REJECT" or "drop" or "reject";

    /// <summary>The namespace's drop and reject rules in chains a hook reaches, each with its matcher and the command that removes it.</summary>
    internal static IEnumerable<Drop> Drops(NsRef ns)
    {
        foreach (var table in ns.Ns.Iptables)
        {
            if (table.Name is not ("filter" or "raw")) continue;
            var tool = table.Family == "ipv6" ? "ip6tables" : "iptables";
            var reachable = ReachableChains(table.Rules.Select(r => (r.Chain, r.Target)), ["INPUT", "FORWARD", "OUTPUT", "PREROUTING"]);
            foreach (var r in table.Rules)
            {
                if (!IsDrop(r.Target) || !reachable.Contains(r.Chain)) continue;
                var (src, dst) = IptablesEval.Addresses(r);
                yield return new Drop(r.ToString(), $"{table.Name} {r.Chain}", p => IptablesEval.Match(r, p), src, dst, r.Source ?? table.Source,
                    (NsCommand.Exec(ns, [tool, "-t", table.Name, "-D", r.Chain, .. r.Args]), null));
            }
        }
        if (ns.Ns.Nftables is not { } nft) yield break;
        var parsed = nft.Rules.Select(r => (Rule: r, P: NftEval.Action(r))).ToList();
        var bases = nft.Chains.Where(c => c.Hook is "input" or "forward" or "output" or "prerouting").Select(c => $"{c.Family} {c.Table} {c.Name}").ToList();
        var reach = ReachableChains(parsed.Select(x => ($"{x.Rule.Family} {x.Rule.Table} {x.Rule.Chain}", x.P.Target is null ? null : $"{x.Rule.Family} {x.Rule.Table} {x.P.Target}")), bases);
        foreach (var (r, p) in parsed)
        {
            var chain = $"{r.Family} {r.Table} {r.Chain}";
            if (!IsDrop(p.Verdict) || !reach.Contains(chain)) continue;
            var hook = nft.Chains.FirstOrDefault(c => c.Family == r.Family && c.Table == r.Table && c.Name == r.Chain)?.Hook;
            var fix = r.Handle is { } h
                ? (NsCommand.Exec(ns, "nft", "delete", "rule", r.Family, r.Table, r.Chain, "handle", h.ToString(System.Globalization.CultureInfo.InvariantCulture)), (string?)null)
                : (NsCommand.Exec(ns, "nft", "-a", "list", "chain", r.Family, r.Table, r.Chain), "find the rule's handle, then: nft delete rule " + chain + " handle N");
            var (src, dst) = NftEval.Addresses(r);
            yield return new Drop(r.Text ?? "(rule " + (r.Handle?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?") + ")",
                $"{chain}{(hook is null ? "" : $" (hook {hook})")}", pv => NftEval.Matches(r, pv), src, dst, r.Source ?? nft.Source, fix);
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
}
