using System.Text.Json.Nodes;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect;

/// <summary>The NativeAOT binary (scripts/publish-native) collects the same snapshot as the CLI.</summary>
public sealed class NativeCollectTests : IClassFixture<CollectLab>
{
    private readonly CollectLab _lab;
    public NativeCollectTests(CollectLab lab) => _lab = lab;

    [Fact]
    public void Given_the_published_native_binary_When_it_collects_the_lab_Then_the_snapshot_equals_the_clis_but_for_the_time()
    {
        var native = NativeBinary.Ensure();
        string[] args = ["--netns", _lab.Prefix + "*", "--netns", "inode:" + _lab.UnnamedInode, "--host-name", "lab"];
        var file = Path.Combine(Path.GetTempPath(), $"ncol-native-{Guid.NewGuid():N}.json");
        try
        {
            // the kernel adds entries on its own between two collects (a 224.0.0.x neighbour when a device joins a
            // multicast group): the pair is taken again, up to three times, until both saw the same state
            string a = "", b = "";
            for (int attempt = 0; attempt < 3 && (attempt == 0 || a != b); attempt++)
            {
                var r = Proc.Run(native, ["collect", "-o", file, .. args]);
                Assert.True(r.Ok, $"native collect exited {r.ExitCode}: {r.Stderr}");
                var (_, cliJson, _) = CollectRun.Cli(args);
                a = WithoutTime(File.ReadAllText(file));
                b = WithoutTime(cliJson);
            }
            Assert.Equal(b, a);
            Assert.Contains(_lab.WkPod, a);
            Assert.Contains("\"linkNamespace\"", a);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string WithoutTime(string json)
    {
        var node = JsonNode.Parse(json)!;
        foreach (var h in node["hosts"]!.AsArray()) h!["meta"]!.AsObject().Remove("collectedAt");
        return node.ToJsonString();
    }
}

/// <summary>artifacts/netsleuth/netsleuth, published again when a source file is newer.</summary>
internal static class NativeBinary
{
    private static readonly Lock Gate = new();

    public static string Ensure()
    {
        lock (Gate)
        {
            var root = RepoRoot();
            var bin = Path.Combine(root, "artifacts", "netsleuth", "netsleuth");
            var newest = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                .Append(Path.Combine(root, "Directory.Build.props"))
                .Max(File.GetLastWriteTimeUtc);
            if (!File.Exists(bin) || File.GetLastWriteTimeUtc(bin) < newest)
            {
                var r = Proc.Run(Path.Combine(root, "scripts", "publish-native"), [], timeout: TimeSpan.FromMinutes(10));
                Assert.True(r.Ok, "scripts/publish-native failed:\n" + r.Stdout + r.Stderr);
            }
            return bin;
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NetSleuth.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
