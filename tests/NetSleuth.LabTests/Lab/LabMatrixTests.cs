using NetSleuth.Lab;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Lab;

/// <summary>
/// Every scenario healthy, with each of its faults, and with a few combinations: build it, send
/// its documented probes, check the kernel gives the documented result and the packets stop where
/// the fault says, take it down and check nothing is left. One class per scenario so xunit runs
/// the scenarios in parallel (each case has its own prefix).
/// </summary>
public abstract class LabMatrixTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases(string scenario, params string[] combos)
    {
        var data = new TheoryData<string> { "" };
        foreach (var f in LabCatalog.Scenarios.Single(s => s.Name == scenario).Faults) data.Add(f);
        foreach (var c in combos) data.Add(c);
        return data;
    }

    protected void Check(string scenario, string faultList)
    {
        var faults = faultList.Split('+', StringSplitOptions.RemoveEmptyEntries);
        var prefix = LabPaths.UniquePrefix("nlab");
        var started = DateTime.UtcNow;
        try
        {
            // Given the scenario built with the faults
            using (var lab = LabBuilder.Up(scenario, faults, prefix))
            {
                output.WriteLine($"{prefix}: {scenario} [{faultList}] up in {(DateTime.UtcNow - started).TotalSeconds:F2}s");
                Assert.Equal(LabState.Up, LabStateFile.Read(prefix)!.Status);
                Assert.Equal(lab.State.AllNamespaces.Order(), LabLeftovers.Namespaces(prefix).Order());

                // When the first probe is sent, Then its packets stop where the fault says
                // (a combination that works, like the faults.md #3 negative control, has no such place)
                var counters = lab.Probes.All(p => p.ExpectSuccess) ? [] : faults.SelectMany(f => Symptoms.For(scenario, f)).ToList();
                var before = counters.Select(c => Read(lab, c)).ToList();
                var first = lab.Run(lab.Probes[0]);
                for (int i = 0; i < counters.Count; i++)
                {
                    var c = counters[i];
                    long after = Read(lab, c);
                    output.WriteLine($"  {c.Role} {c.Name}: {before[i]} -> {after}");
                    Assert.True(c.Grows ? after > before[i] : after == before[i],
                        $"{c.Role} {c.Name} {(c.Grows ? "should grow" : "should not grow")}: {before[i]} -> {after}");
                }

                // And every probe gives the documented result
                var results = lab.Probes.Select((p, i) => (Probe: p, Result: i == 0 ? first : lab.Run(p))).ToList();
                foreach (var (p, r) in results)
                {
                    output.WriteLine($"  probe {p.Name}: {r} (expected {(p.ExpectSuccess ? "replies" : "none")})");
                    Assert.True(p.ExpectSuccess ? r.Received > 0 : r.AllLost,
                        $"probe {p.Name} ({p.Command}): {r}, expected {(p.ExpectSuccess ? "replies" : "no reply")}: {p.Expectation}\n{r.Output}");
                }
                if (faults.Contains(LabFaults.NoRoute) && scenario != "bridge-pods")
                    Assert.Contains("Network is unreachable", results[0].Result.Output);
            }
            // Then down leaves nothing
            LabLeftovers.AssertNone(prefix);
            output.WriteLine($"  total {(DateTime.UtcNow - started).TotalSeconds:F2}s");
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    private static long Read(LabInstance lab, Counter c)
    {
        var ns = lab.Ns(c.Role);
        var parts = c.Name.Split('/');
        long? v = parts.Length == 3
            ? (parts[2] == "rx" ? lab.RxPackets(ns, parts[1]) : lab.TxPackets(ns, parts[1]))
            : lab.Counter(ns, c.Name);
        return v ?? throw new InvalidOperationException($"no counter {c.Name} in {ns}");
    }
}

public sealed class PeerPodsLabTests(ITestOutputHelper output) : LabMatrixTests(output)
{
    public static TheoryData<string> Data => Cases("peer-pods",
        $"{LabFaults.MacMismatch}+{LabFaults.MissingNeighbor}", $"{LabFaults.Mtu}+{LabFaults.FirewallDrop}");

    [Theory, MemberData(nameof(Data))]
    public void Given_peer_pods_with_fault_the_kernel_shows_the_documented_symptom(string faults) => Check("peer-pods", faults);
}

public sealed class PeerPodsOvsLabTests(ITestOutputHelper output) : LabMatrixTests(output)
{
    public static TheoryData<string> Data => Cases("peer-pods-ovs", $"{LabFaults.MacMismatch}+{LabFaults.MissingNeighbor}");

    [Theory, MemberData(nameof(Data))]
    public void Given_peer_pods_ovs_with_fault_the_kernel_shows_the_documented_symptom(string faults) => Check("peer-pods-ovs", faults);
}

public sealed class BridgePodsLabTests(ITestOutputHelper output) : LabMatrixTests(output)
{
    public static TheoryData<string> Data => Cases("bridge-pods", $"{LabFaults.Mtu}+{LabFaults.WrongMaster}");

    [Theory, MemberData(nameof(Data))]
    public void Given_bridge_pods_with_fault_the_kernel_shows_the_documented_symptom(string faults) => Check("bridge-pods", faults);
}
