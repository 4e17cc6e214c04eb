using NetSleuth.Forwarding;
using NetSleuth.Lab;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Forwarding;

/// <summary>
/// The tracer across flannel-style VXLAN (flannel.1 with no remote: FDB entry + permanent neighbour +
/// onlink route per peer) against the kernel: pod on node1 pings pod on node2, healthy and with the
/// tunnel faults; the trace must give the kernel's verdict and stop where the counters show.
/// </summary>
public sealed class FlannelTraceTests(ITestOutputHelper output) : TraceVsKernelTests(output)
{
    protected override string PrefixStem => "nsfl";

    private static readonly Dictionary<string, Case> Cases = new[]
    {
        new Case("", "pod-pod", null, null, null,
            new Evidence("n2", "dev/flannel.1/rx", true), new Evidence("n2pod", "Icmp.InEchos", true)),
        // the far kernel finds no device for the VNI: the UDP arrives on n2's eth0, nothing on flannel.1
        new Case(LabFaults.VniMismatch, "pod-pod", "forward", Disposition.TunnelMismatch, "node2",
            new Evidence("n2", "dev/eth0/rx", true), new Evidence("n2", "dev/flannel.1/rx", false), new Evidence("n2pod", "Icmp.InEchos", false)),
        // nothing listens on the port on n2: ICMP port unreachable
        new Case(LabFaults.PortMismatch, "pod-pod", "forward", Disposition.NoTunnelEnd, "node2",
            new Evidence("n2", "Icmp.OutDestUnreachs", true), new Evidence("n2", "dev/flannel.1/rx", false)),
        // the FDB dst nobody owns: n1 ARPs for it on the underlay and gets no answer
        new Case(LabFaults.WrongRemote, "pod-pod", "forward", Disposition.NeighborUnreachable, "node1:-:eth0",
            new Evidence("n1", "dev/flannel.1/tx", true), new Evidence("n2", "dev/flannel.1/rx", false), new Evidence("n2pod", "Icmp.InEchos", false)),
        // a permanent neighbour with a MAC the FDB has no entry for: flannel.1 drops the frame (tx_dropped), nothing is encapsulated
        new Case(LabFaults.StaleNeighbor, "pod-pod", "forward", Disposition.NoTunnelEnd, "node1:-:flannel.1",
            new Evidence("n1", "dev/flannel.1/tx", false), new Evidence("n2", "dev/eth0/rx", false), new Evidence("n2pod", "Icmp.InEchos", false)),
        // no permanent neighbour for the peer's flannel.1 address: the ARP request has nowhere to go (no all-zeros FDB entry)
        new Case(LabFaults.MissingNeighbor, "pod-pod", "forward", Disposition.NeighborUnreachable, "node1:-:flannel.1",
            new Evidence("n2", "dev/eth0/rx", false), new Evidence("n2pod", "Icmp.InEchos", false)),
    }.ToDictionary(c => c.Fault);

    public static TheoryData<string> Data => new(Cases.Keys);

    [Theory, MemberData(nameof(Data))]
    public void Given_flannel_when_pinged_and_traced_then_the_trace_agrees_with_the_kernel(string fault) =>
        Check("flannel", Cases[fault]);
}
