using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #27: a Service endpoint the node cannot reach (<c>service-endpoint-unreachable</c>). For each Service port
/// kube-proxy translates on a node (<see cref="ServiceTable.Frontends"/>), the tracer follows a connection from the node to
/// the ClusterIP: kube-proxy's DNAT picks an endpoint, and every endpoint choice is traced (<see cref="TraceResult.Alternatives"/>).
/// A trace that was translated and then dies (no route, a down link, a firewall rule, a reply that never comes back) is the
/// finding: the evidence is kube-proxy's DNAT rule (the KUBE-SEP- chain, nft's endpoint chain) and the failing step, the fix
/// is that step's (the drop rule removed, the link brought up). The findings share root-cause keys with the firewall and
/// link checks, so one cause found both ways is one finding. Nothing here models the kernel: the tracer decides.
/// Work is bounded: at most <see cref="MaxTraces"/> (node, Service port) traces, taken round-robin over the nodes (each
/// node's first Service, then each node's second, …); what is left over is said in an info finding.
/// </summary>
internal sealed class ServiceEndpointCheck : ICheck
{
    public string Id => "service-endpoint-unreachable";

    /// <summary>The most (node, Service port) traces one diagnosis runs.</summary>
    internal static int MaxTraces { get; set; } = 2000;

