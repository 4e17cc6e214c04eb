using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// Conflicting evidence is the symptom: several nodes' permanent neighbour entries for one address on devices
/// of one name (the same VTEP address on flannel.1) that disagree on the MAC (flannel#1788: one `arp -an`
/// pasted from every node). At most one MAC can be right; every entry is named with its host and input line.
/// When the device that owns the address is in the input with its MAC, the checks comparing with it
/// (<see cref="StaleVtepNeighborCheck"/>, neighbor-wrong-mac) tell which entries are wrong, and this one is
/// quiet; otherwise it says which command on the owning node would decide.
/// </summary>
internal sealed class NeighborConflictCheck : ICheck
{
    public string Id => "neighbor-conflict";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        // (device name, address) → every permanent entry with a MAC, in input order
        var entries = new Dictionary<(string, System.Net.IPAddress), List<(NsRef Ns, Neighbor N)>>();
        foreach (var ns in ctx.Namespaces)
            foreach (var n in ns.Ns.Neighbors)
            {
                if (n.Mac is null || !n.State.Contains("PERMANENT")) continue;
                var key = (n.Device, n.Address);
                if (!entries.TryGetValue(key, out var list)) entries[key] = list = [];
                list.Add((ns, n));
            }
        foreach (var ((device, address), list) in entries)
        {
            var macs = list.Select(e => e.N.Mac!.Value).Distinct().ToList();
            if (macs.Count < 2) continue;
            var owners = ctx.Topology.OwnersOf(address).Where(o => o.Device.Link.Name == device).ToList();
            // the owner's MAC in the input tells which entries are wrong: the checks that compare with it report them
            if (owners.Any(o => o.Device.Link.Mac is not null)) continue;
            var byMac = macs.Select(m => (Mac: m, Hosts: list.Where(e => e.N.Mac == m).Select(e => e.Ns.ToString()).ToList())).ToList();
            var summary = string.Join("; ", byMac.Select(b => $"{b.Mac} on {string.Join(", ", b.Hosts)}"));
            var decide = owners.Count > 0 ? [] : new List<MissingInput>
            {
                new("(the node that owns " + address + ")", null, $"ip -d link show {device}", $"its MAC is the right one; the entries holding another MAC are stale"),
            };
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"{list.Count} permanent neighbour entries for {address} on {device} disagree on its MAC ({macs.Count} different MACs)",
                Explanation = $"The nodes hold permanent entries for {address} on {device} with different MACs: {summary}. At most one is the MAC " +
                    $"of the device that owns {address}; every node holding another sends its frames for {address} to a MAC nobody has, and " +
                    $"they are dropped." + (owners.Count > 0 ? $" {owners[0].Device} owns it, but its MAC is not in the input." : ""),
                Evidence = list.Select(e => Ev.Neighbor(e.Ns, e.N)).Concat(owners.Select(o => Ev.Device(o.Device, $"owns {address}"))).ToList(),
                Decide = decide,
                RootCause = $"neigh-conflict:{device}/{address}",
                Devices = owners.Select(o => (NetSleuth.Topology.Place)o.Device).ToList(),
            };
        }
    }
}
