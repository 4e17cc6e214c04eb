using NetSleuth.WhatIf;

namespace NetSleuth.Diagnosis;

/// <summary>
/// Which findings' fixes the diagnosis verifies in the model. Each verification re-links a copy of the whole
/// model, so on a large input (more traced paths than <see cref="LargeInput"/>) only the first
/// <see cref="PerKind"/> findings of each kind (finding id) are verified; the others of that kind say so, with how
/// many like them were verified ("verified on 2 of 40 like this"). Small inputs verify every fix.
/// </summary>
internal static class VerificationPlan
{
    /// <summary>Findings of one kind verified on a large input.</summary>
    public static int PerKind { get; set; } = 2;
    /// <summary>Traced paths from which an input counts as large (a 50-node cluster of 100 pods a node).</summary>
    public static int LargeInput { get; set; } = 5000;

    /// <summary>The findings to verify, and those left out (same kind as <see cref="PerKind"/> earlier ones).</summary>
    public static (List<Finding> Verify, List<Finding> LeftOut) Split(IReadOnlyList<Finding> findings, int pathsTraced)
    {
        var verify = new List<Finding>(findings.Count);
        var leftOut = new List<Finding>();
        if (pathsTraced <= LargeInput)
        {
            verify.AddRange(findings);
            return (verify, leftOut);
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            if (f.Fix.Count == 0) continue;
            int n = seen.GetValueOrDefault(f.Id);
            seen[f.Id] = n + 1;
            (n < PerKind ? verify : leftOut).Add(f);
        }
        return (verify, leftOut);
    }

    /// <summary>After the verification of the others: each left-out finding says how its kind fared.</summary>
    public static void Explain(IReadOnlyList<Finding> verified, IReadOnlyList<Finding> leftOut)
    {
        foreach (var f in leftOut)
        {
            int tried = 0, ok = 0, total = 0;
            foreach (var v in verified)
                if (v.Id == f.Id) { tried++; if (v.Verification?.Verified == true) ok++; }
            foreach (var x in leftOut) if (x.Id == f.Id) total++;
            f.Verification = new FixVerification(false, 0, 0, 0, 0, 0, false,
                $"not verified on its own: on a large input the fixes of the first {tried} {f.Id} findings are verified " +
                $"({ok} of them verified), not the other {total} like this one");
        }
    }
}
