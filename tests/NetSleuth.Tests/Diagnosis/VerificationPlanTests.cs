using NetSleuth.Diagnosis;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>On a large input only the first findings of each kind have their fix verified (each verification re-links the model); the others say so.</summary>
public sealed class VerificationPlanTests
{
    private static Finding Down(string id, string host) => new()
    {
        Id = id, Severity = Severity.Error, Title = $"{host}:eth0 is down", Explanation = "", RootCause = $"{id}:{host}",
        Fix = [new FixStep(host, null, ["ip link set dev eth0 up"])],
    };

    [Fact]
    public void Given_five_findings_of_one_kind_on_a_large_input_Then_two_are_verified_and_three_say_how_their_kind_fared()
    {
        var findings = Enumerable.Range(1, 5).Select(i => Down("link-down", $"node-{i}")).Append(Down("mtu-overlay-too-large", "node-9"))
            .Append(new Finding { Id = "link-down", Severity = Severity.Warning, Title = "no fix", Explanation = "", RootCause = "x" }).ToList();

        var (verify, leftOut) = VerificationPlan.Split(findings, VerificationPlan.LargeInput + 1);

        Assert.Equal(["node-1", "node-2", "node-9"], verify.Select(f => f.Fix[0].Host));
        Assert.Equal(["node-3", "node-4", "node-5"], leftOut.Select(f => f.Fix[0].Host));
        verify[0].Verification = new FixVerification(true, 1, 1, 0, 10, 10, false);
        verify[1].Verification = new FixVerification(false, 0, 1, 0, 10, 10, false, "still broken");
        VerificationPlan.Explain(verify, leftOut);
        Assert.All(leftOut, f => Assert.Equal(
            "unverified: not verified on its own: on a large input the fixes of the first 2 link-down findings are verified (1 of them verified), not the other 3 like this one",
            f.Verification!.Summary()));
    }

    [Fact]
    public void Given_a_small_input_Then_every_finding_is_verified()
    {
        var findings = Enumerable.Range(1, 5).Select(i => Down("link-down", $"node-{i}")).ToList();
        var (verify, leftOut) = VerificationPlan.Split(findings, VerificationPlan.LargeInput);
        Assert.Equal(5, verify.Count);
        Assert.Empty(leftOut);
    }
}
