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
    public string Id => "vxlan-fdb-dst-wrong, tunnel-far-end-unknown";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var d in ctx.Devices)
        {
            if (ctx.Topology.Tunnel(d) is not { FdbEnds.Count: > 0 } m) continue;
            var unknown = new List<FdbTunnelEnd>();
            foreach (var end in m.FdbEnds)
            {
                if (end.Entry.Mac.IsZero) continue;
                if (FdbMesh.DeviceWithMac(ctx, d, end.Entry.Mac) is not { } peer)
                {
                    if (end.FarUnderlay is null) unknown.Add(end);
                    continue;
                }
                if (peer.Host == d.Host) continue;
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
                    Id = "vxlan-fdb-dst-wrong",
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
                    Devices = [d, peer],
                };
            }
            if (unknown.Count > 0) yield return Unknown(d, unknown);
        }
    }

    /// <summary>Entries whose dst no host in the input owns and whose MAC no device has: their far ends cannot be checked.</summary>
    private static Finding Unknown(DeviceRef d, List<FdbTunnelEnd> ends)
    {
        var dsts = string.Join(", ", ends.Take(5).Select(e => e.Dst)) + (ends.Count > 5 ? $", … ({ends.Count} in all)" : "");
        return new Finding
        {
            Id = "tunnel-far-end-unknown",
            Severity = Severity.Info,
            Title = $"{d}: the far ends of {ends.Count} FDB {(ends.Count == 1 ? "entry" : "entries")} are not in the input ({dsts})",
            Explanation = $"{d.Link.Name} has no remote; its FDB sends frames to {dsts}, which no host in the input owns, and no device in the input " +
                "has those entries' MACs. Their VNI, port, way back and firewall cannot be checked: give those hosts' state to decide.",
            Evidence = [Ev.Device(d), .. ends.Take(3).Select(e => FdbMesh.Ev(d.Namespace, e.Entry))],
            Decide = [new MissingInput($"the hosts that own {dsts}", null, "netsleuth collect (or ip -d link show; ip -d addr; bridge fdb show; ip neigh)",
                $"shows the devices at the other ends of {d.Link.Name}")],
            RootCause = "tunnel-unknown:" + d.Key,
            Devices = [d],
        };
    }
}
