using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Probe;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// Disagreements `netsleuth lab fuzz` found between the tracer and the kernel, each from the live collect of its
/// shrunk lab (Fixtures/fuzz, NOTE.md): the trace must end as the kernel's kfree_skb said.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static TraceResult Trace(string dir, string host, string? ns, string to, int size = 84) =>
        Tracer.Trace(NetSleuth.Topology.Linker.Link(InputLoader.Load([Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", dir)])),
            new TraceRequest(host, ns, null, IPAddress.Parse(to)) { Size = size, DontFragment = true });

    [Fact]
    public void Given_forwarding_off_and_no_route_when_a_packet_for_another_host_arrives_then_it_is_not_forwarded_as_the_kernel_counts_it()
    {
        // kernel: kfree_skb IP_INADDRERRORS after vx0 (ip_error): with forwarding off the failed lookup is EHOSTUNREACH
        var r = Trace("seed-13-probe-0", "h1", "fz-h1p2", "10.12.0.99", 1320);

        Assert.Equal(Disposition.ForwardingDisabled, r.Forward.Disposition);
        Assert.Equal("h2:vx0", r.Forward.At);
        Assert.True(DropReasons.Matches(r.Forward.Disposition, "IP_INADDRERRORS"));
    }
}
