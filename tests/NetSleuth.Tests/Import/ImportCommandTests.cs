using NetSleuth.Cli;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class ImportCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Import_writes_one_snapshot_of_both_peer_pods_machines()
    {
        var outFile = Path.Combine(Path.GetTempPath(), $"nimp-import-{Guid.NewGuid():N}.json");
        try
        {
            var (code, _, err) = Run("import", Fixture("transcripts", "worker.txt"), Fixture("transcripts", "podvm.txt"), "-o", outFile);
            Assert.Equal(0, code);
            Assert.Equal("", err);
            var snap = SnapshotJson.Load(outFile);
            Assert.Equal(["podvm", "worker"], snap.Hosts.Select(h => h.Name).Order());
            Assert.All(snap.Hosts, h => Assert.Equal("import", h.Meta.Origin));
        }
        finally { File.Delete(outFile); }
    }

    [Fact]
    public void Warnings_name_file_and_line_on_stderr_and_nothing_readable_is_exit_2()
    {
        var dir = Directory.CreateTempSubdirectory("nimp-cmd-");
        try
        {
            var bad = Path.Combine(dir.FullName, "bad.txt");
            File.WriteAllText(bad, "hello\nworld\n");
            var (code, stdout, err) = Run("import", bad);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains($"warning: {bad}:1: not recognised", err);

            var partly = Path.Combine(dir.FullName, "session.txt");
            File.WriteAllText(partly, "# ip r\ndefault via 198.18.0.1 dev eth0\n# ping -c1 198.18.0.1\nPING 198.18.0.1 (198.18.0.1) 56(84) bytes of data.\n");
            (code, stdout, err) = Run("import", "h=" + partly);
            Assert.Equal(0, code);
            Assert.Contains($"warning: {partly}:3: output of 'ping -c1 198.18.0.1' skipped", err);
            Assert.Contains("\"name\": \"h\"", stdout);

            (code, _, err) = Run("import", Path.Combine(dir.FullName, "missing.txt"));
            Assert.Equal(2, code);
            Assert.Contains("no such file", err);
        }
        finally { dir.Delete(true); }
    }
}
