using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// A bridge that floods a frame nobody behind it has the MAC of (the mission's fault on a worker with two
/// peer pods on br-int): every copy is carried by a tc redirect into a tunnel, so "carried on" does not tell
/// the ports apart. The trace follows the copy that reaches the holder of the next hop, and says so.
/// </summary>
public sealed class BridgeFloodTraceTests
{
    private static (Snapshot Snap, IPAddress PodIp, string Vm) SecondPeerPodWithWrongMac()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(2, 6, SynthStyle.PeerPods, Seed: 5)).GenerateAll();
        var vm = snap.Hosts.Single(h => h.Name == Addressing.VmName(0, 1));
        var vxlan0 = vm.FindNamespace("podns")!.Links.Single(l => l.Name == "vxlan0");
        vxlan0.Mac = MacAddress.Parse("7e:e5:f7:e6:f5:1a"); // the worker still resolves the pod IP to eth0's MAC
        return (snap, vxlan0.Addresses[0].Address, vm.Name);
    }

    [Fact]
    public void Given_two_peer_pods_on_br_int_When_the_second_ones_vm_has_another_mac_Then_the_trace_dies_at_that_vm_not_the_first()
    {
        var (snap, podIp, vm) = SecondPeerPodWithWrongMac();
        var t = Linker.Link(snap);

        var r = Tracer.Trace(t, new TraceRequest("node-0001", null, null, podIp));

        Assert.Equal(Disposition.DroppedOtherHost, r.Forward.Disposition);
        Assert.Equal($"{vm}:podns:vxlan0", r.Forward.At);
        var flood = r.Forward.Hops.SelectMany(h => h.Steps).OfType<BridgeStep>().Single(s => s.Bridge == "br-int");
        Assert.Contains($"which holds the next hop {podIp}", flood.Decision);
        Assert.Contains("every copy is dropped as another host's", flood.Decision);
    }

    [Fact]
    public void Given_the_same_cluster_healthy_When_traced_to_the_second_peer_pod_Then_it_is_delivered_through_its_own_vm()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(2, 6, SynthStyle.PeerPods, Seed: 5)).GenerateAll();
        var vm = snap.Hosts.Single(h => h.Name == Addressing.VmName(0, 1));
        var podIp = vm.FindNamespace("podns")!.Links.Single(l => l.Name == "vxlan0").Addresses[0].Address;

        var r = Tracer.Trace(Linker.Link(snap), new TraceRequest("node-0001", null, null, podIp));

        Assert.True(r.Forward.Delivered, r.Forward.Reason);
        Assert.Equal($"{vm}:podns", r.Forward.Hops[^1].Node);
    }

    [Fact]
    public void Given_the_wrong_mac_on_the_second_vm_When_diagnosed_Then_the_finding_names_the_device_the_trace_dies_at_by_identity()
    {
        var (snap, podIp, vm) = SecondPeerPodWithWrongMac();
        var t = Linker.Link(snap);
        var trace = Tracer.Trace(t, new TraceRequest("node-0001", null, null, podIp)).Forward;

        var report = NetSleuth.Diagnosis.Diagnoser.Run(t);

        var died = Assert.IsType<Place>(trace.AtPlace);
        var vxlan0 = t.FindDevice($"{vm}:podns:vxlan0")!;
        Assert.Equal((Place)vxlan0, died);
        var finding = Assert.Single(report.Findings, f => f.Devices.Contains(died));
        Assert.Equal("neighbor-mac-mismatch", finding.Id);
        Assert.Contains(finding.BrokenPaths, p => p.Contains(podIp.ToString()));
        // a device of the same name on another VM is another device
        var other = t.FindDevice($"{Addressing.VmName(0, 0)}:podns:vxlan0")!;
        Assert.NotEqual((Place)other, died);
        Assert.DoesNotContain(report.Findings, f => f.Devices.Contains(other));
    }
}
