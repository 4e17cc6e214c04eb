using NetSleuth.Forwarding;
using NetSleuth.Model;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #20 (Kubernetes Services): a Service port kube-proxy rejects because it has no endpoints
/// (<c>service-no-endpoints</c>), and a conntrack entry in the input that still maps a Service to an endpoint the rules
/// no longer name (<c>service-stale-conntrack</c>: new packets of that connection keep going to the gone pod). Both read
/// the rules through Forwarding's <see cref="ServiceTable"/>.
/// </summary>
internal sealed class ServiceCheck : ICheck
{
    public string Id => "service-no-endpoints, service-stale-conntrack";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Topology.Namespaces)
        {
            if (ns.Ns.Iptables.Count == 0 && ns.Ns.Nftables is null && ns.Ns.Ipvs.Count == 0) continue;
            foreach (var svc in ServiceTable.WithoutEndpoints(ns.Ns))
            {
                var name = svc.Name.Split(':')[0];
                int slash = name.IndexOf('/');
                var fix = new List<string>();
                if (slash > 0 && !name.StartsWith("IPVS", StringComparison.Ordinal) && !name.StartsWith("NodePort", StringComparison.Ordinal))
                {
                    var (k8sNs, k8sName) = (name[..slash], name[(slash + 1)..]);
                    fix.Add(Util.Shell.Join(["kubectl", "get", "endpointslices", "-n", k8sNs, "-l", "kubernetes.io/service-name=" + k8sName]));
                    fix.Add(Util.Shell.Join(["kubectl", "describe", "service", "-n", k8sNs, k8sName]));
                }
                else fix.Add(Util.Shell.Join(["kubectl", "get", "endpointslices", "-A"]));
                yield return new Finding
                {
                    Id = "service-no-endpoints",
                    Severity = Severity.Error,
                    Title = $"Service {svc.Name} ({svc.Address}:{svc.Port}/{svc.Protocol}) has no endpoints: {ns} rejects its traffic",
                    Explanation = "kube-proxy found no ready endpoint for this Service port, so it rejects packets to it (ICMP port " +
                        "unreachable / connection refused) instead of translating them. The cause is on the Kubernetes side: the " +
                        "Service's selector matches no pod, or no matching pod is ready. Check the endpoints and the pods' labels and readiness.",
                    Evidence = [Ev.Text(ns, "kube-proxy", svc.Rule, svc.Source)],
                    Fix = [NsCommand.Step(ns, fix, "on a machine with kubectl access; the rule goes away once an endpoint is ready")],
                    RootCause = $"svc-noep:{ns.Key}/{svc.Address}:{svc.Port}",
                    Devices = [],
                };
            }
            if (!ns.Ns.IsKnown(Sections.Conntrack)) continue;
            var endpoints = ServiceTable.Endpoints(ns.Ns);
            if (endpoints.Count == 0) continue;
            foreach (var e in ns.Ns.Conntrack)
            {
                if (e.Reply.Src.Equals(e.Original.Dst) || !ServiceTable.IsServiceAddress(ns.Ns, e.Original.Dst)) continue;
                if (endpoints.Contains((e.Reply.Src, e.Reply.Sport)) || endpoints.Contains((e.Reply.Src, null))) continue;
                yield return new Finding
                {
                    Id = "service-stale-conntrack",
                    Severity = Severity.Error,
                    Title = $"conntrack in {ns} still sends {e.Protocol} {e.Original.Dst}:{e.Original.Dport} to {e.Reply.Src}:{e.Reply.Sport}, which is no endpoint of it any more",
                    Explanation = "A connection-tracking entry keeps the translation it was created with: packets of that flow go to the old " +
                        "endpoint whatever the rules say now (the classic case: a UDP client reusing its source port after the pod behind a " +
                        "Service was replaced). Delete the entry; the next packet is translated by the current rules.",
                    Evidence = [Ev.Text(ns, "conntrack", e.ToString(), e.Source)],
                    Fix = [NsCommand.Step(ns, [NsCommand.Exec(ns, "conntrack", "-D", "-p", e.Protocol, "--orig-dst", e.Original.Dst.ToString(),
                        "--reply-src", e.Reply.Src.ToString())])],
                    RootCause = $"ct-stale:{ns.Key}/{e.Original.Dst}/{e.Reply.Src}",
                    Devices = [],
                };
            }
        }
    }
}
