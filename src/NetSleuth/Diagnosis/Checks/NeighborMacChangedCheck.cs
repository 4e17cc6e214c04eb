using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// Conflicting evidence in one namespace is the symptom: the input reads one neighbour entry more than once
/// (`arp -an` run twice, `ip neigh` and `arp` disagreeing, two lines of one paste) and the readings hold different
/// MACs (<see cref="Neighbor.EarlierReadings"/>). Either two devices answer ARP for the address (a duplicate IP, a
/// VRRP/keepalived flip, a spoofer) or the owner was re-created with a new MAC; in both cases frames for the address
/// go to whichever MAC the table holds at the moment. Every reading is named with its input line; the latest is
/// what the kernel table holds now when the readings come from one file (a session's lines are in time order),
/// and unknown when they come from different files. When the input has the device that owns the address, its MAC
/// decides which reading is right and the fix puts it in the table (docs/faults.md #13).
/// </summary>
internal sealed class NeighborMacChangedCheck : ICheck
{
    public string Id => "neighbor-mac-changed";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
            foreach (var n in ns.Ns.Neighbors)
            {
                if (n.EarlierReadings.Count == 0) continue;
                if (Conflict(n) is { } f) yield return f(ctx, ns);
            }
    }

    /// <summary>A builder of the finding when the readings hold at least two different MACs, else null.</summary>
    private Func<DiagnosisContext, NsRef, Finding>? Conflict(Neighbor n)
    {
        var macs = new List<MacAddress>();
        foreach (var r in n.EarlierReadings) if (r.Mac is { } m && !macs.Contains(m)) macs.Add(m);
        if (n.Mac is { } cur && !macs.Contains(cur)) macs.Add(cur);
        if (macs.Count < 2) return null;
        return (ctx, ns) => Build(ctx, ns, n, macs);
    }

    private Finding Build(DiagnosisContext ctx, NsRef ns, Neighbor n, List<MacAddress> macs)
    {
        // the device that owns the address: one in the same L2 domain when the input says which, else any with a MAC
        var owners = ctx.Topology.OwnersOf(n.Address).Where(o => o.Device.Link.Mac is not null && !(o.Device.Namespace.Ns == ns.Ns && o.Device.Host == ns.Host)).ToList();
        var ownerMacs = owners.Select(o => o.Device.Link.Mac!.Value).Distinct().ToList();
        DeviceRef? owner = ownerMacs.Count == 1 ? owners[0].Device : null;
        var right = owner?.Link.Mac;
        bool oneFile = n.Source is { } s && n.EarlierReadings.All(r => r.Source?.File == s.File);
        var readings = n.EarlierReadings.Select(r => $"{r} at {r.Source?.ToString() ?? "an earlier reading"}")
            .Append($"{(n.Mac?.ToString() ?? "no MAC")}{(n.State.Count == 0 ? "" : " " + string.Join(' ', n.State))} at {n.Source?.ToString() ?? "the last reading"} (the latest)").ToList();
        string now = oneFile
            ? $"The readings are lines of one input in time order, so the table holds {(n.Mac?.ToString() ?? "no MAC")} now (the latest)."
            : $"The readings come from different files, so the input does not say which one the table holds now; the model uses the last one read ({n.Mac?.ToString() ?? "no MAC"}).";
        string verdict;
        var fix = new List<FixStep>();
        var decide = new List<MissingInput>();
        var evidence = new List<Evidence>();
        foreach (var r in n.EarlierReadings)
            evidence.Add(Ev.Text(ns, "neighbour", $"{n.Address} dev {n.Device} lladdr {r} (earlier reading)", r.Source));
        evidence.Add(Ev.Neighbor(ns, n));
        var others = OtherHolders(ctx, macs, owner);
        foreach (var d in others) evidence.Add(Ev.Device(d, $"has MAC {d.Link.Mac}, one of the readings for {n.Address}"));
        Severity severity = Severity.Error;
        if (right is { } mac)
        {
            evidence.Add(Ev.Device(owner!, $"owns {n.Address}: its MAC is {mac}"));
            bool latestRight = n.Mac == mac;
            verdict = latestRight
                ? $"{owner} owns {n.Address} and has MAC {mac}, the latest reading: the entry was wrong at an earlier reading and may flip again" +
                  (others.Count > 0 ? $" ({string.Join(", ", others)} holds another of the MACs read: it answers ARP for {n.Address} too)." : " (something else answered ARP for it).")
                : $"{owner} owns {n.Address} and has MAC {mac}; the latest reading holds {(n.Mac?.ToString() ?? "no MAC")}, so frames for {n.Address} " +
                  "go to a MAC that is not its owner's and are dropped there" +
                  (others.Count > 0 ? $": the entry is left from when {string.Join(", ", others)} held the address (a failover with no gratuitous ARP), or it answers for it too." : ".");
            if (latestRight && oneFile) severity = Severity.Warning;
            var nud = n.State.Contains("PERMANENT") || n.EarlierReadings.Any(r => r.State.Contains("PERMANENT")) ? "permanent" : "reachable";
            if (!latestRight || !oneFile)
                fix.Add(NsCommand.Step(ns, [NsCommand.Ip(ns, "neigh", "replace", n.Address.ToString(), "lladdr", mac.ToString(), "dev", n.Device, "nud", nud)],
                    others.Count > 0 ? $"if {string.Join(", ", others)} still holds {n.Address} (or proxies ARP for it), remove it there, or the entry flips back" : null));
        }
        else
        {
            verdict = ownerMacs.Count > 1
                ? $"The input has {ownerMacs.Count} devices with {n.Address} and different MACs ({string.Join(", ", owners.Select(o => o.Device))}): a duplicate address; the entry follows whichever answers last."
                : $"The device that owns {n.Address} is not in the input with its MAC, so which reading is right is not known.";
            decide.Add(new MissingInput(ns.Host.Name, NsCommand.Label(ns), NsCommand.Exec(ns, "arping", "-c", "3", "-I", n.Device, n.Address.ToString()),
                $"every MAC that answers for {n.Address} on {n.Device}; more than one is a duplicate address"));
            if (owners.Count == 0)
                decide.Add(new MissingInput($"(the node that owns {n.Address})", null, "ip -br link; ip -br addr",
                    $"the MAC of the device holding {n.Address} is the right one"));
        }
        return new Finding
        {
            Id = Id,
            Severity = severity,
            Title = $"{ns}: the neighbour entry {n.Address} on {n.Device} was read with {macs.Count} different MACs ({string.Join(", ", macs)})",
            Explanation = $"The input's readings of {ns}'s entry for {n.Address} on {n.Device} disagree: {string.Join("; ", readings)}. {now} " +
                $"The model's lookups use the latest reading. {verdict}",
            Evidence = evidence,
            Fix = fix,
            Decide = decide,
            RootCause = $"neigh:{ns.Key}/{n.Device}/{n.Address}", // one cause with neighbor-wrong-mac on the same entry
            Devices = owner is null ? [ns] : [owner, ns],
        };
    }

    /// <summary>Devices in the input whose MAC is one of the readings' but that are not the owner (who else answers).</summary>
    private static List<DeviceRef> OtherHolders(DiagnosisContext ctx, List<MacAddress> macs, DeviceRef? owner)
    {
        var result = new List<DeviceRef>();
        foreach (var d in ctx.Topology.Devices)
            if (d.Link.Mac is { } m && macs.Contains(m) && d != owner && !d.Link.IsLoopback && result.Count < 4) result.Add(d);
        return result;
    }
}
