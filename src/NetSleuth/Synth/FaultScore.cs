using System.Text;
using NetSleuth.Diagnosis;

namespace NetSleuth.Synth;

/// <summary>
/// Compares diagnose's findings with the faults the generator placed. A fault counts as found only when
/// a finding of that fault's kind (<see cref="Kinds"/>: the finding ids that diagnose the catalogue row,
/// docs/faults.md) names it: its evidence names the fault's host (or, for a tunnel, the node/VM at the
/// other end) and, when the fault sits on a device, that device. A finding that names no faulted host
/// is a false alarm.
/// </summary>
public static class FaultScore
{
    /// <summary>The placed faults no finding names, and the findings (warning or error) no placed fault explains.</summary>
    public static (List<PlacedFault> Missed, List<Finding> FalseAlarms) Score(FaultManifest manifest, DiagnosisReport report)
    {
        var findings = report.Findings.Where(f => f.Severity >= Severity.Warning).ToList();
        var missed = manifest.Faults.Where(fault => !findings.Any(f => Diagnoses(f, fault))).ToList();
        var falseAlarms = findings.Where(f => !manifest.Faults.Any(x => Explains(x, f))).ToList();
        return (missed, falseAlarms);
    }

    public static string Compare(FaultManifest manifest, DiagnosisReport report)
    {
        var (missed, falseAlarms) = Score(manifest, report);
        var sb = new StringBuilder();
        int found = manifest.Faults.Count - missed.Count;
        foreach (var fault in missed)
            sb.Append("  missed: #").Append(fault.Id).Append(' ').Append(fault.Name).Append(" on ").Append(fault.Host)
                .Append(" [").Append(fault.Namespace).Append("] ").Append(fault.Device ?? fault.Entry).Append('\n');
        foreach (var g in falseAlarms.GroupBy(f => f.Id).OrderByDescending(g => g.Count()))
            sb.Append("  not a placed fault: ").Append(g.Count()).Append(" × ").Append(g.Key).Append(", e.g. ").Append(g.First().Title).Append('\n');
        return $"faults: {found}/{manifest.Faults.Count} found; {falseAlarms.Count} findings (warning or error) that are not placed faults\n" + sb;
    }

    /// <summary>The finding ids that diagnose each placed fault (by the fault's name in <see cref="FaultCatalog"/>).</summary>
    internal static IReadOnlyDictionary<string, string[]> Kinds { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["tunnel-mac-mismatch"] = ["neighbor-mac-mismatch", "port-security-mac-mismatch"],
        ["missing-mirred-redirect"] = ["tc-redirect-missing"],
        ["vni-mismatch"] = ["vxlan-vni-mismatch"],
        ["dstport-mismatch"] = ["vxlan-dstport-mismatch"],
        ["wrong-remote"] = ["vxlan-remote-wrong", "vxlan-fdb-dst-wrong"],
        ["mtu-overlay-too-big"] = ["mtu-overlay-too-large"],
        ["firewall-drops-tunnel-port"] = ["firewall-drop"],
        ["link-down"] = ["link-down"],
        ["missing-route"] = ["missing-route", "no-route", "no-return-route"],
        ["blackhole-route"] = ["route-blackhole"],
        ["missing-permanent-neighbour"] = ["neighbor-permanent-missing"],
        ["failed-neighbour"] = ["neighbor-failed"],
        ["ip-forward-off"] = ["ip-forward-disabled"],
        ["dangling-veth"] = ["veth-peer-missing"],
        ["bridge-port-without-master"] = ["bridge-port-detached"],
    };

    /// <summary>The finding diagnoses the placed fault: of its kind, and names it (its host or tunnel end, its device).</summary>
    public static bool Diagnoses(Finding f, PlacedFault fault) => OfKind(f, fault) && Names(f, fault);

    /// <summary>The finding (or a check merged into it) is of the fault's kind; a fault the table does not know matches nothing.</summary>
    internal static bool OfKind(Finding f, PlacedFault fault) =>
        Kinds.TryGetValue(fault.Name, out var ids) && (ids.Contains(f.Id) || f.AlsoSeenAs.Any(ids.Contains));

    private static IEnumerable<string> Hosts(Finding f) =>
        f.Evidence.Select(e => e.Host).Concat(f.Fix.Select(x => x.Host)).Distinct();

    /// <summary>The fault's host and the hosts at the other end of its tunnel (a node and its pod VMs).</summary>
    private static bool NearHost(string host, PlacedFault fault) =>
        host == fault.Host ||
        (fault.Host.StartsWith("podvm-", StringComparison.Ordinal) && host == "node-" + fault.Host[6..10]) ||
        (fault.Host.StartsWith("node-", StringComparison.Ordinal) && host.StartsWith("podvm-" + fault.Host[5..] + "-", StringComparison.Ordinal));

    private static bool Related(Finding f, PlacedFault fault) => Hosts(f).Any(h => NearHost(h, fault)) ||
        f.Title.StartsWith(fault.Host + " ", StringComparison.Ordinal) || f.Title.StartsWith(fault.Host + ":", StringComparison.Ordinal) ||
        (fault.Id is 5 or 6 or 7 && f.Title.Contains(fault.Host, StringComparison.Ordinal));

    /// <summary>A finding is explained by a fault near its hosts that it names (device faults), or by any fault
    /// near it when the fault has no device or is a tunnel/firewall fault (those show up on other objects).</summary>
    private static bool Explains(PlacedFault fault, Finding f) =>
        fault.Device is null || fault.Id is 1 or 4 or 5 or 6 or 7 or 8 or 9 ? Related(f, fault) :
        Names(f, fault) || (Related(f, fault) && PodAddresses(fault).Any(ip => f.Title.Contains(ip, StringComparison.Ordinal)));

    /// <summary>The pod a device fault cut off ("host end of pod 10.128.6.102"): paths to it break as a consequence.</summary>
    private static IEnumerable<string> PodAddresses(PlacedFault fault) =>
        System.Text.RegularExpressions.Regex.Matches(fault.Description, @"pod (\d+\.\d+\.\d+\.\d+)").Select(m => m.Groups[1].Value);

    private static bool Names(Finding f, PlacedFault fault) =>
        Related(f, fault) && (fault.Device is null ||
            f.Evidence.Any(e => e.Text.Contains(fault.Device, StringComparison.Ordinal)) ||
            f.Title.Contains(fault.Device, StringComparison.Ordinal));
}
