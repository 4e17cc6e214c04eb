using NetSleuth.Lab.Scenarios;

namespace NetSleuth.Lab;

/// <summary>Every scenario `lab up` can build.</summary>
public static class LabCatalog
{
    internal static IReadOnlyList<LabScenario> All { get; } = [new PeerPods(), new PeerPodsOvs(), new PeerPodsOvn(), new BridgePods(), new Flannel(),
        new Services(KubeProxyMode.Iptables), new Services(KubeProxyMode.Nftables)];

    public static IReadOnlyList<LabScenarioInfo> Scenarios { get; } = All.Select(s => s.Info).ToList();

    public static IReadOnlyList<LabFaultInfo> Faults => LabFaults.All;

    /// <summary>What FAULT changes in SCENARIO, or null when the scenario does not have it.</summary>
    public static string? FaultChange(string scenario, string fault) =>
        Find(scenario).FaultChanges.TryGetValue(fault, out var c) ? c : null;

    /// <summary>The scenario `lab up NAME --mode MODE` builds: "services" with mode nftables is "services-nft"; iptables
    /// (or no mode) is NAME itself. Null when NAME has no such mode.</summary>
    public static string? WithMode(string name, string? mode) => (name, mode) switch
    {
        (_, null) => name,
        ("services" or "services-nft", "iptables") => "services",
        ("services" or "services-nft", "nftables" or "nft") => "services-nft",
        _ => null,
    };

    internal static LabScenario Find(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new LabException($"unknown scenario '{name}'; scenarios: {string.Join(", ", All.Select(s => s.Name))}");
}
