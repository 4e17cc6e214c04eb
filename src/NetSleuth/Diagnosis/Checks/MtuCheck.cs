using System.Globalization;
using System.Net.Sockets;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #8: a VXLAN device's MTU plus the encapsulation (50 bytes over IPv4, 70 over IPv6) is
/// larger than the MTU of the underlay device its packets leave by: small packets pass, full-size
/// ones are dropped (or fragmented, with df unset), so connections stall after the handshake. What
/// enters the tunnel is what can reach it: its own MTU when its namespace routes into it (or it is a
/// bridge port), else the largest frame a tc redirect hands it (mirred does not check the tunnel's MTU),
/// so an overlay fed only by a redirect from a 1400-byte device fits a 1500-byte underlay.
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
            var (entering, feeder) = Entering(ctx, d, mtu);
            if (entering + overhead <= under) continue;
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
                Title = feeder is null
                    ? $"{d}: MTU {mtu} + {overhead} bytes of VXLAN does not fit the underlay {dev} (MTU {under})"
                    : $"{d}: {entering}-byte frames redirected from {feeder.Link.Name} + {overhead} bytes of VXLAN do not fit the underlay {dev} (MTU {under})",
                Explanation = $"Packets up to {entering} bytes enter {d.Link.Name}" + (feeder is null ? "" : $" (tc redirects them from {feeder}; nothing is routed into it)") +
                    $"; encapsulated they are {entering + overhead} bytes, but they leave " +
                    $"{dev.Host.Name} by {dev.Link.Name} with MTU {under}. Small packets (ping) pass; full-size ones are dropped or fragmented, " +
                    $"so transfers stall. Lower the overlay MTU to {fit} (the pod's interface too), or raise the underlay MTU to {entering + overhead}. " +
                    "Pods that attach elsewhere (the CNI's MTU setting) need the same value.",
                Evidence = [Ev.Device(d), Ev.Device(dev, "underlay"), .. lowered.Where(x => x != d).Select(x => Ev.Device(x))],
                Fix = steps,
                RootCause = "mtu:" + d.Key,
                Devices = [d, dev],
            };
        }
    }

    /// <summary>The largest packet that enters the tunnel device, and the redirect source it comes from (null: the
    /// device's own MTU, because the stack routes into it or a bridge hands it frames).</summary>
    private static (int Size, DeviceRef? From) Entering(DiagnosisContext ctx, DeviceRef d, int mtu)
    {
        if (d.Link.Master is not null) return (mtu, null);
        foreach (var r in d.Ns.Routes)
        {
            if (r.Type != RouteTypes.Unicast) continue;
            if (r.Device == d.Link.Name) return (mtu, null);
            foreach (var h in r.NextHops) if (h.Device == d.Link.Name) return (mtu, null);
        }
        int max = -1;
        DeviceRef? from = null;
        foreach (var e in ctx.Topology.EdgesTo(d))
        {
            // only what mirred hands to the tunnel's transmit ("→ egress") is encapsulated
            if (e.Kind is not (EdgeKind.TcRedirect or EdgeKind.TcMirror) || !e.Label.Contains("→ egress", StringComparison.Ordinal)) continue;
            var src = e.From;
            if (src.Link.Mtu is not { } size) return (mtu, null);
            // a frame received on a veth was sized for its peer, and the veth drops what exceeds its own MTU
            if (e.Label.StartsWith("ingress", StringComparison.Ordinal) && ctx.Topology.VethPeer(src)?.Link.Mtu is { } peer) size = Math.Min(size, peer);
            if (size > max) { max = size; from = src; }
        }
        return max < 0 ? (mtu, null) : (max, from);
    }

    private static DeviceRef? UnderlayDevice(DiagnosisContext ctx, DeviceRef d, NsRef underlay, System.Net.IPAddress remote)
    {
        if (d.Link.Vxlan?.UnderlayIndex is { } ui && ctx.Topology.Device(underlay.Host, underlay.Ns, ui) is { } byIndex) return byIndex;
        var route = ctx.Route(underlay, remote).Route;
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
