using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// Flannel-style overlays (flannel.1, vxlan.calico, flannel-v6.1) keep, on every node, a permanent neighbour
/// entry for each peer's VTEP address with that peer's VTEP MAC, and an FDB entry sending that MAC to the
/// peer. When the peer's device is re-created (a reboot, a restart of the agent) it gets a new MAC, and a
/// node that missed the update keeps the old one: its frames to the peer carry a MAC the peer's VTEP is not,
/// and the peer drops them as "for another host" (flannel#1795, k3s#9957). Found when the entry's MAC differs
/// from the MAC of the device of the same name that owns the address on another host, both in the input;
/// an FDB entry for the old MAC on the same device is named with it (it is stale too). When the input also has
/// the routes through the entry, the path checks (neighbor-wrong-mac) report it instead.
/// </summary>
internal sealed class StaleVtepNeighborCheck : ICheck
{
    public string Id => "neighbor-stale-vtep";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
        {
            var reported = new HashSet<(string, MacAddress)>();
            foreach (var f in StaleNeighbors(ctx, ns, reported)) yield return f;
            foreach (var f in StaleFdb(ctx, ns, reported)) yield return f;
        }
    }

    /// <summary>
    /// An FDB entry on a VTEP device sending a MAC to a peer node whose device of that name has another MAC (and no
    /// entry here sends the real one there): frames for the peer's VTEP find no entry, those for the old MAC reach
    /// a device that is not it. Reported once per entry, unless the stale neighbour above already named it.
    /// </summary>
    private static IEnumerable<Finding> StaleFdb(DiagnosisContext ctx, NsRef ns, HashSet<(string, MacAddress)> reported)
    {
        foreach (var f in ns.Ns.Fdb)
        {
            if (f.Dst is not { } dst || reported.Contains((f.Device, f.Mac))) continue;
            if (ns.Ns.Routes.Any(r => r.Device == f.Device && r.Gateway is not null)) continue; // the path checks follow it
            DeviceRef? peer = null;
            foreach (var (d, _) in ctx.Topology.OwnersOf(dst))
                if (d.Host != ns.Host && d.Host.Root is { } root && ctx.Topology.Device(d.Host, root, f.Device) is { Link.Mac: not null } v) { peer = v; break; }
            if (peer?.Link.Mac is not { } real || real == f.Mac) continue;
            bool hasReal = ns.Ns.Fdb.Any(e => e.Device == f.Device && e.Mac == real && dst.Equals(e.Dst));
            var commands = new List<string> { NsCommand.Bridge(ns, "fdb", "del", f.Mac.ToString(), "dev", f.Device, "self") };
            if (!hasReal) commands.Add(NsCommand.Bridge(ns, "fdb", "append", real.ToString(), "dev", f.Device, "dst", dst.ToString(), "self", "permanent"));
            yield return new Finding
            {
                Id = "fdb-stale-vtep",
                Severity = hasReal ? Severity.Warning : Severity.Error,
                Title = $"{ns}: the FDB entry {f.Mac} on {f.Device} sends to {peer.Host.Name} ({dst}), whose {peer.Link.Name} is {real}",
                Explanation = $"{ns} sends frames for {f.Mac} through {f.Device} to {dst}, but {peer} has MAC {real}: the entry is left " +
                    "from a device that was re-created. " + (hasReal
                        ? $"An entry for {real} is there too, so traffic flows; the stale one is clutter that misleads."
                        : $"No entry sends {real} there, so frames for {peer.Host.Name}'s VTEP are not sent to it."),
                Evidence = [FdbMesh.Ev(ns, f), Ev.Device(peer, $"at {dst}: its MAC is {real}")],
                Fix = [NsCommand.Step(ns, commands)],
                RootCause = $"stale-fdb:{ns.Key}/{f.Device}/{f.Mac}",
                Devices = [peer, ns],
            };
        }
    }

    private static IEnumerable<Finding> StaleNeighbors(DiagnosisContext ctx, NsRef ns, HashSet<(string, MacAddress)> reported)
    {
        {
            foreach (var n in ns.Ns.Neighbors)
            {
                if (n.Mac is not { } mac || !n.State.Contains("PERMANENT")) continue;
                DeviceRef? owner = null;
                foreach (var (d, _) in ctx.Topology.OwnersOf(n.Address))
                    if (d.Host != ns.Host && d.Link.Name == n.Device && d.Link.Mac is not null) { owner = d; break; }
                if (owner is null || owner.Link.Mac is not { } real || real == mac) continue;
                // with the overlay's routes in the input the tunnel checks follow the entry along its path (neighbor-wrong-mac)
                if (ns.Ns.Routes.Any(r => r.Device == n.Device && n.Address.Equals(r.Gateway))) continue;
                var evidence = new List<Evidence> { Ev.Neighbor(ns, n), Ev.Device(owner, $"owns {n.Address}: its MAC is {real}, not {mac}") };
                var commands = new List<string> { NsCommand.Ip(ns, "neigh", "replace", n.Address.ToString(), "lladdr", real.ToString(), "dev", n.Device, "nud", "permanent") };
                var staleFdb = ns.Ns.Fdb.Where(f => f.Device == n.Device && f.Mac == mac).ToList();
                reported.Add((n.Device, mac));
                foreach (var f in staleFdb)
                {
                    evidence.Add(FdbMesh.Ev(ns, f));
                    commands.Add(NsCommand.Bridge(ns, "fdb", "del", mac.ToString(), "dev", n.Device, "self"));
                    if (f.Dst is { } dst)
                        commands.Add(NsCommand.Bridge(ns, "fdb", "append", real.ToString(), "dev", n.Device, "dst", dst.ToString(), "self", "permanent"));
                }
                yield return new Finding
                {
                    Id = "neighbor-stale-vtep",
                    Severity = Severity.Error,
                    Title = $"{ns}: the permanent neighbour {n.Address} on {n.Device} holds {mac}, but {owner.Host.Name}'s {owner.Link.Name} is {real}",
                    Explanation = $"{ns} sends frames for {n.Address} (the VTEP address of {owner.Host.Name}) to MAC {mac}, a permanent entry " +
                        $"nothing refreshes. {owner} owns {n.Address} and its MAC is {real}: the device was re-created and this node kept " +
                        $"the old MAC, so {owner.Host.Name} drops every frame from here as addressed to another host" +
                        (staleFdb.Count > 0 ? $", and the FDB entry for {mac} on {n.Device} is stale too." : "."),
                    Evidence = evidence,
                    Fix = [NsCommand.Step(ns, commands)],
                    RootCause = $"stale-vtep:{ns.Key}/{n.Device}/{n.Address}",
                    Devices = [owner, ns],
                };
            }
        }
    }
}
