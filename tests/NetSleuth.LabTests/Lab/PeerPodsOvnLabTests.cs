using NetSleuth.Lab;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Lab;

/// <summary>A theory that is skipped, with the reason and the install line, when OVN's programs are missing.</summary>
public sealed class OvnTheoryAttribute : TheoryAttribute
{
    public OvnTheoryAttribute()
    {
        if (OvnLab.Missing is { } why) Skip = why;
    }
}

/// <summary>A fact skipped like <see cref="OvnTheoryAttribute"/>.</summary>
public sealed class OvnFactAttribute : FactAttribute
{
    public OvnFactAttribute()
    {
        if (OvnLab.Missing is { } why) Skip = why;
    }
}

internal static class OvnLab
{
    /// <summary>Null when ovn-northd, ovn-controller, ovn-nbctl and ovs-vswitchd are all installed; else why the OVN lab tests cannot run.</summary>
    public static string? Missing
    {
        get
        {
            var missing = new[] { "ovn-northd", "ovn-controller", "ovn-nbctl", "ovs-vswitchd" }.Where(p => !Proc.Exists(p)).ToList();
            return missing.Count == 0 ? null
                : $"OVN is not installed (missing {string.Join(", ", missing)}): apt-get install -y ovn-central ovn-host openvswitch-switch";
        }
    }
}

/// <summary>peer-pods-ovn healthy and with each fault: the kernel gives the documented results, down leaves nothing.</summary>
public sealed class PeerPodsOvnLabTests(ITestOutputHelper output) : LabMatrixTests(output)
{
    public static TheoryData<string> Data => Cases("peer-pods-ovn");

    [OvnTheory, MemberData(nameof(Data))]
    public void Given_peer_pods_ovn_with_fault_the_kernel_shows_the_documented_symptom(string faults) => Check("peer-pods-ovn", faults);
}
