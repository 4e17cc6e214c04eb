using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #2: the reverse of #1 behind OVS/OVN port security. Frames coming out of the tunnel carry
/// the far device's MAC as source; tc/veth hand them to an OVS port whose logical port only allows the
/// pod's MAC (external_ids:attached_mac), so OVS drops the replies on the worker.
/// </summary>
internal sealed class PortSecurityCheck : ICheck
{
    public string Id => "port-security-mac-mismatch";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != LinkKinds.Vxlan || ctx.Topology.Tunnel(d)?.Far is not { Link.Mac: { } farMac } far) continue;
            var walk = ctx.L2Path(d, egress: false, MacAddress.Broadcast);
            var port = walk.Path.FirstOrDefault(p => ctx.Topology.EdgesFrom(p).Any(e => e.Kind == EdgeKind.OvsPort));
            if (port is null || Iface(port) is not { } iface) continue;
            if (!iface.ExternalIds.TryGetValue("attached_mac", out var allowedText) && !iface.ExternalIds.TryGetValue("attached-mac", out allowedText)) continue;
            if (!MacAddress.TryParse(allowedText, out var allowed) || allowed == farMac) continue;
            var (fix, restored) = MacFix.For(far, allowed);
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"OVS port {port.Link.Name} on {port.Host.Name} only allows {allowed}, but frames from {far} carry {farMac}",
                Explanation = $"Replies leave {far} with source MAC {farMac}, cross the tunnel to {d} and reach OVS port {port.Link.Name} " +
                    $"({NeighborPaths.Describe(ctx.Topology, walk.Path)}). The logical port's port security allows only {allowed} " +
                    $"(external_ids:attached_mac), so OVS drops the replies on {port.Host.Name}. Give {far.Link.Name} the allowed MAC " +
                    "(link down while changing it; routes through it put back).",
                Evidence = [Ev.Device(far, "source of the replies"), Ev.Device(d), Ev.Text(port.Namespace, "ovs interface",
                    $"{iface.Name} external_ids:attached_mac={allowedText}", iface.Source), .. restored.Select(r => Ev.Route(far.Namespace, r))],
                Fix = [fix],
                RootCause = "mac:" + far.Key,
                Devices = [far, port, d],
            };
        }
    }

    private static OvsInterface? Iface(DeviceRef port) =>
        port.Ns.Ovs?.Bridges.SelectMany(b => b.Ports).SelectMany(p => p.Interfaces).FirstOrDefault(i => i.Name == port.Link.Name);
}
