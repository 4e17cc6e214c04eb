using System.Net;
using System.Net.Sockets;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>What a focus kept: the devices, and how the focus was understood.</summary>
public sealed record FocusResult(string Spec, IReadOnlySet<DeviceRef> Devices, IReadOnlyList<string> Notes);

/// <summary>A focus that names nothing in the input ("no device holds 198.18.9.9").</summary>
public sealed class FocusException(string message) : Exception(message);

/// <summary>
/// Keeps what a packet to an address or device can touch, so a node with a hundred pods stays
/// readable: the namespace(s) holding the address, every device reachable from there through veth
/// pairs, tc mirred, tunnels (and the underlay device each tunnel end sends from), bridge membership
/// (port → bridge, never bridge → all its ports) and parents, plus the device each host's root
/// namespace routes the address out of. Underlay segments are not followed (every host's NIC is on
/// one); they show between the underlay devices kept.
/// </summary>
public static class Focus
{
    /// <param name="spec">an IP address, HOST:DEVICE (root namespace) or HOST:NETNS:DEVICE</param>
    public static FocusResult Select(Topology t, string spec)
    {
        var seeds = new List<DeviceRef>();
        var notes = new List<string>();
        var targets = new List<IPAddress>();
        if (ParseAddress(spec) is { } ip)
        {
            targets.Add(ip);
            foreach (var ns in t.NamespacesHolding(ip))
            {
                // a pod namespace counts whole; a root namespace only with the devices holding the address
                seeds.AddRange(ns.Ns.IsRoot
                    ? t.OwnersOf(ip).Where(o => o.Device.Namespace == ns).Select(o => o.Device)
                    : ns.Ns.Links.Select(l => t.Device(ns, l.Name)).OfType<DeviceRef>());
                notes.Add($"{ip} is held by {ns}");
            }
            if (seeds.Count == 0) notes.Add($"no namespace in the input holds {ip}");
        }
        else if (t.FindDevice(spec) is { } dev)
        {
            seeds.Add(dev);
            targets.AddRange(dev.Link.Addresses.Where(a => a.Scope is not ("link" or "host")).Select(a => a.Address));
        }
        else
        {
            throw new FocusException(spec.Contains(':')
                ? $"--focus {spec}: no such device (HOST:DEVICE for the root namespace, HOST:NETNS:DEVICE otherwise; hosts: {string.Join(", ", t.Hosts.Select(h => h.Name))})"
                : $"--focus {spec}: not an IP address or HOST:DEVICE");
        }

        foreach (var host in t.Hosts)
        {
            if (host.Root is not { } root) continue;
            var rootRef = new NsRef(host, root);
            foreach (var target in targets)
            {
                if (t.RouteDevice(rootRef, target) is not { } via || via.Link.IsLoopback) continue;
                seeds.Add(via);
                var route = Forwarding.Fib.MainRoute(t, root, target);
                notes.Add($"{host.Name} routes {target} out of {via.Link.Name}" + (route?.Gateway is { } g ? $" via {g}" : ""));
                // the next hop on another host (a node routing a pod subnet to the node holding it)
                if (route?.Gateway is { } gw)
                    seeds.AddRange(t.OwnersOf(gw).Select(o => o.Device).Where(o => o.Host != host));
            }
        }
        if (seeds.Count == 0)
            throw new FocusException($"--focus {spec}: no namespace holds it and no host's root namespace has a route to it");
        return new FocusResult(spec, Expand(t, seeds), notes);
    }

    private static HashSet<DeviceRef> Expand(Topology t, IEnumerable<DeviceRef> seeds)
    {
        var seen = new HashSet<DeviceRef>();
        var queue = new Queue<DeviceRef>();
        foreach (var s in seeds)
            if (seen.Add(s)) queue.Enqueue(s);
        while (queue.Count > 0)
        {
            var d = queue.Dequeue();
            foreach (var e in t.EdgesFrom(d))
                if (e.To is { } to && Follows(e.Kind, forward: true) && seen.Add(to)) queue.Enqueue(to);
            foreach (var e in t.EdgesTo(d))
                if (Follows(e.Kind, forward: false) && seen.Add(e.From)) queue.Enqueue(e.From);
        }
        return seen;
    }

    /// <summary>Which edges a packet follows: bridge-like and parent edges only from the member up.</summary>
    private static bool Follows(EdgeKind kind, bool forward) => kind switch
    {
        EdgeKind.Veth or EdgeKind.TcRedirect or EdgeKind.TcMirror or EdgeKind.Tunnel or EdgeKind.OvsPatch or EdgeKind.OvsTunnel => true,
        EdgeKind.BridgePort or EdgeKind.OvsPort or EdgeKind.Master or EdgeKind.Parent or EdgeKind.TunnelUnderlay => forward,
        _ => false,
    };

    private static IPAddress? ParseAddress(string spec)
    {
        if (!IPAddress.TryParse(spec, out var ip)) return null;
        // IPAddress.TryParse takes "7" as 0.0.0.7; only a dotted quad or an IPv6 address counts
        return ip.AddressFamily == AddressFamily.InterNetworkV6 || spec.Count(c => c == '.') == 3 ? ip : null;
    }
}
