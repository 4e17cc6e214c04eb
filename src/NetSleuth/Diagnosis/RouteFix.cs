using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>The route a namespace needs to reach an address it is linked to: the connected route of the
/// device whose subnet holds it, or a host route to the veth whose peer holds it.</summary>
internal static class RouteFix
{
    public static (string[] Args, DeviceRef Via)? ConnectedTo(DiagnosisContext ctx, NsRef ns, IPAddress x, DeviceRef? owner)
    {
        foreach (var l in ns.Ns.Links)
        {
            if (l.IsLoopback) continue;
            foreach (var a in l.Addresses)
            {
                if (a.Prefix.Length >= a.Prefix.MaxLength || !Forwarding.Fib.Contains(a.Prefix, x)) continue;
                if (ctx.Topology.Device(ns, l.Name) is not { } dev) continue;
                return (["route", "replace", a.Prefix.Network.ToString(), "dev", l.Name, "proto", "kernel", "scope", "link", "src", a.Address.ToString()], dev);
            }
        }
        if (owner is not null && ctx.Topology.VethPeer(owner) is { } peer && peer.Host == ns.Host && peer.Ns == ns.Ns)
            return (["route", "replace", x.ToString(), "dev", peer.Link.Name, "scope", "link"], peer);
        return null;
    }
}
