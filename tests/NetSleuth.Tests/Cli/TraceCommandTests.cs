using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Cli;

public sealed class TraceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netsleuth-trace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(bool macMismatch)
    {
        var path = Path.Combine(_dir, macMismatch ? "broken.json" : "fixed.json");
        File.WriteAllText(path, SnapshotJson.Serialize(PeerPodsModel.Build(macMismatch)));
        return path;
    }

    [Fact]
    public void Given_the_mission_fault_when_traced_then_exit_3_and_the_failing_step_is_marked()
    {
        var (code, output, _) = CliTests.Run("trace", Write(true), "--from", "worker", "--to", "198.18.2.46");

        Assert.Equal(3, code);
        Assert.Contains("✗", output);
        Assert.Contains("DroppedOtherHost at podvm:podns:vxlan0", output);
    }

    [Fact]
    public void Given_the_fixed_lab_when_traced_as_json_then_exit_0_and_both_legs_are_delivered()
    {
        var (code, output, _) = CliTests.Run("trace", Write(false), "--from", "worker", "--to", "198.18.2.46", "--format", "json");

        Assert.Equal(0, code);
        Assert.Equal(2, output.Split("\"disposition\": \"Delivered\"").Length - 1);
    }

    [Theory]
    [InlineData("--from", "nohost", "--to", "198.18.2.46")]
    [InlineData("--from", "worker:nons", "--to", "198.18.2.46")]
    [InlineData("--from", "worker", "--to", "not-an-ip")]
    [InlineData("--from", "worker", "--to", "198.18.2.46", "--proto", "tcp")]
    [InlineData("--to", "198.18.2.46")]
    public void Given_bad_usage_when_traced_then_exit_2_with_a_message(params string[] args)
    {
        var (code, _, err) = CliTests.Run(["trace", Write(true), .. args]);

        Assert.Equal(2, code);
        Assert.StartsWith("netsleuth: ", err);
    }

    [Fact]
    public void Given_a_uidrange_blackhole_rule_when_traced_with_and_without_uid_then_the_rule_decides_only_when_the_uid_is_given()
    {
        var snap = PeerPodsModel.Build(false);
        snap.Hosts.Single(h => h.Name == "worker").Root!.Rules.Add(new Rule { Priority = 100, UidRange = "1000-1000", Action = RouteTypes.Blackhole });
        var path = Path.Combine(_dir, "uid.json");
        File.WriteAllText(path, SnapshotJson.Serialize(snap));

        var (blocked, _, _) = CliTests.Run("trace", path, "--from", "worker", "--to", "198.18.2.46", "--uid", "1000");
        var (other, _, _) = CliTests.Run("trace", path, "--from", "worker", "--to", "198.18.2.46", "--uid", "0");
        var (unknown, output, _) = CliTests.Run("trace", path, "--from", "worker", "--to", "198.18.2.46");

        Assert.Equal(3, blocked);
        Assert.Equal(0, other);
        Assert.Equal(0, unknown);
        Assert.Contains("rule 100 (uidrange 1000-1000): could not decide", output);
    }
}
