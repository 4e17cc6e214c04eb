using System.Text.RegularExpressions;
using NetSleuth.Collect;
using NetSleuth.Diagnosis;
using NetSleuth.Lab;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Diagnosis;

/// <summary>
/// A diagnosis of a real lab (collected live from namespaces) as the HTML report, opened in headless
/// Chromium: the page names the injected fault, marks the device the packet dies at, and its script
/// runs without a console line. The screenshot is written next to the test output for a look.
/// </summary>
public sealed class HtmlReportLabTests(ITestOutputHelper output)
{
    [ChromiumFact]
    public void Given_the_peer_pods_lab_with_a_vni_mismatch_when_reported_as_html_then_the_browser_shows_the_finding_and_the_path()
    {
        var prefix = LabPaths.UniquePrefix("nht");
        var dir = Directory.CreateTempSubdirectory("netsleuth-html-lab-").FullName;
        try
        {
            using var lab = LabBuilder.Up("peer-pods", ["vni-mismatch"], prefix);
            var snapshot = new Snapshot();
            foreach (var h in lab.Hosts)
                snapshot.Hosts.Add(LiveCollector.CollectHost(new CollectOptions
                {
                    HostName = h.Name,
                    RootNamespace = h.RootNamespace,
                    Namespaces = [.. h.Others],
                    OvsDb = h.OvsDb is { } db && db.StartsWith("unix:", StringComparison.Ordinal) ? db["unix:".Length..] : h.OvsDb,
                    Origin = "lab",
                }));
            var topology = Linker.Link(snapshot);
            var report = Diagnoser.Run(topology);
            Assert.Equal("vxlan-vni-mismatch", report.Findings[0].Id);
            var file = Path.Combine(dir, "lab-report.html");
            File.WriteAllText(file, HtmlReport.Diagnosis(report, topology));

            var (dom, console) = Chromium.DumpDom(file);
            var shot = Chromium.Screenshot(file, Path.Combine(dir, "lab-report.png"), 1280, 1000);
            output.WriteLine($"report and screenshot in {dir}");

            Assert.Empty(console);
            Assert.Empty(shot);
            Assert.Contains("data-ready=\"1\"", dom);
            Assert.Contains("vxlan-vni-mismatch", dom);
            Assert.Contains("dies at <code>", dom);
            Assert.Matches("<g class=\"dev[^\"]*failing", dom);
            Assert.True(Regex.Matches(dom, "<line class=\"hop\"").Count >= 3, "the path is drawn hop by hop");
            Assert.Contains("<button type=\"button\" class=\"copy\"", dom);
            Directory.Delete(dir, recursive: true);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }
}
