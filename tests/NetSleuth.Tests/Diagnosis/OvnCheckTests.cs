using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// faults.md #24–26 on snapshots collected from the peer-pods-ovn lab (Fixtures/ovn/lab-*, NOTE.md): each fault is the top
/// finding, with the logical switch port / tunnel as evidence and a fix the model verifies; the fix commands are the ones
/// the lab test (OvnFaultsLabTests) runs against the real OVN.
/// </summary>
public sealed class OvnCheckTests
{
    private static Snapshot Load(string fault) =>
        InputLoader.Load([.. new[] { "worker", "node2", "podvm" }.Select(h => $"{h}={Path.Combine(AppContext.BaseDirectory, "Fixtures", "ovn", "lab-" + fault, h + ".json")}")]);

    private static DiagnosisReport Diagnose(Snapshot s) => Diagnoser.Run(Linker.Link(s));

    [Fact]
    public void Given_a_port_security_that_did_not_follow_the_moved_MAC_Then_ovn_port_security_drop_sets_it_to_the_address()
    {
        var r = Diagnose(Load("port-security"));

        var top = r.Findings[0];
        Assert.Equal("ovn-port-security-drop", top.Id);
        Assert.Contains("allows only 0a:58:0a:84:02:2e, but the pod's frames carry 7e:e5:f7:e6:f5:1a", top.Title);
        Assert.Contains(top.Evidence, e => e.Kind == "ovn logical switch port" && e.Text.Contains("port_security [0a:58:0a:84:02:2e 198.18.2.46]"));
        Assert.Contains(top.Evidence, e => e.Kind == "ovs interface" && e.Text == "8b7266486ea2861 external_ids:iface-id=default_peerpod");
        var command = Assert.Single(Assert.Single(top.Fix).Commands);
        Assert.Equal("ovn-nbctl lsp-set-port-security default_peerpod '7e:e5:f7:e6:f5:1a 198.18.2.46'", command);
        Assert.Equal("worker", top.Fix[0].Host);
        Assert.Contains("OvsFlowDrop", top.Trace!.Disposition);
        // the what-if model runs the ovn-nbctl fix: the broken path comes back
        Assert.NotNull(top.Verification);
        Assert.True(top.Verification!.Restored > 0, top.Verification.ToString());
        Assert.Equal(0, top.Verification.Broke);
        Assert.DoesNotContain(r.Findings, f => f.Id == "unexplained-broken-path");
    }

    [Fact]
    public void Given_a_logical_port_without_addresses_Then_ovn_lsp_no_address_gives_it_the_MAC_that_answered()
    {
        var r = Diagnose(Load("missing-lsp-address"));

        var top = r.Findings[0];
        Assert.Equal("ovn-lsp-no-address", top.Id);
        Assert.Contains(top.Evidence, e => e.Text.StartsWith("default_peerpod: addresses []", StringComparison.Ordinal));
        var command = Assert.Single(Assert.Single(top.Fix).Commands);
        Assert.Matches(@"^ovn-nbctl --db=unix:/run/netsleuth/[a-z0-9]+/ovn/nb\.sock lsp-set-addresses default_peerpod '0a:58:0a:84:02:2e 198\.18\.2\.46'$", command);
        Assert.Contains("has no addresses", top.Trace!.Disposition);
        Assert.True(top.Verification!.Restored > 0, top.Verification.ToString());
        Assert.Equal(0, top.Verification.Broke);
    }

    [Fact]
    public void Given_a_chassis_whose_underlay_is_down_Then_ovn_tunnel_down_names_the_chassis_its_pods_and_the_link()
    {
        var r = Diagnose(Load("tunnel-down"));

        var top = r.Findings[0];
        Assert.Equal("ovn-tunnel-down", top.Id);
        Assert.Contains("tunnel ovn-node2-0 from worker to chassis node2 (203.0.113.2) is down", top.Title);
        Assert.Contains("198.18.4.10 (default_web)", top.Explanation);
        Assert.Contains(top.Evidence, e => e.Kind == "ovn chassis" && e.Text.StartsWith("node2 hostname node2: encap geneve 203.0.113.2", StringComparison.Ordinal));
        Assert.Contains(top.Evidence, e => e.Kind == "ovs interface" && e.Text.StartsWith("ovn-node2-0 type geneve options:remote_ip=203.0.113.2", StringComparison.Ordinal));
        var step = Assert.Single(top.Fix);
        Assert.Equal("node2", step.Host);
        Assert.Matches(@"^ip -n [a-z0-9]+-n2 link set dev eth1 up$", Assert.Single(step.Commands));
        // the same down link seen by link-down and from the other chassis is one finding
        Assert.Contains("link-down", top.AlsoSeenAs);
        Assert.Single(r.Findings, f => f.Id == "ovn-tunnel-down");
    }

    [Fact]
    public void Given_the_tunnel_when_BFD_says_it_is_down_and_the_underlay_works_Then_the_finding_rests_on_bfd_status()
    {
        var s = Load("tunnel-down");
        // the underlay repaired in the input, BFD still down on the worker's tunnel port
        var n2 = s.Hosts.Single(h => h.Name == "node2");
        var eth1 = n2.Namespaces.SelectMany(n => n.Links).Single(l => l.Name == "eth1");
        var wk = s.Hosts.Single(h => h.Name == "worker").Namespaces.SelectMany(n => n.Links).Single(l => l.Name == "eth1");
        foreach (var l in new[] { eth1, wk }) { l.Flags = ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]; l.OperState = "UP"; }
        Assert.DoesNotContain(Diagnose(s).Findings, f => f.Id == "ovn-tunnel-down");

        var tunnel = s.Hosts.Single(h => h.Name == "worker").Namespaces.Select(n => n.Ovs).OfType<OvsState>()
            .SelectMany(o => o.Bridges).SelectMany(b => b.Ports).SelectMany(p => p.Interfaces).Single(i => i.Name == "ovn-node2-0");
        tunnel.BfdStatus = new() { ["forwarding"] = "false", ["state"] = "down", ["remote_state"] = "down" };
        var f = Assert.Single(Diagnose(s).Findings, f => f.Id == "ovn-tunnel-down");
        Assert.Contains("BFD on it says so", f.Explanation);
        Assert.Contains("bfd_status {forwarding=false, remote_state=down, state=down}", f.Evidence[0].Text);
        Assert.Empty(f.Fix);
    }
}
