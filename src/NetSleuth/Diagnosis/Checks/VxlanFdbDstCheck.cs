using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #7 in a flannel-style mesh: a VXLAN device without a remote sends each peer's frames to
/// the dst of the FDB entry for the peer's MAC. When that dst is not the peer's node (a typo, a node
/// with several addresses, a stale entry after the peer moved), the frames go to an address nobody —
/// or another host — owns. The peer is the VXLAN device that has the entry's MAC.
/// </summary>
internal sealed class VxlanFdbDstCheck : ICheck
{
    public string Id => "vxlan-fdb-dst-wrong";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var d in ctx.Devices)
        {
            if (ctx.Topology.Tunnel(d) is not { FdbEnds.Count: > 0 } m) continue;
            foreach (var end in m.FdbEnds)
            {
                if (end.Entry.Mac.IsZero) continue;
                if (FdbMesh.DeviceWithMac(ctx, d, end.Entry.Mac) is not { } peer || peer.Host == d.Host) continue;
                if (ctx.Topology.Tunnel(peer)?.Underlay is not { } peerUnderlay || Linker.IsOwnedBy(ctx.Topology, end.Dst, peerUnderlay)) continue;
                if (FdbMesh.UnderlayAddress(ctx, peer) is not { } good) continue;
                var owner = ctx.Topology.OwnersOf(end.Dst).FirstOrDefault().Device;
                var ns = d.Namespace;
                var e = end.Entry;
                var fix = new List<string> { "fdb", "replace", e.Mac.ToString(), "dev", d.Link.Name, "dst", good.ToString() };
                if (e.Vni is { } vni) fix.AddRange(["vni", vni.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                if (e.Port is { } port) fix.AddRange(["port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                fix.AddRange(["self", "permanent"]);
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Error,
                    Title = $"{d}: the FDB sends {peer}'s MAC {e.Mac} to {end.Dst}, but {peer} has its socket on {good}",
                    Explanation = $"{d.Link.Name} has no remote: frames for {peer} (MAC {e.Mac}) are encapsulated to the dst of its FDB entry, {end.Dst}, " +
                        "which " + (owner is null ? "no host in the input owns" : $"belongs to {owner}, not to {peerUnderlay}") +
                        $". Nothing {d.Host.Name} sends through the tunnel reaches {peer.Host.Name}, while {peer.Host.Name}'s own packets still arrive: " +
                        $"one-way traffic. Point the entry at {peer.Host.Name}'s underlay address {good}.",
                    Evidence = [FdbMesh.Ev(ns, e), Ev.Device(d), Ev.Device(peer, "has the entry's MAC"),
                        .. ctx.Topology.OwnersOf(good).Select(o => Ev.Address(o.Device, o.Address)).Take(1)],
                    Fix = [NsCommand.Step(ns, [NsCommand.Bridge(ns, [.. fix])])],
                    RootCause = $"vxlan-fdb-dst:{d.Key}/{e.Mac}",
                    Devices = [d.ToString(), peer.ToString()],
                };
            }
        }
    }
}
