using System.Globalization;
using System.Net.Sockets;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #8: a VXLAN device's MTU plus the encapsulation (50 bytes over IPv4, 70 over IPv6) is
/// larger than the MTU of the underlay device its packets leave by: small packets pass, full-size
/// ones are dropped (or fragmented, with df unset), so connections stall after the handshake.
/// </summary>
internal sealed class MtuCheck : ICheck
{
    public string Id => "mtu-overlay-too-large";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != LinkKinds.Vxlan || d.Link.Mtu is not { } mtu) continue;
            // the far end: the remote, else the first FDB destination (flannel-style devices have no remote)
            var remote = d.Link.Vxlan?.Remote ?? d.Ns.Fdb.FirstOrDefault(e => e.Device == d.Link.Name && e.Dst is not null)?.Dst;
            if (remote is null) continue;
            var underlay = ctx.Topology.Tunnel(d)?.Underlay;
            if (underlay is null) continue;
            var dev = UnderlayDevice(ctx, d, underlay, remote);
            if (dev?.Link.Mtu is not { } under) continue;
            int overhead = remote.AddressFamily == AddressFamily.InterNetworkV6 ? 70 : 50;
            if (mtu + overhead <= under) continue;
            int fit = under - overhead;
            var lowered = Overlay(ctx, d).Where(x => x.Link.Mtu > fit).ToList();
            var steps = lowered.GroupBy(x => x.Namespace.Key).Select(g =>
            {
                var ns = g.First().Namespace;
                return NsCommand.Step(ns, g.Select(x => NsCommand.Ip(ns, "link", "set", "dev", x.Link.Name, "mtu", fit.ToString(CultureInfo.InvariantCulture))).ToList());
            }).ToList();
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Warning,
                Title = $"{d}: MTU {mtu} + {overhead} bytes of VXLAN does not fit the underlay {dev} (MTU {under})",
                Explanation = $"Packets up to {mtu} bytes enter {d.Link.Name}; encapsulated they are {mtu + overhead} bytes, but they leave " +
                    $"{dev.Host.Name} by {dev.Link.Name} with MTU {under}. Small packets (ping) pass; full-size ones are dropped or fragmented, " +
                    $"so transfers stall. Lower the overlay MTU to {fit} (the pod's interface too), or raise the underlay MTU to {mtu + overhead}. " +
                    "Pods that attach elsewhere (the CNI's MTU setting) need the same value.",
                Evidence = [Ev.Device(d), Ev.Device(dev, "underlay"), .. lowered.Where(x => x != d).Select(x => Ev.Device(x))],
                Fix = steps,
                RootCause = "mtu:" + d.Key,
                Devices = [d.ToString(), dev.ToString()],
            };
        }
    }

    private static DeviceRef? UnderlayDevice(DiagnosisContext ctx, DeviceRef d, NsRef underlay, System.Net.IPAddress remote)
    {
        if (d.Link.Vxlan?.UnderlayIndex is { } ui && ctx.Topology.Device(underlay.Host, underlay.Ns, ui) is { } byIndex) return byIndex;
        var route = ctx.Fib.Lookup(underlay, remote).Route;
        return route?.Device is { } name ? ctx.Topology.Device(underlay, name) : null;
    }

    /// <summary>The tunnel device, the devices tc glues to it, their veth peers, and the same at the far end.</summary>
    private static IEnumerable<DeviceRef> Overlay(DiagnosisContext ctx, DeviceRef d)
    {
        var result = new List<DeviceRef>();
        void AddEnd(DeviceRef end)
        {
            result.Add(end);
            foreach (var e in ctx.Topology.EdgesFrom(end).Concat(ctx.Topology.EdgesTo(end)))
            {
                if (e.Kind != EdgeKind.TcRedirect) continue;
                var other = e.From == end ? e.To : e.From;
                if (other is null || result.Contains(other)) continue;
                result.Add(other);
                if (ctx.Topology.VethPeer(other) is { } peer && !result.Contains(peer)) result.Add(peer);
            }
        }
        AddEnd(d);
        if (ctx.Topology.Tunnel(d)?.Far is { } far) AddEnd(far);
        return result;
    }
}
