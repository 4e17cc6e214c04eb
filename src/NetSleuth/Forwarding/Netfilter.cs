using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

internal enum Hook { Prerouting, Input, Forward, Output, Postrouting }

internal enum VerdictKind { Accept, Drop, Reject, Uncertain, Unknown }

/// <summary>A netfilter hook's verdict, the steps that decided it, and what was assumed.</summary>
internal sealed record Verdict(VerdictKind Kind, string Reason, IReadOnlyList<Step> Steps, IReadOnlyList<string> Assumptions);

/// <summary>
/// Evaluates one netfilter hook for a packet: the iptables tables that hook (raw, mangle, nat, filter) and the
/// nftables base chains on it, in priority order. With a walk's <see cref="NfContext"/> the nat chains choose a
/// NAT (left in the context for the walker to apply) and later tables of the hook see the rewritten destination. A rule whose match or target
/// is not understood makes the verdict uncertain — never a silent accept.
/// </summary>
internal static class Netfilter
{
    private static readonly Verdict Unknown = new(VerdictKind.Unknown, "firewall not in the input", [], []);
    private static readonly Verdict EmptyAccept = new(VerdictKind.Accept, "accepted", [], []);

    public static Verdict Evaluate(NsRef ns, Hook hook, Flow flow, string? inDev, string? outDev, bool established, NfContext? ctx = null)
    {
        bool ipt = ns.Ns.IsKnown(Sections.Iptables), nft = ns.Ns.IsKnown(Sections.Nftables);
        if (!ipt && !nft) return Unknown;
        // both known and both empty (most pods): nothing to evaluate
        if (ipt && nft && ns.Ns.Iptables.Count == 0 && ns.Ns.Nftables is null or { Chains.Count: 0 }) return EmptyAccept;
        // no rule on this hook and ACCEPT policies (a walk's hook: with a context, the nat table says nothing either)
        if (ipt && nft && ctx is not null && ns.Ns.Nftables is null or { Chains.Count: 0 } && IptablesEval.NothingOn(ns.Ns, hook)) return EmptyAccept;
        var steps = new List<Step>();
        var assumptions = new List<string>();
        var packet = new PacketView(flow, inDev, outDev, established ? "ESTABLISHED" : "NEW") { Ctx = ctx };
        if (ipt)
        {
            var v = IptablesEval.Run(ns.Ns, hook, packet, steps, assumptions);
            if (v.Kind != VerdictKind.Accept) return v with { Steps = steps, Assumptions = assumptions };
            if (ctx?.PendingDnat is { } d && hook is Hook.Prerouting or Hook.Output)
                packet = packet with { Flow = Nat.ApplyDestination(flow, d, inDev, ns.Ns) };
        }
        else assumptions.Add($"iptables rules of {ns} are not in the input (only nftables)");
        if (nft && ns.Ns.Nftables is { } rs)
        {
            var v = NftEval.Run(rs, hook, packet, steps, ipt);
            if (v.Kind != VerdictKind.Accept) return v with { Steps = steps, Assumptions = assumptions };
        }
        else if (ipt && !nft) assumptions.Add($"nftables ruleset of {ns} is not in the input (only iptables)");
        return new Verdict(VerdictKind.Accept, "accepted", steps, assumptions);
    }
}

/// <summary>The fields of the packet rules match on.</summary>
internal sealed record PacketView(Flow Flow, string? InDev, string? OutDev, string CtState)
{
    /// <summary>The walk's netfilter state in this namespace (mark, NAT, endpoint choice); null where only the filter
    /// verdict is asked (a check): marks, NAT status and statistic are then not known.</summary>
    public NfContext? Ctx { get; init; }
    public int ProtoNumber => Flow.Protocol switch { Protocols.Icmp => 1, Protocols.Tcp => 6, Protocols.Udp => 17, _ => -1 };
}
