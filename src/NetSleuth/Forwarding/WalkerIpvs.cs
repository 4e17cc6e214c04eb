using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// IPVS (kube-proxy ipvs mode): a packet delivered locally (the Service address sits on the kube-ipvs0 dummy device,
/// so the local table holds it) to a virtual service of the namespace's IPVS table is scheduled to a real server
/// (each real server an alternative the trace enumerates) and, in Masq (NAT) mode, sent on with its destination
/// rewritten: routed again, POSTROUTING applies (kube-proxy's masquerade). The reply is translated back as conntrack
/// does. The IPVS table comes from imported `ipvsadm -Ln` / `ipvsadm-save` (this machine's kernel has no IPVS).
/// </summary>
internal sealed partial class Walker
{
    private Next? Ipvs(NsRef ns, Flow flow)
    {
        if (_isReply || !ns.Ns.IsKnown(Sections.Ipvs) || ns.Ns.Ipvs.Count == 0) return null;
        IpvsService? svc = null;
        foreach (var s in ns.Ns.Ipvs)
            if (s.Protocol == flow.Protocol && flow.Destination.Equals(s.Address) && (s.Port is null || s.Port == flow.DestinationPort)) { svc = s; break; }
        if (svc is null) return null;
        if (svc.Destinations.Count == 0)
        {
            if (_record) Add(ns, new IpvsStep(svc.ToString(), svc.Scheduler ?? "?", null, null, "none") { Evidence = svc.Source });
            return new End(Disposition.Unreachable, $"IPVS virtual service {svc} in {ns} has no real servers (the Service has no endpoints): the local stack answers with a reset / port unreachable",
                ns);
        }
        var labels = new List<string>(svc.Destinations.Count);
        foreach (var d in svc.Destinations) labels.Add(d.ToString());
        int taken = Choose($"ipvs {svc}", labels);
        var real = svc.Destinations[taken];
        if (_record)
        {
            if (labels.Count > 1) Add(ns, new ChoiceStep($"IPVS {svc} ({svc.Scheduler ?? "?"})", labels, taken) { Evidence = svc.Source });
            Add(ns, new IpvsStep(svc.ToString(), svc.Scheduler ?? "?", real.Address, real.Port ?? flow.DestinationPort, real.Forward ?? "?") { Evidence = real.Source ?? svc.Source });
        }
        if (real.Forward is not (null or "Masq"))
            return new End(Disposition.Uncertain, $"IPVS {svc} forwards to {real} in {real.Forward} mode, which is not simulated (only Masq, kube-proxy's)", ns);
        var before = flow;
        flow = flow with { Destination = real.Address, DestinationPort = real.Port ?? flow.DestinationPort };
        if (CtOf(ns.Ns) is not { } m) _ct.Add(m = new CtMapping(ns.Ns, before));
        m.Dnat = true;
        m.Final = flow;
        Ctx(ns).Dnat = true;
        return new Out(ns, flow, null, null, AfterNat: true);
    }
}
