using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Tests.Import;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.WhatIf;

/// <summary>
/// The counterfactual search on the lab faults (Fixtures/lab: live collects of `lab up SCENARIO --fault FAULT`, see the
/// NOTE there), with the checks that explain the probe's failing path switched off: the search must still propose a
/// fix that restores it, and that fix must be the kind an operator would write for the fault.
/// </summary>
public sealed class LabCounterfactualTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string Dir = ImportTestKit.Fixture("lab");

    private static Snapshot Load(string name) => SnapshotJson.Load(Path.Combine(Dir, name + ".json"));

    private static (NetNamespace Ns, Link Link) Find(Snapshot s, string host, Func<Link, bool> match)
    {
        foreach (var ns in s.Hosts.Single(h => h.Name == host).Namespaces)
            foreach (var l in ns.Links)
                if (match(l)) return (ns, l);
        throw new InvalidOperationException("no such link on " + host);
    }

    [Fact]
    public void Given_a_pod_eth0_down_When_set_up_Then_the_bridge_port_of_its_veth_peer_forwards_again_and_the_path_works()
    {
        // peer-pods link-down: the pod's eth0 is down; its peer on br-int (a Linux bridge) has NO-CARRIER and the kernel
        // shows the port "disabled". `ip link set eth0 up` gives the peer its carrier back, and br_port_carrier_check
        // enables the port: the model must do the same, or the fix "restores nothing".
        var s = Load("peer-pods.link-down");
        var (podNs, eth0) = Find(s, "worker", l => l.Name == "eth0" && !l.IsUp);
        var (_, port) = Find(s, "worker", l => l.IsVeth && l.Master == "br-int" && l.BridgePort?.State == "disabled");
        var script = CommandInterpreter.Read($"worker: ip -n {podNs.Name} link set dev eth0 up", "fix.sh", s);
        var copy = ModelCopy.Apply(s, script).Result;
        var after = Find(copy, "worker", l => l.Name == port.Name).Link;
        Assert.Equal("forwarding", after.BridgePort!.State);
        Assert.True(after.HasCarrier);
        var t = Linker.Link(copy);
        var r = Tracer.Trace(t, new TraceRequest("worker", null, null, System.Net.IPAddress.Parse("198.18.2.46")));
        Assert.True(r.Forward.Delivered, r.Forward.Disposition.ToString());
        // and down again: the peer loses its carrier, the port is disabled
        var down = ModelCopy.Apply(copy, CommandInterpreter.Read($"worker: ip -n {podNs.Name} link set dev eth0 down", "fix.sh", copy)).Result;
        var again = Find(down, "worker", l => l.Name == port.Name).Link;
        Assert.Equal("disabled", again.BridgePort!.State);
        Assert.False(again.HasCarrier);
        Assert.Equal("disabled", Find(s, "worker", l => l.Name == port.Name).Link.BridgePort!.State); // the input is untouched
        _ = eth0;
    }

    /// <summary>Lab faults the search must restore with its checks off, and a word the best fix must contain (the kind of
    /// fix an operator writes for the fault, not a detour).</summary>
    [Theory]
    [InlineData("peer-pods/link-down", "link set dev eth0 up")]
    [InlineData("bridge-pods/link-down", "link set dev r-n2 up")] // the veth peer is on another lab host (node2's eth1)
    [InlineData("peer-pods/underlay-no-route", "route replace 198.51.100.0/24 dev ens3 proto kernel scope link src ")]
    [InlineData("peer-pods-ovs/underlay-no-route", "route replace 198.51.100.0/24 dev ens3 proto kernel scope link src ")]
    [InlineData("bridge-pods/no-route", "via 203.0.113.17 dev eth1")] // the router's end of node2's veth
    [InlineData("peer-pods/missing-redirect", "filter add dev vxlan1 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0")]
    [InlineData("peer-pods-ovs/missing-redirect", "filter add dev vxlan1 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0")]
    [InlineData("peer-pods/dangling-veth", "type veth peer name eth0 mtu 1400 netns ")]
    [InlineData("peer-pods-ovs/dangling-veth", "ovs-vsctl --may-exist add-port br-int veth")]
    [InlineData("flannel/wrong-remote", "fdb replace 02:00:5e:f1:00:02 dev flannel.1 dst 198.51.100.2 self permanent")]
    // the remote set to the worker's underlay address (the peer's address in its underlay namespace, not the pod's), and
    // the default FDB entry moved with it as vxlan_changelink does
    [InlineData("peer-pods/wrong-remote", "link set dev vxlan0 type vxlan remote 198.51.100.163")]
    [InlineData("peer-pods-ovs/wrong-remote", "link set dev vxlan0 type vxlan remote 198.51.100.163")]
    public void Given_a_lab_fault_with_its_checks_off_When_searched_Then_a_candidate_restores_the_probe_path(string only, string expect)
    {
        var lines = new List<string>();
        var row = CounterfactualMeasure.RunLab(Dir, TimeSpan.FromSeconds(60), 200, only, lines.Add).Single();
        output.WriteLine(row.Row());
        Assert.NotEmpty(row.Skipped);
        Assert.True(row.BrokenPaths > 0, "no unexplained path with the checks off");
        Assert.True(row.Found, row.Row() + "\n" + string.Join("\n", lines));
        Assert.Equal(0, row.Best!.Result.Broke);
        Assert.Contains(expect, string.Join(" && ", row.Best.Fix.SelectMany(s => s.Commands)), StringComparison.Ordinal);
    }
}
