using System.Net;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #7: a tunnel end's remote is not the peer's underlay address (a host with several
/// addresses, a typo): the peer's packets arrive, the answers go to an address nobody (or another
/// host) owns. Also says what would decide it when the far host is not in the input.
/// </summary>
internal sealed class VxlanRemoteCheck : ICheck
{
    public string Id => "vxlan-remote-wrong, tunnel-far-end-unknown";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var reported = new HashSet<DeviceRef>();
        foreach (var p in TunnelPairs.Of(ctx))
        {
            // which end's remote does not point at the other's underlay?
            foreach (var (wrong, right) in new[] { (p.Far, p.Near), (p.Near, p.Far) })
            {
                if (wrong.Link.Vxlan?.Remote is not { } remote || reported.Contains(wrong)) continue;
                var rightUnderlay = ctx.Topology.Tunnel(right)?.Underlay;
                if (rightUnderlay is null || Linker.IsOwnedBy(ctx.Topology, remote, rightUnderlay)) continue;
                if (right.Link.Vxlan?.Vni != wrong.Link.Vxlan?.Vni) continue; // another tunnel, not this one's peer
                var good = PeerAddress(ctx, right, rightUnderlay, wrong);
                if (good is null) continue;
                reported.Add(wrong);
                var owner = ctx.Topology.OwnersOf(remote).FirstOrDefault().Device;
                yield return new Finding
                {
                    Id = "vxlan-remote-wrong",
                    Severity = Severity.Error,
                    Title = $"{wrong}'s remote is {remote}, but its peer {right} has its socket on {good}",
                    Explanation = $"{right.Link.Name} sends to {wrong.Host.Name} and its packets arrive, but {wrong.Link.Name} sends everything " +
                        $"back to {remote}, which " + (owner is null ? "no host in the input owns" : $"belongs to {owner}, not to {rightUnderlay}") +
                        $": no return traffic reaches {right.Host.Name}. Set the remote to {right.Host.Name}'s underlay address {good}.",
                    Evidence = [Ev.Device(wrong), Ev.Device(right), .. ctx.Topology.OwnersOf(good).Select(o => Ev.Address(o.Device, o.Address)).Take(1)],
                    Fix = [NsCommand.Step(wrong.Namespace, [NsCommand.Ip(wrong.Namespace, "link", "set", "dev", wrong.Link.Name, "type", "vxlan", "remote", good.ToString())])],
                    RootCause = "vxlan-remote:" + wrong.Key,
                    Devices = [wrong, right],
                };
            }
        }
        foreach (var d in ctx.Devices)
        {
            if (d.Link.Kind != Model.LinkKinds.Vxlan || reported.Contains(d)) continue;
            if (ctx.Topology.Tunnel(d) is not { Far: null, FarUnderlay: null } m || d.Link.Vxlan?.Remote is not { } r) continue;
            if (TunnelPairs.Of(ctx).Any(p => p.Near == d || p.Far == d)) continue;
            yield return new Finding
            {
                Id = "tunnel-far-end-unknown",
                Severity = Severity.Info,
                Title = $"{d}: the tunnel's far end {r} is not in the input",
                Explanation = $"No host in the input owns {r}, so the far end of {d.Link.Name} (VNI {d.Link.Vxlan?.Vni}, port {d.Link.Vxlan?.DstPort}) " +
                    "cannot be checked: its VNI, port, remote back, MAC and firewall are unknown. Give the far host's state to decide.",
                Evidence = [Ev.Device(d)],
                Decide = [new MissingInput($"the host that owns {r}", null, "ip -d link show; ip -d addr; ip route; ip neigh (in every namespace: netsleuth collect)",
                    $"shows the device at the other end of {d.Link.Name}")],
                RootCause = "tunnel-unknown:" + d.Key,
                Devices = [d],
            };
        }
    }

    /// <summary>The address of the right end's underlay the wrong end should send to: its local, else one on the wrong end's underlay subnet.</summary>
    private static IPAddress? PeerAddress(DiagnosisContext ctx, DeviceRef right, NsRef rightUnderlay, DeviceRef wrong)
    {
        if (right.Link.Vxlan?.Local is { } local) return local;
        var wrongUnderlay = ctx.Topology.Tunnel(wrong)?.Underlay;
        var candidates = rightUnderlay.Ns.Links.Where(l => !l.IsLoopback).SelectMany(l => l.Addresses)
            .Where(a => DiagnosisContext.IsGlobal(a) && a.Prefix.IsV4 == (right.Link.Vxlan?.Remote?.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6))
            .ToList();
        if (wrongUnderlay is not null)
        {
            var wrongAddrs = wrongUnderlay.Ns.Links.SelectMany(l => l.Addresses).ToList();
            var same = candidates.FirstOrDefault(c => wrongAddrs.Any(w => w.Prefix.Length < w.Prefix.MaxLength && Forwarding.Fib.Contains(w.Prefix.Network, c.Address)));
            if (same is not null) return same.Address;
        }
        return candidates.FirstOrDefault()?.Address;
    }
}
