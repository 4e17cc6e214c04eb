using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Diagnosis;

internal static class Diag
{
    public static DiagnosisReport Run(Snapshot s) => Diagnoser.Run(Linker.Link(s));

    /// <summary>Error and warning findings (info notes left out) as "id" strings.</summary>
    public static List<string> Problems(DiagnosisReport r) =>
        r.Findings.Where(f => f.Severity >= Severity.Warning).Select(f => f.Id).ToList();

    public static Finding Single(DiagnosisReport r, string id) =>
        Assert.Single(r.Findings, f => f.Id == id);

    public static string AllCommands(Finding f) => string.Join("\n", f.Fix.SelectMany(s => s.Commands));
}
