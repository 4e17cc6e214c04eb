using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>Feeds fixture files to the importer the way saved outputs and transcripts are fed.</summary>
internal static class ImportTestKit
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>Parses <paramref name="fixture"/> (under Fixtures/iproute2) as the output of <paramref name="command"/>.</summary>
    public static (NetNamespace Ns, Host Host) Parse(string command, string fixture, string? netns = null)
    {
        var b = new HostBuilder("h");
        var ns = Apply(b, command, fixture, netns);
        return (ns, b.Finish());
    }

    public static NetNamespace Apply(HostBuilder b, string command, string fixture, string? netns = null)
    {
        var cl = CommandLine.Parse(command, []);
        var file = Fixture("iproute2", fixture);
        var lines = TextCleaner.Lines(File.ReadAllText(file));
        var output = new CommandOutput(cl.Argv, lines, file, 1, cl.Partial);
        Assert.True(b.Apply(output, cl.Netns ?? netns, cl.NsPid), $"no parser for '{command}'");
        return b.Namespace(cl.Netns ?? netns, cl.NsPid);
    }

    public static Snapshot LoadText(string text, string name = "transcript.txt", string? host = null)
    {
        var dir = Directory.CreateTempSubdirectory("nimp-test-");
        try
        {
            var path = Path.Combine(dir.FullName, name);
            File.WriteAllText(path, text);
            return InputLoader.Load([host is null ? path : host + "=" + path]);
        }
        finally { dir.Delete(true); }
    }
}
