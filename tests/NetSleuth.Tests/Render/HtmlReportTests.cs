using System.Text.RegularExpressions;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Synth;
using NetSleuth.Tests.Cli;
using NetSleuth.Tests.Import;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Render;

/// <summary>The HTML report's content, without a browser (see <see cref="HtmlBrowserTests"/> for what a browser makes of it).</summary>
public sealed partial class HtmlReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netsleuth-html-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The bundled example (examples/peer-pods, the same files as the transcript fixtures) diagnosed as HTML through the CLI.</summary>
    internal static string ExampleReport(string dir)
    {
        var file = Path.Combine(dir, "report.html");
        var (code, _, err) = CliTests.Run("diagnose", ImportTestKit.Fixture("transcripts", "worker.txt"), ImportTestKit.Fixture("transcripts", "podvm.txt"),
            "--format", "html", "-o", file);
        Assert.True(code == 3, $"diagnose exit {code}: {err}");
        return file;
    }

    [GeneratedRegex("<g class=\"dev[^\"]*\\bfailing\\b[^\"]*\" id=\"(d\\d+)\"[^>]*><title>([^<]*)</title>")]
    private static partial Regex FailingDevice();

    [Fact]
    public void Given_the_bundled_example_when_diagnosed_as_html_then_the_page_says_where_the_packet_dies_and_what_to_run()
    {
        var html = File.ReadAllText(ExampleReport(_dir));

        Assert.StartsWith("<!DOCTYPE html>", html);
        // the verdict at the top: the path, the device it dies at, the cause and the fix
        var verdict = html[html.IndexOf("<section class=\"verdict err\"", StringComparison.Ordinal)..];
        verdict = verdict[..verdict.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains("The packet worker → 198.18.2.46 dies at <code>podvm:nimp31f392-vmpod:vxlan0</code>: DroppedOtherHost", verdict);
        Assert.Contains("neighbor-mac-mismatch", verdict);
        Assert.Contains("ip -n nimp31f392-vmpod link set dev vxlan0 address 0a:58:0a:84:02:2e\n", verdict);
        // the picture: the failing device marked, the path drawn hop by hop (worker's 7 devices, then ens2, vxlan0)
        var failing = Assert.Single(FailingDevice().Matches(html));
        Assert.StartsWith("podvm:nimp31f392-vmpod:vxlan0", failing.Groups[2].Value);
        Assert.Equal(8, Regex.Matches(html, "<line class=\"hop\"").Count);
        Assert.Contains("✖ the packet dies here", html);
        // the facts panel entry of the failing device names its input line
        var facts = html[html.IndexOf($"<div id=\"f-{failing.Groups[1].Value}\">", StringComparison.Ordinal)..];
        Assert.Contains("podvm.txt:11]", facts[..facts.IndexOf("</div>", StringComparison.Ordinal)]);
        // the trace beside the picture: the failing step marked, each step linked to its device
        Assert.Contains("<li class=\"fail\" data-dev=\"" + failing.Groups[1].Value + "\">✖ DroppedOtherHost", html);
        // assumptions with the commands that would decide them
        Assert.Contains("<code class=\"cmd\">tc filter show dev ens3 egress</code>", html);
        Assert.Contains("hosts worker, podvm share subnet 198.51.100.0/24: assumed one L2 segment", html);
    }

    [Fact]
    public void Given_any_report_when_rendered_then_it_loads_nothing_from_outside()
    {
        var html = File.ReadAllText(ExampleReport(_dir));

        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';", html);
        Assert.DoesNotMatch(@"<(link|img|iframe|object|embed)\b", html);
        Assert.DoesNotMatch(@"\s(src|href)=""(?!#)", html);
        Assert.DoesNotMatch(@"@import|@font-face", html);
        Assert.DoesNotMatch(@"url\((?!#arrow\))", html);
    }

    [Fact]
    public void Given_hostile_device_names_when_rendered_then_every_one_is_escaped()
    {
        const string hostile = "\"><script>alert(1)</script><x a='";
        var snap = PeerPodsModel.Build();
        var worker = snap.Hosts[0];
        var root = worker.Root!;
        root.Links.Add(new Link { Index = 99, Name = hostile, Kind = LinkKinds.Dummy, DetailsKnown = true, Flags = ["UP", "LOWER_UP"],
            Source = new SourceRef("<b>in.txt", 3) });
        var t = Linker.Link(snap);

        var topo = HtmlReport.Topology(TopologyView.Create(t));
        var report = HtmlReport.Diagnosis(Diagnoser.Run(t), t);

        foreach (var html in new[] { topo, report })
        {
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("<b>in.txt", html);
            Assert.Single(Regex.Matches(html, "<script>"));
        }
        Assert.Contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;x a=&#39;", topo);
        Assert.Contains("&lt;b&gt;in.txt:3", topo);
    }

    [Fact]
    public void Given_the_mission_fault_when_a_trace_is_rendered_then_the_forward_path_dies_at_vxlan0()
    {
        var t = Linker.Link(PeerPodsModel.Build(macMismatch: true));
        var result = Tracer.Trace(t, new TraceRequest("worker", null, null, System.Net.IPAddress.Parse("198.18.2.46")));

        var html = HtmlReport.Trace(result, t);

        Assert.Contains("dies at <code>podvm:podns:vxlan0</code>", html);
        Assert.StartsWith("podvm:podns:vxlan0", Assert.Single(FailingDevice().Matches(html)).Groups[2].Value);
        Assert.DoesNotContain("data-path=\"1\"", html); // no reply: the packet never arrived
    }

    [Fact]
    public void Given_the_fixed_model_when_a_trace_is_rendered_then_both_ways_are_drawn_and_nothing_is_marked_failing()
    {
        var t = Linker.Link(PeerPodsModel.Build(macMismatch: false));
        var result = Tracer.Trace(t, new TraceRequest("worker", null, null, System.Net.IPAddress.Parse("198.18.2.46")));

        var html = HtmlReport.Trace(result, t);

        Assert.Contains("Delivered both ways.", html);
        Assert.Empty(FailingDevice().Matches(html));
        Assert.Contains("<button type=\"button\" data-path=\"1\"", html); // the reply can be shown instead
        Assert.Contains("reply 198.18.2.46 → worker", html);
    }

    [Fact]
    public void Given_a_large_cluster_when_diagnosed_as_html_then_only_the_broken_paths_surroundings_are_drawn()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(40, 10, SynthStyle.Ovs, Faults: 4, Seed: 3)).GenerateAll();
        var t = Linker.Link(snap);
        int total = snap.Hosts.Sum(h => h.Namespaces.Sum(n => n.Links.Count));
        Assert.True(total > HtmlReport.FullPictureDevices, $"the cluster is too small for the test: {total} devices");
        var report = Diagnoser.Run(t);
        Assert.True(report.PathsBroken > 0);

        var html = HtmlReport.Diagnosis(report, t);

        int drawn = Regex.Matches(html, "<g class=\"dev").Count;
        Assert.InRange(drawn, 2, HtmlReport.FocusPictureDevices);
        Assert.Contains("Large input: only the devices around the broken paths are drawn", html);
        Assert.Matches(@"\d+ other hosts not drawn", html);
        Assert.NotEmpty(FailingDevice().Matches(html));
        foreach (var f in report.Findings) Assert.Contains(HtmlText.Escape(f.Title), html);
    }

    [Fact]
    public void Given_a_topology_too_large_to_draw_when_rendered_as_html_then_it_says_how_to_focus()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(40, 10, SynthStyle.Ovs)).GenerateAll();
        var t = Linker.Link(snap);

        var pod = snap.Hosts[0].Namespaces.First(n => !n.IsRoot).Links.SelectMany(l => l.Addresses)
            .First(a => a.Prefix.IsV4 && !System.Net.IPAddress.IsLoopback(a.Address)).Address;

        var html = HtmlReport.Topology(TopologyView.Create(t));
        var focused = HtmlReport.Topology(TopologyView.Create(t, Focus.Select(t, pod.ToString())));

        Assert.Contains("too many to draw in one picture", html);
        Assert.DoesNotContain("<svg", html);
        Assert.Contains("<svg", focused);
    }

    [Theory]
    [InlineData("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Escape_handles_every_special_character(string input, string expected) => Assert.Equal(expected, HtmlText.Escape(input));

    [Fact]
    public void Commands_in_backticks_become_code_and_the_rest_stays_escaped() =>
        Assert.Equal("run <code class=\"cmd\">ip -n &lt;ns&gt; a</code> on host `x", HtmlText.WithCommands("run `ip -n <ns> a` on host `x"));
}
