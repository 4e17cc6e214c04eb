using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #1 (and #3, its negative control): the neighbour entry for an IP holds the MAC of a
/// device A on this side, but veth/tc/tunnel carry the frame on to a device B with another MAC; B is
/// not promiscuous, so B's kernel drops every frame as "for another host". When the entry already
/// holds B's MAC (ARP answered over the tunnel) the walk lands accepted and nothing is reported.
/// </summary>
internal sealed class NeighborMacMismatchCheck : ICheck
{
    public string Id => "neighbor-mac-mismatch";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var p in NeighborPaths.Of(ctx))
        {
            // B: where the frame lands and is refused; A: the device on the way that has the MAC the sender resolved
            if (p.Walk.Landing is not { } b || p.Walk.Accepted || p.Owner is not { } a || !p.Walk.Redirected) continue;
            yield return Make(ctx, p, a, b);
        }
    }

    private Finding Make(DiagnosisContext ctx, NeighborPath p, DeviceRef a, DeviceRef b)
    {
        var mac = p.Entry.Mac!.Value;
        var bNs = b.Namespace;
        var (fix, restored) = MacFix.For(b, mac);
        var evidence = new List<Evidence>
        {
            Ev.Neighbor(p.Ns, p.Entry),
            Ev.Device(a, "has the MAC the sender resolved"),
        };
        foreach (var f in a.Ns.Filters.Where(f => f.Device == a.Link.Name && f.Actions.Any(x => x.Kind == "mirred")))
            evidence.Add(Ev.Filter(a.Namespace, f));
        evidence.Add(Ev.Device(b, "receives the frames; not promiscuous"));
        evidence.AddRange(restored.Select(r => Ev.Route(bNs, r)));

        string ip = p.Entry.Address.ToString();
        string path = NeighborPaths.Describe(ctx.Topology, p.Walk.Path);
        return new Finding
        {
            Id = Id,
            Severity = Severity.Error,
            Title = $"{b} drops frames for {ip}: they carry {a.Link.Name}'s MAC {mac}, not its own {b.Link.Mac}",
            Explanation =
                $"The neighbour entry on {p.Ns} for {ip} (dev {p.Device.Link.Name}) holds {mac}, the MAC of {a}. " +
                $"But the frames do not stop at {a.Link.Name}: they go {path}. {b.Link.Name} has MAC {b.Link.Mac} and is not " +
                $"promiscuous, so its kernel drops each frame as addressed to another host — the requests arrive (tcpdump on " +
                $"{b.Link.Name} shows them) and nothing answers. Fix: give {b.Link.Name} the MAC the sender resolved. " +
                "The link must be down while its address changes" +
                (restored.Count > 0 ? ", and taking it down removes the routes through it, so they are put back." : "."),
            Evidence = evidence,
            Fix = [fix],
            RootCause = "mac:" + b.Key,
            Devices = [b, a, p.Device],
        };
    }
}
