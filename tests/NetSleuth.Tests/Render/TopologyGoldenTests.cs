using NetSleuth.Render;
using NetSleuth.Tests.Support;
using NetSleuth.Tests.Topology;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Render;

/// <summary>Every format's output on the mission's peer-pods model and a 20-pod node, fixed by goldens.</summary>
public sealed class TopologyGoldenTests
{
    private static TopologyView PeerPods(string? focus = null)
    {
        var t = Linker.Link(PeerPodsModel.Build());
        return TopologyView.Create(t, focus is null ? null : Focus.Select(t, focus));
    }

    private static TopologyView PodNode(string? focus)
    {
        var t = Linker.Link(PodNodeModel.Build());
        return TopologyView.Create(t, focus is null ? null : Focus.Select(t, focus));
    }

    [Fact]
    public void Given_the_peer_pods_model_when_rendered_as_text_then_it_matches_the_golden() =>
        Golden.Check("Topology/peer-pods.txt", TextTopologyRenderer.Render(PeerPods()));

    [Fact]
    public void Given_the_peer_pods_model_when_rendered_as_json_then_it_matches_the_golden() =>
        Golden.Check("Topology/peer-pods.json", JsonTopologyRenderer.Render(PeerPods()));

    [Fact]
    public void Given_the_peer_pods_model_when_rendered_as_dot_then_it_matches_the_golden() =>
        Golden.Check("Topology/peer-pods.dot", DotTopologyRenderer.Render(PeerPods()));

    [Fact]
    public void Given_the_peer_pods_model_when_rendered_as_mermaid_then_it_matches_the_golden() =>
        Golden.Check("Topology/peer-pods.mmd", MermaidTopologyRenderer.Render(PeerPods()));

    [Fact]
    public void Given_a_focus_on_the_pod_ip_when_rendered_then_text_and_dot_match_the_goldens()
    {
        Golden.Check("Topology/peer-pods-focus.txt", TextTopologyRenderer.Render(PeerPods("198.18.2.46")));
        Golden.Check("Topology/peer-pods-focus.dot", DotTopologyRenderer.Render(PeerPods("198.18.2.46")));
    }

    [Fact]
    public void Given_a_20_pod_node_and_a_focus_on_one_pod_when_rendered_then_text_dot_and_mermaid_match_the_goldens()
    {
        var v = PodNode("198.18.0.17");
        Golden.Check("Topology/pod-node-focus.txt", TextTopologyRenderer.Render(v));
        Golden.Check("Topology/pod-node-focus.dot", DotTopologyRenderer.Render(v));
        Golden.Check("Topology/pod-node-focus.mmd", MermaidTopologyRenderer.Render(v));
    }

    [Fact]
    public void Given_a_20_pod_node_without_focus_when_rendered_as_dot_then_it_matches_the_golden() =>
        Golden.Check("Topology/pod-node.dot", DotTopologyRenderer.Render(PodNode(null)));

    [Fact]
    public void Given_the_same_input_twice_when_rendered_then_every_format_is_identical()
    {
        foreach (var render in new Func<TopologyView, string>[] { TextTopologyRenderer.Render, JsonTopologyRenderer.Render, DotTopologyRenderer.Render, MermaidTopologyRenderer.Render })
            Assert.Equal(render(PodNode("198.18.0.17")), render(PodNode("198.18.0.17")));
    }

    [GraphvizFact]
    public void Given_every_dot_rendering_when_fed_to_graphviz_then_dot_accepts_it()
    {
        var views = new[] { PeerPods(), PeerPods("198.18.2.46"), PodNode(null), PodNode("198.18.0.17") };
        foreach (var v in views)
        {
            var svg = SvgTopologyRenderer.Render(v);
            Assert.Contains("<svg", svg);
            Assert.Contains("</svg>", svg);
            // every edge drawn once (dot 2.43 draws some flat edges twice: one <path> per edge expected)
            foreach (var group in svg.Split("<g id=\"edge").Skip(1))
            {
                var edge = group[..group.IndexOf("</g>", StringComparison.Ordinal)];
                Assert.True(edge.Split("<path").Length - 1 <= 1, "edge drawn more than once: " + edge[..Math.Min(200, edge.Length)]);
            }
        }
    }
}
