using NetSleuth.Cli;
using NetSleuth.Model;

namespace NetSleuth.LabTests.Collect;

/// <summary>Runs `netsleuth collect` through the real CLI entry point and reads the snapshot it wrote.</summary>
internal static class CollectRun
{
    public static (Snapshot Snapshot, string Json, string Stderr) Cli(params string[] args)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ncol-{Guid.NewGuid():N}.json");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = Program.Run(["collect", "-o", file, .. args], stdout, stderr);
            Assert.True(rc == 0, $"collect exited {rc}: {stderr}");
            var json = File.ReadAllText(file);
            return (SnapshotJson.Deserialize(json, file), json, stderr.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