    private const int SourcePort = 40000;

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var nodes = new List<(NsRef Node, List<ServiceTable.Frontend> Ports)>();
        foreach (var ns in ctx.Namespaces)
        {
            // kube-proxy's namespace (a node's root namespace): the one whose rules translate Services
            if (ns.Ns.Iptables.Count == 0 && ns.Ns.Nftables is null && ns.Ns.Ipvs.Count == 0) continue;
            var ports = ServiceTable.Frontends(ns.Ns);
            if (ports.Count > 0) nodes.Add((ns, ports));
        }
        if (nodes.Count == 0) yield break;
        int total = nodes.Sum(n => n.Ports.Count), traced = 0;
        var found = new Dictionary<string, Finding>(StringComparer.Ordinal);
        var order = new List<string>();
        int longest = nodes.Max(n => n.Ports.Count);
        for (int k = 0; k < longest && traced < MaxTraces; k++)
            foreach (var (node, ports) in nodes)
            {
                if (k >= ports.Count) continue;
                if (traced >= MaxTraces) break;
                traced++;
                foreach (var f in Check(ctx, node, ports[k]))
                {
                    if (found.TryGetValue(f.RootCause, out var lead))
                    {
                        // one cause behind several Services: one finding, each Service named once in its evidence
                        foreach (var e in f.Evidence) if (!lead.Evidence.Contains(e) && lead.Evidence.Count < 12) lead.Evidence.Add(e);
                        continue;
                    }
                    found[f.RootCause] = f;
                    order.Add(f.RootCause);
                }
            }
        foreach (var key in order) yield return found[key];
        if (traced < total)
            yield return new Finding
            {
                Id = "service-endpoints-sampled",
                Severity = Severity.Info,
                Title = $"Service endpoints checked for {traced} of {total} (node, Service port) pairs",
                Explanation = $"Tracing every Service from every node would take {total} traces (each with every endpoint); the check " +
                    $"stops at {MaxTraces}, taken round-robin over the {nodes.Count} nodes. To check one Service from one node: " +
                    "netsleuth trace INPUTS --from NODE --to CLUSTER-IP --proto tcp --dport PORT.",
                RootCause = "service-endpoints-sampled",
            };
    }

    /// <summary>The findings of one Service port traced from one node: one per endpoint choice that was translated and died.</summary>
    private static IEnumerable<Finding> Check(DiagnosisContext ctx, NsRef node, ServiceTable.Frontend svc)
    {
        var proto = svc.Protocol.ToLowerInvariant();
        if (proto is not (Protocols.Tcp or Protocols.Udp)) yield break;
        TraceResult r;
        try
        {
            var request = new TraceRequest(node.Host.Name, node.Ns.IsRoot ? null : node.Ns.Name ?? node.Ns.Id, null, svc.Address)
                { Start = node, Protocol = proto, DestinationPort = svc.Port, SourcePort = SourcePort };
            // the verdicts first (every endpoint choice, no steps recorded), as the sweep does: the steps only when one fails
            var quick = Tracer.Verdict(ctx.Topology, request);
            if (Failing(quick) is null && (quick.Alternatives ?? []).All(x => Failing(x) is null)) yield break;
            r = Tracer.Trace(ctx.Topology, request);
        }
        catch (ArgumentException) { yield break; } // a request the tracer refuses (no such start): nothing to say
        foreach (var x in new[] { r }.Concat(r.Alternatives ?? []))
        {
            if (Failing(x) is not { } failing) continue;
            // translated by kube-proxy's rules: the endpoint was chosen, and the path to it (or back) is what fails
            var dnat = x.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>().FirstOrDefault(n => n.Kind is "DNAT");
            var ipvs = x.Forward.Hops.SelectMany(h => h.Steps).OfType<IpvsStep>().FirstOrDefault();
            if (dnat is null && ipvs is null) continue;
            yield return Finding(ctx, node, svc, x, failing, dnat, ipvs);
        }
    }

    /// <summary>The direction of the trace that fails for a reason of its own (not missing input, not a rule the simulator
    /// cannot judge); null when none does.</summary>
    private static Trace? Failing(TraceResult x)
    {
        var failing = !x.Forward.Delivered ? x.Forward : x.Reply is { Delivered: false } reply ? reply : null;
        return failing is null || failing.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain or Disposition.Delivered ? null : failing;
    }

    private static Finding Finding(DiagnosisContext ctx, NsRef node, ServiceTable.Frontend svc, TraceResult x, Trace failing, NatStep? dnat, IpvsStep? ipvs)
    {
        var endpoint = dnat?.After ?? $"{ipvs!.Real}:{ipvs.RealPort}";
        var where = failing.LastNamespace;
        var way = ReferenceEquals(failing, x.Forward) ? "the connection" : "the reply";
        var cause = Cause(ctx, failing, where, AfterDnat(x.Forward.Flow, endpoint));
        var evidence = new List<Evidence>
        {
            dnat is not null
                ? Ev.Text(node, "kube-proxy DNAT", $"{svc.Name} → {endpoint}: {dnat.Rule}", dnat.Evidence)
                : Ev.Text(node, "IPVS real server", $"{svc.Name}: {ipvs!.Service} → {endpoint}", ipvs.Evidence),
            Ev.Text(node, "Service", $"{svc.Address}:{svc.Port}/{svc.Protocol} ({svc.Rule})", svc.Source),
        };
        evidence.AddRange(cause.Evidence);
        return new Finding
        {
            Id = "service-endpoint-unreachable",
            Severity = Severity.Error,
            Title = $"Service {svc.Name} ({svc.Address}:{svc.Port}/{svc.Protocol}): endpoint {endpoint} is not reachable from {node}: {cause.Short}",
            Explanation = $"kube-proxy on {node} translates {svc.Address}:{svc.Port} to {endpoint} ({(dnat is not null ? "DNAT" : "IPVS")}), but {way} " +
                $"then dies at {failing.At ?? where?.ToString() ?? "?"}: {failing.Reason}. Connections to the Service fail whenever this " +
                "endpoint is picked (the others work), so clients see intermittent timeouts or refusals. " + cause.Advice,
            Evidence = evidence,
            Fix = cause.Fix is { } fix ? [fix] : [],
            RootCause = cause.Key,
            Devices = where is null ? [node] : [node, where, .. failing.AtPlace is { } p ? [p] : Array.Empty<Place>()],
            Trace = new FindingTrace(node.ToString(), $"{svc.Address}:{svc.Port}/{svc.Protocol} → {endpoint}",
                $"{failing.Disposition}: {failing.Reason}", failing.Hops.Select(h => h.Node).ToList(), failing.At),
        };
    }

    private sealed record CauseInfo(string Key, string Short, string Advice, List<Evidence> Evidence, FixStep? Fix);

    /// <summary>What the failing step is and its fix: the drop rule (as the firewall check removes it), the down device (as
    /// the link check brings it up), else the trace's own account.</summary>
    /// <summary>The packet as kube-proxy's DNAT left it (the endpoint's address and port), for matching drop rules.</summary>
    private static Flow? AfterDnat(Flow sent, string endpoint) =>
        Nat.TryParseTarget(endpoint, out var a, out var port, out _) && a is not null ? sent with { Destination = a, DestinationPort = port ?? sent.DestinationPort } : null;

    private static CauseInfo Cause(DiagnosisContext ctx, Trace failing, NsRef? where, Flow? translated)
    {
        var stop = failing.Hops.Count > 0 ? failing.Hops[^1].Steps.OfType<FilterStep>().LastOrDefault() : null;
        if (where is not null && failing.Disposition is Disposition.DeniedIn or Disposition.DeniedForward or Disposition.DeniedOut && stop is not null)
        {
            if (stop.Rule is { } rule)
            {
                var drops = FirewallCheck.Drops(where).ToList();
                // the rule by its text (iptables, nft text), else (nft -j: no text) the drop rule of that chain that matches the translated packet
                var drop = drops.FirstOrDefault(d => d.Rule == rule || d.Rule.EndsWith(rule, StringComparison.Ordinal) || rule.EndsWith(d.Rule, StringComparison.Ordinal))
                    ?? (translated is null ? null : drops.FirstOrDefault(d => d.Chain.StartsWith($"{stop.Table} {stop.Chain}", StringComparison.Ordinal) &&
                        d.Matches(new PacketView(translated, null, null, "NEW")) == true));
                if (drop is not null)
                    return new CauseInfo($"fw:{where.Key}/{drop.Chain}/{drop.Rule}", $"dropped by `{rule}`",
                        "Remove the rule, or accept the Service's endpoint traffic before it.",
                        [Ev.Text(where, "firewall rule", $"{drop.Chain}: {(drop.Rule == rule ? rule : $"{rule} {drop.Rule}")}", drop.Source)],
                        NsCommand.Step(where, [drop.Fix.Command], drop.Fix.Note));
                return new CauseInfo($"svc-ep:{where.Key}/{stop.Chain}/{rule}", $"dropped by `{rule}`",
                    "Allow the endpoint's traffic in that chain.", [Ev.Text(where, "firewall rule", stop.Text, stop.Evidence)], null);
            }
            return new CauseInfo($"svc-ep:{where.Key}/{stop.Chain}/policy", $"policy {stop.Verdict} of {stop.Chain}",
                "Accept the endpoint's traffic in that chain (its policy drops whatever no rule accepts).",
                [Ev.Text(where, "firewall policy", stop.Text, stop.Evidence)], null);
        }
        if (failing.Disposition == Disposition.LinkDown && failing.AtPlace is { Link: { } link } at)
        {
            var d = new DeviceRef(at.Host, at.Ns, link);
            return new CauseInfo("link:" + d.Key, $"{d} is down", "Bring the device up.", [Ev.Device(d)],
                NsCommand.Step(d.Namespace, [NsCommand.Ip(d.Namespace, "link", "set", "dev", link.Name, "up")]));
        }
        var place = failing.At ?? where?.ToString() ?? "?";
        var last = failing.FinalStep;
        return new CauseInfo($"svc-ep:{place}/{failing.Disposition}", $"{failing.Disposition} at {place}",
            "The trace's last step says what is missing there (a route to the endpoint's pod network, a neighbour, forwarding).",
            where is null ? [] : [Ev.Text(where, "trace", last?.Text ?? failing.Reason, last?.Evidence)], null);
    }
}
