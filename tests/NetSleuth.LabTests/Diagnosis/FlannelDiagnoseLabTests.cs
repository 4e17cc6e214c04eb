using Xunit.Abstractions;

namespace NetSleuth.LabTests.Diagnosis;

/// <summary>Diagnose on the flannel lab: the fault is the top finding, and its printed fix makes the pods' ping work in the kernel.</summary>
public sealed class FlannelDiagnoseLabTests(ITestOutputHelper output) : DiagnoseLabTests(output)
{
    protected override string PrefixStem => "nsfl";

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("vni-mismatch", new[] { "vxlan-vni-mismatch" })]
    [InlineData("port-mismatch", new[] { "vxlan-dstport-mismatch" })]
    [InlineData("wrong-remote", new[] { "vxlan-fdb-dst-wrong" })]
    [InlineData("missing-permanent-neighbor", new[] { "neighbor-permanent-missing" })]
    [InlineData("stale-neighbor", new[] { "neighbor-wrong-mac" })]
    public void Given_the_flannel_lab_with_a_fault_when_diagnosed_and_fixed_then_the_ping_works(string fault, string[] top) =>
        Check("flannel", fault, top);
}
