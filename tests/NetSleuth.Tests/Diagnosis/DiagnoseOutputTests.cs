using NetSleuth.Cli;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>Golden files for the text and JSON output, and the command line's exit codes.</summary>
public sealed class DiagnoseOutputTests
{
    [Fact]
    public void Given_the_mission_fault_when_rendered_as_text_then_it_matches_the_golden()
    {
        DiagnosisGolden.Check("mission.txt", DiagnosisText.Render(Diag.Run(PeerPodsModel.Build())));
    }

    [Fact]
    public void Given_the_mission_fault_when_rendered_as_json_then_it_matches_the_golden()
    {
        var json = DiagnosisJson.Render(Diag.Run(PeerPodsModel.Build()));

        DiagnosisGolden.Check("mission.json", json);
        Assert.Contains("\"id\": \"neighbor-mac-mismatch\"", json);
        Assert.Contains("\"severity\": \"error\"", json);
    }

    [Fact]
    public void Given_a_vni_mismatch_when_rendered_then_it_matches_the_golden()
    {
        DiagnosisGolden.Check("vni-mismatch.txt", DiagnosisText.Render(Diag.Run(PeerPodsModel.Build(macMismatch: false, farVni: 555006))));
    }

    [Fact]
    public void Given_only_the_worker_when_rendered_then_the_note_says_what_would_decide()
    {
        var s = PeerPodsModel.Build();
        s.Hosts.RemoveAt(1);
        DiagnosisGolden.Check("worker-only.txt", DiagnosisText.Render(Diag.Run(s)));
    }

    [Fact]
    public void Given_the_healthy_lab_when_rendered_then_it_says_no_problems()
    {
        var text = DiagnosisText.Render(Diag.Run(PeerPodsModel.Build(macMismatch: false)));

        DiagnosisGolden.Check("healthy.txt", text);
        Assert.Contains("No problems found.", text);
    }

    [Fact]
    public void Given_snapshot_files_when_diagnose_runs_then_exit_code_3_on_error_and_0_when_healthy()
    {
        var dir = Directory.CreateTempSubdirectory("ndg-cli-");
        try
        {
            var broken = Write(dir.FullName, "broken", PeerPodsModel.Build());
            var healthy = Write(dir.FullName, "healthy", PeerPodsModel.Build(macMismatch: false));
            var (code, stdout, _) = Run("diagnose", broken);
            Assert.Equal(3, code);
            Assert.Contains("ERROR neighbor-mac-mismatch", stdout);
            Assert.Contains("ip -n podns link set dev vxlan0 address 0a:58:0a:84:02:2e", stdout);

            (code, stdout, _) = Run("diagnose", healthy, "--format", "json");
            Assert.Equal(0, code);
            Assert.Contains("\"findings\": []", stdout);

            (code, stdout, _) = Run("diagnose", broken, "--from", "worker", "--to", "198.18.2.46");
            Assert.Equal(3, code);
            Assert.Contains("Broken paths: worker → 198.18.2.46", stdout);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Given_bad_usage_when_diagnose_runs_then_exit_code_2_with_one_line()
    {
        var (code, _, stderr) = Run("diagnose", "/nonexistent/ndg.json");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/ndg.json: no such file or directory", stderr);

        (code, _, stderr) = Run("diagnose", "x.json", "--to", "198.18.2.46");
        Assert.Equal(2, code);
        Assert.Contains("--to needs --from", stderr);
    }

    private static string Write(string dir, string name, Snapshot s)
    {
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, SnapshotJson.Serialize(s));
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
