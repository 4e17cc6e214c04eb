using NetSleuth.Util;

namespace NetSleuth.Tests.Support;

/// <summary>
/// Headless Chromium (Debian's `chromium`, installed by scripts/install-deps) for the HTML report's
/// browser tests: loads a page from a file, returns the DOM after the page's script ran and every
/// console line (script errors, blocked fetches), or takes a screenshot. Each run has a profile of its
/// own so tests can run in parallel.
/// </summary>
internal static class Chromium
{
    public static string? Program { get; } = new[] { "chromium", "chromium-browser" }.FirstOrDefault(Proc.Exists);

    public const string Missing = "chromium is not installed (apt-get install chromium; scripts/install-deps does it, CI has it)";

    /// <summary>The DOM after load, and the console lines Chromium logged while loading.</summary>
    public static (string Dom, IReadOnlyList<string> Console) DumpDom(string htmlFile, bool dark = false)
    {
        var r = Run(htmlFile, dark, "--dump-dom");
        return (r.Stdout, ConsoleLines(r.Stderr));
    }

    /// <summary>Takes a screenshot of the top of the page (width × height CSS pixels); returns the console lines.</summary>
    public static IReadOnlyList<string> Screenshot(string htmlFile, string png, int width, int height, bool dark = false)
    {
        var r = Run(htmlFile, dark, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");
        if (!File.Exists(png)) throw new InvalidOperationException($"chromium wrote no screenshot: {r.Stderr}");
        return ConsoleLines(r.Stderr);
    }

    private static ProcResult Run(string htmlFile, bool dark, params string[] extra)
    {
        var profile = Directory.CreateTempSubdirectory("netsleuth-chromium-").FullName;
        try
        {
            string[] args =
            [
                "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                .. dark ? new[] { "--force-dark-mode", "--blink-settings=preferredColorScheme=0" } : [],
                .. extra,
                new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri,
            ];
            var r = Proc.Run(Program ?? throw new InvalidOperationException(Missing), args, timeout: TimeSpan.FromSeconds(90));
            return r;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static List<string> ConsoleLines(string stderr) =>
        stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
}

/// <summary>A fact that needs headless Chromium; skipped with the reason when it is not installed (CI installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Program is null) Skip = Chromium.Missing;
    }
}
