using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Tests.Support;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Render;

/// <summary>Gaps and conflicts in the evidence, as every format shows them: unresolved ends drawn as such.</summary>
public sealed class TopologyGapRenderTests
{
    private static TopologyView View(Snapshot s) => TopologyView.Create(Linker.Link(s));

    private static Snapshot OneTunnelEndMissing()
    {
        var snap = PeerPodsModel.Build();
        snap.Hosts.RemoveAt(1);
        return snap;
    }

    private static Snapshot BadLinkNetnsName(bool peerShown)
    {
        var snap = PeerPodsModel.Build();
        var eth0 = snap.Hosts[0].FindNamespace("wkpod")!.FindLink("eth0")!;
        eth0.LinkNamespace = null;
        eth0.LinkNetnsId = null;
        eth0.LinkNetnsName = "no-such-ns";
        if (!peerShown) snap.Hosts[0].Root!.Links.RemoveAll(l => l.Name == "8b7266486ea2861");
        return snap;
    }

    [Fact]
    public void Given_one_tunnel_end_missing_when_rendered_then_every_format_draws_the_far_end_as_unresolved()
    {
        var v = View(OneTunnelEndMissing());

        var dot = DotTopologyRenderer.Render(v);
        Assert.Matches("\"worker/wkpod/vxlan1\" -> q0 \\[style=dashed, color=\"#c62828\"", dot);
        Assert.Matches("q0 \\[shape=box, style=\"dashed,rounded\".*<b>\\?</b>.*198.51.100.201 is not an address of any", dot.Replace("<br/>", " "));
        var text = TextTopologyRenderer.Render(v);
        Assert.Contains("— tunnel (vxlan vni 555005 port 4789)  ? (unresolved: remote 198.51.100.201 is not an address of any host in the input)", text);
        Assert.Contains("assumptions and unresolved ends", text);
        var mermaid = MermaidTopologyRenderer.Render(v);
        Assert.Matches("q0\\{\\{\"\\?<br/>remote 198.51.100.201 is not an address", mermaid);
        Assert.Matches("d\\d+ -.->\\|\"vxlan vni 555005 port 4789\"\\| q0", mermaid);
        var json = JsonTopologyRenderer.Render(v);
        Assert.Contains("\"kind\": \"tunnel\",\n      \"from\": \"worker/wkpod/vxlan1\",\n      \"label\"", json);
    }

    [Fact]
    public void Given_a_bad_link_netns_name_with_the_peer_shown_when_rendered_then_the_pair_is_drawn_and_the_assumption_listed()
    {
        var v = View(BadLinkNetnsName(peerShown: true));

        var dot = DotTopologyRenderer.Render(v);
        Assert.Contains("\"worker/wkpod/eth0\" -> \"worker/root/8b7266486ea2861\" [dir=none, penwidth=2, color=\"#333333\", style=dashed]", dot);
        Assert.Contains("link-netns &#39;no-such-ns&#39;".Replace("&#39;", "'"), dot);
        Assert.Contains("matched worker:8b7266486ea2861 by the ifindex pair", TextTopologyRenderer.Render(v));
    }

    [Fact]
    public void Given_a_bad_link_netns_name_and_no_peer_when_rendered_then_a_question_node_names_the_reason_inside_the_host()
    {
        var v = View(BadLinkNetnsName(peerShown: false));

        var dot = DotTopologyRenderer.Render(v);
        var host = dot[dot.IndexOf("subgraph cluster_h0 ", StringComparison.Ordinal)..dot.IndexOf("subgraph cluster_h1 ", StringComparison.Ordinal)];
        Assert.Contains("q0 [shape=box", host);
        Assert.Contains("link-netns 'no-such-ns' names no namespace", dot.Replace("<br/>", " "));
        Assert.Contains("\"worker/wkpod/eth0\" -> q0", dot);
        Assert.Contains("— veth  ? (unresolved: unresolved veth peer: link-netns 'no-such-ns' names no namespace of host worker in the input)", TextTopologyRenderer.Render(v));
    }

    [Fact]
    public void Given_duplicate_ifindexes_in_different_namespaces_when_rendered_then_each_pair_is_drawn_to_its_own_peer()
    {
        var b = new HostBuilder("h");
        var a = b.Ns("a");
        var c = b.Ns("c");
        var (x, y) = b.Veth(b.Root, "va", "02:00:00:00:00:01", a, "eth0", "02:00:00:00:00:02");
        var (p, q) = b.Veth(b.Root, "vc", "02:00:00:00:00:03", c, "eth0", "02:00:00:00:00:04");
        y.Index = 7; q.Index = 7; x.LinkIndex = 7; p.LinkIndex = 7;

        var v = View(new Snapshot { Hosts = [b.Host] });

        var dot = DotTopologyRenderer.Render(v);
        Assert.Contains("\"h/a/eth0\" -> \"h/root/va\"", dot);
        Assert.Contains("\"h/c/eth0\" -> \"h/root/vc\"", dot);
        Assert.DoesNotContain(" -> q", dot);
        var text = TextTopologyRenderer.Render(v);
        Assert.Contains("    va  veth 02:00:00:00:00:01 mtu 1500\n      — veth  h:a:eth0\n", text);
        Assert.Contains("    vc  veth 02:00:00:00:00:03 mtu 1500\n      — veth  h:c:eth0\n", text);
    }

    [Fact]
    public void Given_a_vni_mismatch_when_rendered_then_the_tunnel_is_drawn_dashed_with_the_reason()
    {
        var v = View(PeerPodsModel.Build(farVni: 555006));

        var dot = DotTopologyRenderer.Render(v);
        Assert.Matches("\"worker/wkpod/vxlan1\" -> \"podvm/podns/vxlan0\" \\[dir=both, .*style=dashed\\]", dot);
        Assert.Contains("VNI 555006 ≠ 555005", dot);
    }
}
