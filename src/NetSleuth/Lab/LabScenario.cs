namespace NetSleuth.Lab;

/// <summary>What a scenario will make for a prefix and a set of faults, before anything is made.</summary>
internal sealed class LabPlan
{
    public required string Prefix { get; init; }
    public List<LabHost> Hosts { get; } = [];
    public List<string> ExtraNamespaces { get; } = [];
    public List<LabProbe> Probes { get; } = [];
    /// <summary>Program → the Debian package it comes from; checked before building.</summary>
    public Dictionary<string, string> Tools { get; } = new() { ["ip"] = "iproute2", ["tc"] = "iproute2", ["ping"] = "iputils-ping", ["sysctl"] = "procps", ["unshare"] = "util-linux" };

    public string Ns(string role) => LabPaths.Ns(Prefix, role);
}

/// <summary>
/// A topology a lab can build, healthy or with faults. Subclasses plan (hosts, namespaces, probes
/// and the expected result of each probe for the faults) and build (the commands).
/// </summary>
internal abstract class LabScenario
{
    public abstract string Name { get; }
    public abstract string Summary { get; }
    /// <summary>Fault name → what the fault changes in this scenario.</summary>
    public abstract IReadOnlyDictionary<string, string> FaultChanges { get; }
    /// <summary>Pairs of faults that change the same object and cannot be combined.</summary>
    public virtual IReadOnlyList<(string, string)> Conflicts => [];

    public abstract LabPlan Plan(string prefix, IReadOnlySet<string> faults);

    /// <summary>Makes the namespaces (already created and with lo up) into the scenario.</summary>
    public abstract void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults);

    public LabScenarioInfo Info => new(Name, Summary, FaultChanges.Keys.ToList());

    public void CheckFaults(IReadOnlySet<string> faults)
    {
        foreach (var f in faults)
        {
            if (LabFaults.Find(f) is null)
                throw new LabException($"unknown fault '{f}' (see 'netsleuth lab list')");
            if (!FaultChanges.ContainsKey(f))
                throw new LabException($"scenario {Name} has no fault '{f}'; it has: {string.Join(", ", FaultChanges.Keys)}");
        }
        foreach (var (a, b) in Conflicts)
            if (faults.Contains(a) && faults.Contains(b))
                throw new LabException($"faults {a} and {b} change the same thing in {Name}; choose one");
    }
}
