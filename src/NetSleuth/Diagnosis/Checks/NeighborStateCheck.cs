using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #13: a neighbour entry that cannot deliver — FAILED/INCOMPLETE (ARP never answered), or
/// a MAC that no device behind the entry's link has (stale, or set by hand and never re-resolved).
/// </summary>
internal sealed class NeighborStateCheck : ICheck
{
    public string Id => "neighbor-wrong-mac, neighbor-failed";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var p in NeighborPaths.Of(ctx))
            if (WrongMac(ctx, p) is { } f) yield return f;
        foreach (var ns in ctx.Namespaces)
        foreach (var n in ns.Ns.Neighbors)
        {
            if (!n.State.Contains("FAILED") && !n.State.Contains("INCOMPLETE")) continue;
            if (ctx.Topology.Device(ns, n.Device) is not { } dev) continue;
            if (!IsNeeded(ctx, ns, n)) continue;
            yield return new Finding
            {
                Id = "neighbor-failed",
                Severity = Severity.Warning,
                Title = $"{ns}: neighbour {n.Address} on {n.Device} is {string.Join('/', n.State)}",
                Explanation = $"{ns} asked for the MAC of {n.Address} on {n.Device} and got no answer, so packets to it (or routed through it) " +
                    "are dropped until an answer comes. The address is in use here (a route's gateway, or a pod in the input). " +
                    "Flush the entry to retry; if it fails again, the L2 path to the owner is broken (link, bridge port, VLAN).",
                Evidence = [Ev.Neighbor(ns, n), Ev.Device(dev)],
                Fix = [NsCommand.Step(ns, [NsCommand.Ip(ns, "neigh", "flush", "to", n.Address.ToString(), "dev", n.Device)])],
                RootCause = $"neigh:{ns.Key}/{n.Device}/{n.Address}",
                Devices = [dev],
            };
        }
    }

    private static bool IsNeeded(DiagnosisContext ctx, NsRef ns, Neighbor n) =>
        ns.Ns.Routes.Any(r => Equals(r.Gateway, n.Address)) || ctx.Topology.OwnersOf(n.Address).Count > 0;

    private static Finding? WrongMac(DiagnosisContext ctx, NeighborPath p)
    {
        var mac = p.Entry.Mac!.Value;
        bool refused = p.Walk.Landing is not null && !p.Walk.Accepted && p.Owner is null;
        bool nowhere = p.Walk.Landing is null && p.Walk.Unclaimed;
        if (!refused && !nowhere) return null;
        // the device that should get the frames: the landing itself when it owns the IP, else an owner the link reaches
        DeviceRef? right = null;
        if (p.Walk.Landing is { } l && l.Link.Addresses.Any(a => a.Address.Equals(p.Entry.Address))) right = l;
        else
        {
            foreach (var (o, _) in ctx.Topology.OwnersOf(p.Entry.Address))
            {
                if (o.Link.Mac is not { } om || om == mac) continue;
                var w = ctx.L2Path(p.Device, egress: true, om);
                if (w.Landing == o && w.Accepted) { right = o; break; }
            }
        }
        if (right is null) return null; // nothing in the input says where the frame should go (a symptom, or an owner not in the input)
        bool permanent = p.Entry.State.Contains("PERMANENT") || p.Entry.State.Contains("NOARP");
        var ns = p.Ns;
        string cmd = right?.Link.Mac is { } good
            ? NsCommand.Ip(ns, "neigh", "replace", p.Entry.Address.ToString(), "lladdr", good.ToString(), "dev", p.Entry.Device, "nud", permanent ? "permanent" : "reachable")
            : NsCommand.Ip(ns, "neigh", "del", p.Entry.Address.ToString(), "dev", p.Entry.Device);
        var evidence = new List<Evidence> { Ev.Neighbor(ns, p.Entry) };
        if (p.Walk.Landing is { } land) evidence.Add(Ev.Device(land, "receives the frames and refuses them (other MAC)"));
        if (right is not null && right != p.Walk.Landing) evidence.Add(Ev.Device(right, $"owns {p.Entry.Address}"));
        return new Finding
        {
            Id = "neighbor-wrong-mac",
            Severity = permanent || p.Entry.State.Contains("REACHABLE") ? Severity.Error : Severity.Warning,
            Title = $"{ns}: neighbour {p.Entry.Address} on {p.Entry.Device} holds {mac}, which no device behind {p.Entry.Device} has",
            Explanation = $"Frames from {ns} to {p.Entry.Address} are addressed to {mac}. " +
                (refused ? $"They reach {p.Walk.Landing}, whose MAC is {p.Walk.Landing!.Link.Mac}, and its kernel drops them as for another host."
                         : $"No device on the way has that MAC ({p.Walk.Stop}), so every receiver drops them.") +
                (permanent ? " The entry is permanent, so the kernel never re-resolves it." : " The kernel re-resolves it only after it goes stale.") +
                (right?.Link.Mac is { } m ? $" The owner of {p.Entry.Address} is {right} with MAC {m}." : " Delete it so the kernel asks again."),
            Evidence = evidence,
            Fix = [NsCommand.Step(ns, [cmd])],
            RootCause = $"neigh:{ns.Key}/{p.Entry.Device}/{p.Entry.Address}",
            Devices = [p.Device, .. p.Walk.Landing is { } x ? new Topology.Place[] { x } : []],
        };
    }
}
