using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// Traces Open vSwitch and OVN made themselves, when the input has them (`ovs-appctl ofproto/trace`, `ovn-trace`): a
/// frame crossing an OVS bridge that is the packet such a trace describes (same MACs and IPv4 addresses, and the same
/// in_port when the trace names one) gets a step with the tool's verdict, beside the tracer's own.
/// </summary>
internal sealed partial class Walker
{
    private void RecordedTraces(DeviceRef br, DeviceRef inPort, Frame frame)
    {
        if (!_record || !frame.Ip.IsV4) return;
        var ns = br.Namespace;
        if (br.Ns.Ovs is { Traces.Count: > 0 } ovs)
            foreach (var t in ovs.Traces)
                if ((t.Bridge is null || t.Bridge == br.Link.Name) && SamePacket(t, br, inPort, frame, inPortMatters: true))
                    Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, null, frame.DstMac,
                        $"`ovs-appctl ofproto/trace` of this packet (in the input): {t.Verdict}" + Outs(t, "OpenFlow port")) { Evidence = t.Source });
        if (LspOf(inPort) is null) return;
        foreach (var n in br.Host.Namespaces)
            if (n.Ovn is { Traces.Count: > 0 } ovn)
                foreach (var t in ovn.Traces)
                    if (SamePacket(t, br, inPort, frame, inPortMatters: false))
                        Add(ns, new BridgeStep(br.Link.Name, inPort.Link.Name, null, frame.DstMac,
                            $"`ovn-trace` of this packet on logical switch {t.Bridge} (in the input): {t.Verdict}") { Evidence = t.Source });
    }

    private static string Outs(RecordedTrace t, string what) => t.Outputs.Count == 0 ? "" : $" ({what} {string.Join(", ", t.Outputs)})";

    private static bool SamePacket(RecordedTrace t, DeviceRef br, DeviceRef inPort, Frame frame, bool inPortMatters)
    {
        var p = OpenFlow.PacketOf(t.Flow, out _);
        if (p.DlType != 0x0800 || p.DlSrc != frame.SrcMac.Value || p.DlDst != frame.DstMac.Value) return false;
        if (!OpenFlow.Ip(p.NwSrc).Equals(frame.Ip.Source) || !OpenFlow.Ip(p.NwDst).Equals(frame.Ip.Destination)) return false;
        if (!inPortMatters) return true;
        if (p.InPortName is { } name) return name == inPort.Link.Name;
        if (p.InPort < 0 || FlowsOrBridge(br) is not { } b) return true;
        int? own = inPort == br ? OpenFlow.LocalPort : OfInterface(b, inPort.Link.Name)?.OfPort;
        return own is not { } n || p.InPort == n; // an ofport the input does not show cannot tell them apart
    }

    private static OvsBridge? FlowsOrBridge(DeviceRef br) => br.Ns.Ovs?.Bridges.FirstOrDefault(b => b.Name == br.Link.Name);
}
