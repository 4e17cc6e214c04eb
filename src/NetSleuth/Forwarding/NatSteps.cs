using System.Net;

namespace NetSleuth.Forwarding;

/// <summary>An address translation: the rule (or conntrack entry) that chose it and the packet before and after.</summary>
/// <param name="Kind">DNAT, SNAT, MASQUERADE, REDIRECT; "un-DNAT"/"un-SNAT" for a reply conntrack translates back</param>
/// <param name="Hook">PREROUTING, OUTPUT, POSTROUTING, INPUT</param>
/// <param name="Rule">the rule as the input prints it, or the conntrack entry</param>
/// <param name="Before">"10.96.0.10:80" (the address and port that changed)</param>
/// <param name="After">"10.244.1.5:8080"</param>
public sealed record NatStep(string Kind, string Hook, string Rule, string Before, string After) : Step
{
    public override string Text => $"{Hook} {Kind} {Before} → {After} ({Rule})";
}

/// <summary>A point where the kernel picks one of several alternatives (a Service's endpoints: -m statistic, nft numgen,
/// IPVS scheduling): the alternatives and the one this trace follows; the others are traced separately.</summary>
public sealed record ChoiceStep(string At, IReadOnlyList<string> Alternatives, int Taken) : Step
{
    public override string Text => Alternatives.Count == 1
        ? $"{At}: one endpoint, {Alternatives[0]}"
        : $"{At}: {Alternatives.Count} endpoints ({string.Join(", ", Alternatives)}); this trace takes #{Taken + 1}, {Alternatives[Taken]}; the others are traced separately";
}

/// <summary>IPVS: a packet to a virtual service scheduled to a real server (kube-proxy ipvs mode).</summary>
public sealed record IpvsStep(string Service, string Scheduler, IPAddress? Real, int? RealPort, string Forward) : Step
{
    public override string Text => Real is null
        ? $"IPVS virtual service {Service} ({Scheduler}) has no real servers: the packet is not forwarded"
        : $"IPVS virtual service {Service} ({Scheduler}) → real server {Real}:{RealPort} ({Forward})";
}
