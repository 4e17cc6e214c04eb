using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Render;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Forwarding;

/// <summary>Golden text and JSON of traces (NETSLEUTH_ACCEPT=1 rewrites them).</summary>
public sealed class TraceGoldenTests
{
    private static TraceResult PeerPods(bool macMismatch) =>
        Tracer.Trace(NetSleuth.Topology.Linker.Link(PeerPodsModel.Build(macMismatch)),
            new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")));

    [Fact]
    public void Given_the_mission_fault_when_rendered_then_text_and_json_match_the_goldens()
    {
        var r = PeerPods(macMismatch: true);

        Golden.Check("Forwarding/peer-pods-mac-mismatch.txt", TraceText.Render(r));
        Golden.Check("Forwarding/peer-pods-mac-mismatch.json", TraceJson.Serialize(r));
    }

    [Fact]
    public void Given_the_healthy_peer_pods_when_rendered_then_text_and_json_match_the_goldens()
    {
        var r = PeerPods(macMismatch: false);

        Golden.Check("Forwarding/peer-pods-healthy.txt", TraceText.Render(r));
        Golden.Check("Forwarding/peer-pods-healthy.json", TraceJson.Serialize(r));
    }

    [Fact]
    public void Given_a_firewalled_router_when_rendered_then_the_text_matches_the_golden()
    {
        var m = new RouterModel();
        RouterModel.Iptables(m.R, "filter", new() { ["FORWARD"] = "DROP" }, "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT");

        Golden.Check("Forwarding/router-policy-drop.txt", TraceText.Render(m.Trace()));
    }

    [Fact]
    public void Given_a_trace_when_serialized_then_steps_carry_their_kind_and_the_disposition_is_a_name()
    {
        var json = TraceJson.Serialize(PeerPods(macMismatch: true));

        Assert.Contains("\"step\": \"tcRedirect\"", json);
        Assert.Contains("\"disposition\": \"DroppedOtherHost\"", json);
        Assert.Contains("\"text\": ", json);
    }
}
