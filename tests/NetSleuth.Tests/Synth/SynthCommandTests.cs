using NetSleuth.Synth;

namespace NetSleuth.Tests.Synth;

public sealed class SynthCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = NetSleuth.Cli.Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Given_sizes_and_a_directory_When_synth_runs_Then_it_writes_one_snapshot_per_host_and_the_fault_list()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "c");
        var (code, stdout, _) = Run("synth", "--nodes", "3", "--pods", "2", "--style", "peer-pods", "--peer-pods", "1", "--faults", "2", "-o", target);
        Assert.Equal(0, code);
        Assert.Contains("wrote 8 files (7 hosts", stdout, StringComparison.Ordinal);
        var names = Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["faults.json", "node-0001.json", "node-0002.json", "node-0003.json", "podvm-0001-1.json", "podvm-0002-1.json",
                      "podvm-0003-1.json", "underlay-router.json"], names);
        Assert.Equal(2, SynthWriter.ReadFaults(target).Faults.Count);
    }

    [Theory]
    [InlineData("--pods", "2")]
    [InlineData("--nodes", "2", "--pods", "2")]
    [InlineData("--nodes", "2", "--pods", "2", "--faults", "3", "-o", "x")]
    [InlineData("--nodes", "0", "--pods", "2", "-o", "x")]
    [InlineData("--nodes", "2", "--pods", "2", "--style", "calico", "-o", "x")]
    public void Given_bad_usage_When_synth_runs_Then_it_exits_2_with_one_message(params string[] args)
    {
        var (code, _, stderr) = Run(["synth", .. args]);
        Assert.Equal(2, code);
        Assert.StartsWith("netsleuth: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_directory_with_files_When_synth_runs_Then_it_refuses_to_mix_clusters()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "old.json"), "{}");
        var (code, _, stderr) = Run("synth", "--nodes", "1", "--pods", "1", "-o", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("not empty", stderr, StringComparison.Ordinal);
    }
}
