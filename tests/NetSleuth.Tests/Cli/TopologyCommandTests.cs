using NetSleuth.Model;
using NetSleuth.Tests.Render;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Cli;

public sealed class TopologyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntop-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The peer-pods model written as two snapshot files, one per host, as `collect` writes them.</summary>
    private (string Worker, string PodVm) Inputs()
    {
        var snap = PeerPodsModel.Build();
        var paths = snap.Hosts.Select(h =>
        {
            var p = Path.Combine(_dir, h.Name + ".json");
            File.WriteAllText(p, SnapshotJson.Serialize(new Snapshot { Hosts = [h] }));
            return p;
        }).ToList();
        return (paths[0], paths[1]);
    }

    [Fact]
    public void Given_two_host_snapshots_when_topology_runs_then_the_text_tree_matches_the_library_golden()
    {
        var (w, p) = Inputs();

        var (code, output, err) = CliTests.Run("topology", w, p);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Golden.Check("Topology/peer-pods.txt", output);
    }

    [Fact]
    public void Given_format_and_output_options_when_topology_runs_then_the_file_holds_that_format()
    {
        var (w, p) = Inputs();
        var outFile = Path.Combine(_dir, "t.mmd");

        var (code, output, _) = CliTests.Run("topology", "--format", "mermaid", "-o", outFile, "--focus", "198.18.2.46", w, p);

        Assert.Equal(0, code);
        Assert.Equal("", output);
        var text = File.ReadAllText(outFile);
        Assert.StartsWith("flowchart TB\n  %% focus 198.18.2.46\n", text);
        Assert.DoesNotContain("mp0-br<", text.Replace("<b>mp0-br</b>", "KEPT")); // kept devices are drawn once
    }

    [GraphvizFact]
    public void Given_svg_format_when_topology_runs_then_graphviz_draws_it()
    {
        var (w, p) = Inputs();

        var (code, output, _) = CliTests.Run("topology", "--format", "svg", w, p);

        Assert.Equal(0, code);
        Assert.Contains("<svg", output);
        Assert.Contains("vxlan vni 555005 port 4789", output);
    }

    [Theory]
    [InlineData("--focus", "worker:nope", "--focus worker:nope: no such device")]
    [InlineData("--format", "png", "--format must be one of text, json, dot, svg, mermaid")]
    public void Given_bad_options_when_topology_runs_then_it_exits_2_naming_the_problem(string option, string value, string message)
    {
        var (w, p) = Inputs();

        var (code, _, err) = CliTests.Run("topology", option, value, w, p);

        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Given_a_200_pod_node_when_focused_on_one_pod_then_the_drawing_keeps_only_that_pod()
    {
        var file = Path.Combine(_dir, "node.json");
        File.WriteAllText(file, SnapshotJson.Serialize(NetSleuth.Tests.Topology.PodNodeModel.Build(pods: 200)));
        // NETSLEUTH_KEEP=DIR keeps the input (for timing the command: hyperfine 'netsleuth topology … DIR/pod-node-200.json')
        if (Environment.GetEnvironmentVariable("NETSLEUTH_KEEP") is { Length: > 0 } keep) File.Copy(file, Path.Combine(keep, "pod-node-200.json"), true);

        var (all, full, _) = CliTests.Run("topology", "--format", "dot", file);
        var (code, focused, _) = CliTests.Run("topology", "--format", "dot", "--focus", "198.18.0.150", file);

        Assert.Equal((0, 0), (all, code));
        Assert.Equal(201, full.Split("subgraph cluster_h0_n").Length - 1);
        var clusters = focused.Split('\n').SkipWhile(l => !l.Contains("subgraph cluster_h0 ")).TakeWhile(l => !l.Contains("subgraph cluster_h1 "))
            .Where(l => l.Contains("subgraph cluster_h0_n")).ToList();
        Assert.Equal(2, clusters.Count);
        Assert.Contains("label=\"netns pod-140\"", focused);
        Assert.Contains("\"node1/pod-140/eth0\" -> \"node1/root/veth140\"", focused);
        Assert.DoesNotContain("veth139", focused);
    }

    [Fact]
    public void Given_no_input_when_topology_runs_then_it_is_bad_usage()
    {
        var (code, _, err) = CliTests.Run("topology");

        Assert.Equal(2, code);
        Assert.Contains("no input given", err);
    }
}
