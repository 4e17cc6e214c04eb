using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>The bridge in a namespace that serves a pod subnet: it holds an address of the subnet, or one of its
/// ports is a veth whose peer there does (the management port ovn-k8s-mp0 of br-int).</summary>
internal static class PodBridge
{
    public static DeviceRef? For(DiagnosisContext ctx, NsRef ns, IPAddress x)
    {
        var t = ctx.Topology;
        foreach (var l in ns.Ns.Links)
        {
            if (l.IsLoopback || !l.Addresses.Any(a => a.Prefix.Length < a.Prefix.MaxLength && Forwarding.Fib.Contains(a.Prefix, x))) continue;
            if (t.Device(ns, l.Name) is not { } d) continue;
            if (d.Link.Kind is LinkKinds.Bridge or LinkKinds.OpenVSwitch && t.PortsOf(d).Any()) return d;
            if (t.BridgeOf(d) is { } b1) return b1; // an OVS internal port
            if (t.VethPeer(d) is { } peer && peer.Ns == ns.Ns && t.BridgeOf(peer) is { } b2) return b2;
            if (d.Link.Kind is LinkKinds.Bridge) return d;
        }
        return null;
    }
}
