using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// br-int on snapshots collected from the peer-pods-ovn lab with the port-security fault (Fixtures/ovn/lab-port-security:
/// the pod's LSP addresses moved to 7e:e5:f7:e6:f5:1a, its port_security still 0a:58:0a:84:02:2e; the kernel's ping fails):
/// with OVN's logical switch ports in the input the tracer runs port security, without them it assumes NORMAL and says so.
/// </summary>
public sealed class OvnBrIntTraceTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ovn", "lab-port-security");

    private static Snapshot Load() =>
        InputLoader.Load([.. new[] { "worker", "node2", "podvm" }.Select(h => $"{h}={Path.Combine(Dir, h + ".json")}")]);

    private static TraceResult TracePod(Snapshot s) =>
        Tracer.Trace(Linker.Link(s), new TraceRequest("worker", null, null, IPAddress.Parse("198.18.2.46")));

    [Fact]
    public void Given_the_logical_ports_When_traced_Then_port_security_drops_the_frame_to_the_moved_MAC_at_the_pods_port()
    {
        var r = TracePod(Load());

        Assert.Equal(Disposition.OvsFlowDrop, r.Forward.Disposition);
        Assert.Contains("OVN port security of default_peerpod", r.Forward.Reason);
        Assert.Contains("drops frames to 7e:e5:f7:e6:f5:1a (it allows 0a:58:0a:84:02:2e)", r.Forward.Reason);
        var steps = string.Join('\n', r.Forward.Hops.SelectMany(h => h.Steps).Select(s => s.Text));
        Assert.Contains("learnt from OVN's ARP responder on br-int, which answers with 7e:e5:f7:e6:f5:1a (logical switch port default_peerpod)", steps);
        Assert.DoesNotContain(r.Forward.Assumptions, a => a.Contains("NORMAL", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_no_logical_ports_When_traced_Then_br_int_is_assumed_NORMAL_and_the_trace_says_so()
    {
        var s = Load();
        foreach (var h in s.Hosts) foreach (var ns in h.Namespaces) ns.Ovn = null;

        var r = TracePod(s);

        Assert.NotEqual(Disposition.OvsFlowDrop, r.Forward.Disposition);
        Assert.Contains(r.Forward.Assumptions, a => a.Contains("assumed to forward like the NORMAL action", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_an_ARP_for_a_pod_with_no_neighbour_entry_When_traced_Then_OVNs_responder_answers_with_the_LSP_MAC()
    {
        var s = Load();
        var wk = s.Hosts.Single(h => h.Name == "worker").Root!;
        wk.Neighbors.RemoveAll(n => n.Address.Equals(IPAddress.Parse("198.18.2.46")));

        var r = TracePod(s);

        var arp = r.Forward.Hops.SelectMany(h => h.Steps).OfType<ArpStep>().Single();
        Assert.Equal(MacAddress.Parse("7e:e5:f7:e6:f5:1a"), arp.Mac);
        Assert.Equal("OVN's ARP responder on br-int", arp.AnsweredBy);
        Assert.Equal(Disposition.OvsFlowDrop, r.Forward.Disposition);
    }
}
