using NetSleuth.Forwarding;
using NetSleuth.Topology;
using Trace = NetSleuth.Forwarding.Trace;

namespace NetSleuth.Render;

/// <summary>
/// One packet path for the HTML report: the devices the packet crossed, in order (as the trace's
/// steps name them), the device it died at, and the trace itself for the step list.
/// </summary>
/// <param name="Label">"worker → 198.18.2.46" (with " (reply)" when the reply is what failed)</param>
/// <param name="Devices">devices in the order the packet crossed them (consecutive repeats removed)</param>
/// <param name="Failing">where the packet died; null when it was delivered or the place is not a device</param>
public sealed record HtmlPath(string Label, Trace Trace, IReadOnlyList<DeviceRef> Devices, DeviceRef? Failing)
{
    /// <summary>Reads the devices a trace crossed from its typed steps.</summary>
    public static HtmlPath From(Topology.Topology t, string label, Trace trace)
    {
        var devices = new List<DeviceRef>();
        foreach (var hop in trace.Hops)
        {
            var ns = ResolveNs(t, hop.Host, hop.Namespace);
            foreach (var step in hop.Steps)
            foreach (var d in StepDevices(t, ns, step))
                if (devices.Count == 0 || !devices[^1].Equals(d)) devices.Add(d);
        }
        DeviceRef? failing = null;
        if (!trace.Delivered)
        {
            failing = trace.At is { } at ? t.FindDevice(at) ?? FindByNode(t, at) : null;
            if (failing is not null && (devices.Count == 0 || !devices[^1].Equals(failing))) devices.Add(failing);
        }
        return new HtmlPath(label, trace, devices, failing);
    }

    /// <summary>Re-traces a diagnosis path ("worker → 198.18.2.46", "worker:ns → 10.0.0.5 (reply)"); null when it cannot.</summary>
    public static HtmlPath? Retrace(Topology.Topology t, string from, string to)
    {
        bool reply = to.EndsWith(" (reply)", StringComparison.Ordinal);
        var dest = reply ? to[..^" (reply)".Length] : to;
        if (!System.Net.IPAddress.TryParse(dest.Trim(), out var ip)) return null;
        int colon = from.IndexOf(':');
        var request = new TraceRequest(colon < 0 ? from : from[..colon], colon < 0 ? null : from[(colon + 1)..], null, ip);
        TraceResult r;
        try { r = Tracer.Trace(t, request); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return null; }
        var trace = reply && r.Reply is { } back ? back : !r.Forward.Delivered || r.Reply is null ? r.Forward : r.Reply;
        return From(t, $"{from} → {to}", trace);
    }

    /// <summary>The devices one step of a hop in <paramref name="ns"/> names, in the order the packet meets them.</summary>
    internal static IEnumerable<DeviceRef> StepDevices(Topology.Topology t, NsRef? ns, Step step)
    {
        foreach (var (node, name) in Named(step))
        {
            var where = node is null ? ns : ResolveNode(t, node);
            if (where is null || name is null) continue;
            if (t.Device(where, name) is { } d) yield return d;
        }
    }

    /// <summary>The devices a step names, each with the node ("host" or "host:ns") it is in when not the hop's own.</summary>
    private static IEnumerable<(string? Node, string? Name)> Named(Step step)
    {
        switch (step)
        {
            case RoutingStep r: yield return (null, r.OutDevice); break;
            case BridgeStep b:
                yield return (null, b.InPort);
                yield return (null, b.Bridge);
                yield return (null, b.OutPort);
                break;
            case VethStep v:
                yield return (null, v.Device);
                yield return (v.PeerNode, v.Peer);
                break;
            case TcRedirectStep tc:
                yield return (null, tc.Device);
                yield return (null, tc.Target);
                break;
            case VxlanEncapStep e: yield return (null, e.Device); break;
            case VxlanDecapStep d: yield return (d.Node, d.Device); break;
            case UnderlayStep u:
                yield return (null, u.FromDevice);
                yield return (u.ToNode, u.ToDevice);
                break;
            case ReceiveStep rc: yield return (null, rc.Device); break;
            case DeliveredStep dl: yield return (null, dl.Device); break;
            case DropStep { Device: { } dev }:
                // "vxlan0", or "host:ns:vxlan0" (device names cannot hold a colon)
                int colon = dev.LastIndexOf(':');
                yield return colon < 0 ? (null, dev) : (dev[..colon], dev[(colon + 1)..]);
                break;
        }
    }

    internal static NsRef? ResolveNs(Topology.Topology t, string host, string ns)
    {
        if (t.FindHost(host) is not { } h) return null;
        var n = h.Namespaces.FirstOrDefault(x => x.DisplayName == ns) ?? h.FindNamespace(ns) ?? (ns == "root" ? h.Root : null);
        return n is null ? null : new NsRef(h, n);
    }

    /// <summary>"host" (root namespace) or "host:ns" — the namespace part may itself hold colons.</summary>
    private static NsRef? ResolveNode(Topology.Topology t, string node)
    {
        int colon = node.IndexOf(':');
        return colon < 0 ? ResolveNs(t, node, "root") : ResolveNs(t, node[..colon], node[(colon + 1)..]);
    }

    /// <summary>"host:ns" with no device: the first device of that namespace stands for it.</summary>
    private static DeviceRef? FindByNode(Topology.Topology t, string at) =>
        ResolveNode(t, at) is { } ns ? ns.Ns.Links.Select(l => t.Device(ns, l.Name)).OfType<DeviceRef>().FirstOrDefault(d => !d.Link.IsLoopback) : null;
}
