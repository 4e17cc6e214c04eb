using System.Buffers.Binary;
using System.Text.RegularExpressions;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Render;

/// <summary>
/// The HTML report in a real browser (headless Chromium): the page's script runs without an error
/// or a console line (a blocked fetch would log one), adds its copy buttons and shows the failing
/// device's facts; screenshots come out in light and dark mode.
/// </summary>
public sealed class HtmlBrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netsleuth-html-browser-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [ChromiumFact]
    public void Given_the_bundled_example_when_opened_in_chromium_then_the_script_ran_and_shows_the_failing_device()
    {
        var file = HtmlReportTests.ExampleReport(_dir);

        var (dom, console) = Chromium.DumpDom(file);

        Assert.Empty(console);
        Assert.Contains("data-ready=\"1\"", dom);
        Assert.DoesNotContain("data-errors=\"", dom);
        Assert.True(Regex.Matches(dom, "<button type=\"button\" class=\"copy\"").Count >= 6, "the script adds a copy button to every command");
        // the facts panel opens on the failing device
        var panel = Regex.Match(dom, "<div class=\"panel facts\" id=\"facts\">(.*?)</table>", RegexOptions.Singleline);
        Assert.True(panel.Success, "the facts panel is not shown");
        Assert.Contains("<code>vxlan0</code> on podvm", panel.Groups[1].Value);
        Assert.Contains("neighbor-mac-mismatch", dom);
        Assert.Matches("<g class=\"dev failing sel\" id=\"d\\d+\"", dom);
    }

    [ChromiumFact]
    public void Given_the_bundled_example_when_screenshot_in_light_and_dark_mode_then_both_render_without_errors()
    {
        var file = HtmlReportTests.ExampleReport(_dir);
        foreach (var dark in new[] { false, true })
        {
            var png = Path.Combine(_dir, dark ? "dark.png" : "light.png");

            var console = Chromium.Screenshot(file, png, 1280, 900, dark);

            Assert.Empty(console);
            var bytes = File.ReadAllBytes(png);
            Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
            Assert.True(bytes.Length > 20_000, $"the screenshot looks empty ({bytes.Length} bytes)");
        }
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_dir, "light.png")), File.ReadAllBytes(Path.Combine(_dir, "dark.png")));
    }
}
