using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>
/// The real-input corpus (Fixtures/real, see its NOTE.md): outputs and transcripts that people pasted in
/// public threads, and other projects' fixtures. Each directory is imported as its users would import it
/// (every file as HOST=file, through <see cref="InputLoader"/>), must not crash nor flood warnings, and must
/// hold every fact its expect.txt states; a thread that states its root cause must get it as the top finding.
/// </summary>
public sealed class RealCorpusTests
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures", "real");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var d in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(d));
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_forty_real_inputs_each_with_a_source()
    {
        var dirs = Directory.GetDirectories(Root);
        Assert.True(dirs.Length >= 40, $"{dirs.Length} fixtures");
        foreach (var d in dirs)
        {
            var expect = CorpusExpectations.Read(Path.Combine(d, "expect.txt"));
            Assert.True(expect.Sources.Count > 0, $"{Path.GetFileName(d)}: expect.txt names no source");
            Assert.True(expect.Facts.Count > 0, $"{Path.GetFileName(d)}: expect.txt states no fact");
            // a stated cause is ranked by the words the top finding must name, or said to be beyond the input
            Assert.True(expect.Cause is null || expect.TopMentions.Count > 0, $"{Path.GetFileName(d)}: a cause without top-mentions checks nothing");
            Assert.True(expect.Cause is null || expect.CauseUnshown is null, $"{Path.GetFileName(d)}: cause and cause-unshown both given");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Imports_with_every_stated_fact(string name)
    {
        var dir = Path.Combine(Root, name);
        var expect = CorpusExpectations.Read(Path.Combine(dir, "expect.txt"));
        var specs = Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "expect.txt").Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileNameWithoutExtension(f) + "=" + f).ToList();
        var snapshot = InputLoader.Load(specs);
        var failures = new CorpusChecker(snapshot, expect).Check();
        // and the rest of the pipeline takes it: linked, diagnosed, no exception
        var report = Diagnoser.Run(NetSleuth.Topology.Linker.Link(snapshot));
        Assert.NotNull(report.Findings);
        Assert.True(failures.Count == 0, $"{name}:\n  " + string.Join("\n  ", failures) + "\nwarnings:\n  " +
            string.Join("\n  ", CorpusChecker.AllWarnings(snapshot)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_stated_root_cause_is_the_top_finding(string name)
    {
        var dir = Path.Combine(Root, name);
        var expect = CorpusExpectations.Read(Path.Combine(dir, "expect.txt"));
        if (expect.Cause is null) return; // the thread states no cause: nothing to rank
        var specs = Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "expect.txt")
            .Select(f => Path.GetFileNameWithoutExtension(f) + "=" + f).ToList();
        var report = Diagnoser.Run(NetSleuth.Topology.Linker.Link(InputLoader.Load(specs)));
        Assert.NotEmpty(report.Findings);
        var top = report.Findings[0];
        var text = CorpusChecker.FindingText(top);
        var missing = expect.TopMentions.Where(w => !text.Contains(w, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(missing.Count == 0, $"{name}: the top finding ({top}) does not name {string.Join(", ", missing)}; cause: {expect.Cause}\n" +
            string.Join("\n", report.Findings.Select(f => "  " + f)));
    }
}
