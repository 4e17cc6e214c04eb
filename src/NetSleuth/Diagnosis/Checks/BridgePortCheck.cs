using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #18: a pod's veth end in the root namespace is not a port of the bridge that serves the
/// pod's subnet (no master, or another bridge), so the pod's frames never reach the rest of the subnet.
/// </summary>
internal sealed class BridgePortCheck : ICheck
{
    public string Id => "bridge-port-detached, bridge-port-wrong-master";

    /// <summary>The commands that make PORT (in NS) a port of EXPECTED: <c>ip link set master</c> for a Linux bridge; for an
    /// Open vSwitch bridge <c>ovs-vsctl add-port</c>, after <c>del-port</c> from the OVS bridge ACTUAL it is on (OVS refuses a
    /// port on two bridges, and a Linux bridge port is taken off with <c>nomaster</c>).</summary>
    internal static List<string> Commands(DiagnosisContext ctx, NsRef ns, string port, DeviceRef expected, DeviceRef? actual) =>
        Commands(ctx.Topology, ns, port, expected, actual);

    internal static List<string> Commands(Topology.Topology t, NsRef ns, string port, DeviceRef expected, DeviceRef? actual)
    {
        bool ovs = IsOvs(t, expected);
        if (!ovs) return [NsCommand.Ip(ns, "link", "set", "dev", port, "master", expected.Link.Name)];
        var c = new List<string>();
        if (actual is not null && IsOvs(t, actual)) c.Add(NsCommand.Exec(ns, "ovs-vsctl", "--if-exists", "del-port", actual.Link.Name, port));
        else if (actual is not null) c.Add(NsCommand.Ip(ns, "link", "set", "dev", port, "nomaster"));
        c.Add(NsCommand.Exec(ns, "ovs-vsctl", "--may-exist", "add-port", expected.Link.Name, port));
        return c;
    }

    internal static bool IsOvs(Topology.Topology t, DeviceRef bridge) =>
        bridge.Link.Kind == Model.LinkKinds.OpenVSwitch || t.EdgesTo(bridge).Any(e => e.Kind == EdgeKind.OvsPort);

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var seen = new HashSet<DeviceRef>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (ctx.Topology.VethPeer(pod) is not { } h || !h.Ns.IsRoot || h.Host != pod.Host || !seen.Add(h)) continue;
            if (VethPeerCheck.PeerNamespaceMissing(pod) is not null) continue; // the linker only guessed this peer
            var expected = PodBridge.For(ctx, h.Namespace, addr.Address);
            if (expected is null || h.Link.Master == expected.Link.Name || ctx.Topology.BridgeOf(h) == expected) continue;
            // an OVS port of a userspace (netdev) bridge has no master in `ip link`: the OVS bridge it is on says where it is
            var actual = ctx.Topology.BridgeOf(h) ?? (h.Link.Master is { } m ? ctx.Topology.Device(h.Namespace, m) : null);
            bool detached = actual is null;
            var ns = h.Namespace;
            yield return new Finding
            {
                Id = detached ? "bridge-port-detached" : "bridge-port-wrong-master",
                Severity = Severity.Error,
                Title = detached ? $"{h} (veth of {pod}) is not a port of {expected.Link.Name}" : $"{h} (veth of {pod}) is a port of {actual!.Link.Name}, not {expected.Link.Name}",
                Explanation = $"{pod} holds {addr.Prefix}; in {ns} that subnet is served by bridge {expected.Link.Name}. The pod's veth end {h.Link.Name} " +
                    (detached ? "has no master, so its frames go nowhere" : $"is a port of {actual!.Link.Name}, which does not carry that subnet") +
                    $". Make it a port of {expected.Link.Name}.",
                Evidence = [Ev.Address(pod, addr), Ev.Device(h), Ev.Device(expected, "serves the pod subnet"), .. actual is null ? [] : new[] { Ev.Device(actual) }],
                Fix = [NsCommand.Step(ns, Commands(ctx, ns, h.Link.Name, expected, actual))],
                RootCause = "master:" + h.Key,
                Devices = [h, pod],
            };
        }
    }
}
