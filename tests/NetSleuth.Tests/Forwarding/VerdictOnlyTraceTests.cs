using NetSleuth.Forwarding;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// The diagnosis sweep walks paths without recording steps and records only the ones that fail; that is
/// only right if recording never changes a decision. Every pod path of generated clusters with every
/// fault kind placed is walked both ways and the verdicts compared.
/// </summary>
public sealed class VerdictOnlyTraceTests
{
    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_every_pod_path_of_a_faulty_cluster_When_walked_without_steps_Then_the_verdicts_equal_the_full_trace(SynthStyle style)
    {
        var probe = new SynthOptions(16, 4, style, Seed: 3);
        var (snap, _) = new ClusterGenerator(probe with { Faults = ClusterGenerator.FaultNames(probe).Count }).GenerateAll();
        var t = Linker.Link(snap);
        int failing = 0, paths = 0;
        foreach (var host in snap.Hosts)
        foreach (var ns in host.Namespaces.Where(n => !n.IsRoot))
        foreach (var a in ns.Links.Where(l => !l.IsLoopback).SelectMany(l => l.Addresses).Where(a => a.Prefix.IsV4))
        {
            var req = new TraceRequest(host.Name, null, null, a.Address);
            var full = Tracer.Trace(t, req);
            var quick = Tracer.Verdict(t, req);
            paths++;
            Assert.Equal((full.Forward.Disposition, full.Forward.At, full.Forward.Reason), (quick.Forward.Disposition, quick.Forward.At, quick.Forward.Reason));
            Assert.Equal(full.Reply?.Disposition, quick.Reply?.Disposition);
            Assert.Empty(quick.Forward.Hops);
            if (!full.Forward.Delivered || full.Reply is { Delivered: false }) failing++;
        }
        Assert.True(paths > 60, $"only {paths} paths");
        Assert.True(failing > 0, "the placed faults break no path: the comparison proves little");
    }
}
