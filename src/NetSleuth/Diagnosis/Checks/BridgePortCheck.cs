using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #18: a pod's veth end in the root namespace is not a port of the bridge that serves the
/// pod's subnet (no master, or another bridge), so the pod's frames never reach the rest of the subnet.
/// </summary>
internal sealed class BridgePortCheck : ICheck
{
    public string Id => "bridge-port-detached, bridge-port-wrong-master";

    private static List<string> Commands(DiagnosisContext ctx, DeviceRef h, DeviceRef expected, DeviceRef? actual)
    {
        var ns = h.Namespace;
        bool ovs = expected.Link.Kind == Model.LinkKinds.OpenVSwitch || ctx.Topology.EdgesTo(expected).Any(e => e.Kind == EdgeKind.OvsPort);
        if (!ovs) return [NsCommand.Ip(ns, "link", "set", "dev", h.Link.Name, "master", expected.Link.Name)];
        var c = new List<string>();
        if (actual is not null) c.Add(NsCommand.Exec(ns, "ovs-vsctl", "--if-exists", "del-port", actual.Link.Name, h.Link.Name));
        c.Add(NsCommand.Exec(ns, "ovs-vsctl", "--may-exist", "add-port", expected.Link.Name, h.Link.Name));
        return c;
    }

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var seen = new HashSet<DeviceRef>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (ctx.Topology.VethPeer(pod) is not { } h || !h.Ns.IsRoot || h.Host != pod.Host || !seen.Add(h)) continue;
            if (VethPeerCheck.PeerNamespaceMissing(pod) is not null) continue; // the linker only guessed this peer
            var expected = PodBridge.For(ctx, h.Namespace, addr.Address);
            if (expected is null || h.Link.Master == expected.Link.Name || ctx.Topology.BridgeOf(h) == expected) continue;
            var actual = h.Link.Master is { } m ? ctx.Topology.Device(h.Namespace, m) : null;
            bool detached = h.Link.Master is null;
            var ns = h.Namespace;
            yield return new Finding
            {
                Id = detached ? "bridge-port-detached" : "bridge-port-wrong-master",
                Severity = Severity.Error,
                Title = detached ? $"{h} (veth of {pod}) is not a port of {expected.Link.Name}" : $"{h} (veth of {pod}) is a port of {h.Link.Master}, not {expected.Link.Name}",
                Explanation = $"{pod} holds {addr.Prefix}; in {ns} that subnet is served by bridge {expected.Link.Name}. The pod's veth end {h.Link.Name} " +
                    (detached ? "has no master, so its frames go nowhere" : $"is enslaved to {h.Link.Master}, which does not carry that subnet") +
                    $". Make it a port of {expected.Link.Name}.",
                Evidence = [Ev.Address(pod, addr), Ev.Device(h), Ev.Device(expected, "serves the pod subnet"), .. actual is null ? [] : new[] { Ev.Device(actual) }],
                Fix = [NsCommand.Step(ns, Commands(ctx, h, expected, actual))],
                RootCause = "master:" + h.Key,
                Devices = [h, pod],
            };
        }
    }
}
