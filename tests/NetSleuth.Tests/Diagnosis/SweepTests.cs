using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// What the reachability sweep traces and how a broken or undecided path always ends in a finding: the
/// pods' own ways out, a bridge that never floods to a down port, and too little input said as such.
/// </summary>
public sealed class SweepTests
{
    private const string WrongMac = "02:00:5e:10:00:99";

    /// <summary>node1's veth-pod1 (a port of br0) set down, as `ip link set veth-pod1 down` leaves it.</summary>
    private static void PortDown(RoutedModel m, int pod)
    {
        var port = m.Node1.Root.Links.Single(l => l.Name == $"veth-pod{pod}");
        port.Flags = ["BROADCAST", "MULTICAST"];
        port.OperState = "DOWN";
        port.BridgePort = new BridgePortInfo { State = "disabled" };
        var eth0 = m.Node1.Ns($"pod{pod}").Links.Single(l => l.Name == "eth0");
        eth0.Flags = ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"];
        eth0.OperState = "LOWERLAYERDOWN";
    }

    [Fact]
    public void Given_a_down_bridge_port_and_a_wrong_neighbour_in_another_pod_when_traced_then_the_bridge_never_floods_to_the_down_port()
    {
        var m = new RoutedModel(pods: 3);
        PortDown(m, 1);
        m.Node1.Neigh(m.Node1.Ns("pod2"), "198.18.10.1", "eth0", WrongMac);

        var t = Tracer.Trace(Linker.Link(m.Snapshot), new TraceRequest("node1", null, null, IPAddress.Parse("198.18.10.12")));

        Assert.True(t.Forward.Delivered);
        var reply = Assert.IsType<Trace>(t.Reply);
        Assert.False(reply.Delivered);
        Assert.Equal(Disposition.DroppedOtherHost, reply.Disposition);
        var steps = reply.Hops.SelectMany(h => h.Steps).Select(s => s.Text).ToList();
        Assert.DoesNotContain(steps, s => s.Contains("veth-pod1", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Contains("flood", StringComparison.Ordinal) && s.Contains("veth-pod3", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_down_bridge_port_and_a_wrong_neighbour_in_another_pod_when_diagnosed_then_the_broken_path_is_the_neighbours_not_the_down_ports()
    {
        var m = new RoutedModel(pods: 3);
        PortDown(m, 1);
        m.Node1.Neigh(m.Node1.Ns("pod2"), "198.18.10.1", "eth0", WrongMac);

        var r = Diag.Run(m.Snapshot);

        var neighbour = Assert.Single(r.Findings, f => f.Id == "neighbor-wrong-mac");
        Assert.Contains("node1 → 198.18.10.12 (reply)", neighbour.BrokenPaths);
        Assert.DoesNotContain(r.Findings.Where(f => f != neighbour), f => f.BrokenPaths.Any(p => p.Contains("198.18.10.12", StringComparison.Ordinal)));
        Assert.True(r.ProblemFound);
    }

    [Fact]
    public void Given_a_path_broken_by_a_fault_only_worth_a_warning_when_diagnosed_then_the_problem_is_still_found()
    {
        // a stale (not permanent) wrong entry is a warning: the kernel re-resolves it in time; the path is broken now
        var m = new RoutedModel();
        m.Node1.Neigh(m.Node1.Ns("pod2"), "198.18.10.1", "eth0", WrongMac, state: "STALE");

        var r = Diag.Run(m.Snapshot);

        var f = Assert.Single(r.Findings, f => f.Id == "neighbor-wrong-mac");
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.NotEmpty(f.BrokenPaths);
        Assert.False(r.HasErrors);
        Assert.True(r.PathsBroken > 0);
        Assert.True(r.ProblemFound); // what `diagnose` exits 3 for
    }

    [Fact]
    public void Given_the_healthy_routed_topology_when_swept_then_the_pods_ways_out_are_traced_and_none_is_broken()
    {
        var r = Diag.Run(new RoutedModel().Snapshot);

        // node1 → each pod (2), each pod → node1's own address on eth1 (2), the first pod → its gateway on br0 (1)
        Assert.Equal(5, r.PathsChecked);
        Assert.Equal(0, r.PathsBroken);
        Assert.Equal(0, r.PathsUndecided);
        Assert.False(r.ProblemFound);
    }

    [Fact]
    public void Given_a_pod_without_a_default_route_when_diagnosed_then_its_way_out_is_a_broken_path_with_a_finding()
    {
        var m = new RoutedModel();
        m.Node1.Ns("pod1").Routes.RemoveAll(x => x.Destination.IsDefault);

        var r = Diag.Run(m.Snapshot);

        Assert.True(r.ProblemFound);
        Assert.Equal(1, r.PathsBroken);
        var f = Assert.Single(r.Findings, f => f.BrokenPaths.Contains("node1:pod1 → 203.0.113.1 (node)"));
        Assert.Equal(Severity.Error, f.Severity);
        Assert.DoesNotContain("No problems found", DiagnosisText.Render(r));
    }

    [Fact]
    public void Given_a_pod_without_a_default_route_when_one_path_is_asked_for_then_it_ends_in_a_finding_for_that_path()
    {
        var m = new RoutedModel();
        m.Node1.Ns("pod1").Routes.RemoveAll(x => x.Destination.IsDefault);

        var r = Diagnoser.Run(Linker.Link(m.Snapshot), new Reachability.Request("node1", "pod1", IPAddress.Parse("203.0.113.18")));

        Assert.Equal(1, r.PathsBroken);
        var f = Assert.Single(r.Findings, f => f.BrokenPaths.Contains("node1:pod1 → 203.0.113.18"));
        Assert.Equal("unexplained-broken-path", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("no route", f.Title, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(f.Trace);
    }

    [Fact]
    public void Given_the_nodes_routes_are_not_in_the_input_when_diagnosed_then_the_report_names_the_command_to_run_there()
    {
        var m = new RoutedModel();
        m.Node1.Root.Routes.Clear();
        m.Node1.Root.Known.Remove(Sections.Routes4);
        m.Node1.Root.Known.Remove(Sections.AllTables);

        var r = Diag.Run(m.Snapshot);

        Assert.True(r.PathsUndecided > 0);
        var f = Assert.Single(r.Findings, f => f.Id == "path-undecided" && f.Decide.Any(d => d.Host == "node1" && d.Command == "ip route show table all"));
        Assert.Null(f.Decide.Single().Namespace);
        Assert.DoesNotContain("No problems found", DiagnosisText.Render(r));
    }

    [Fact]
    public void Given_hosts_without_pod_namespaces_when_diagnosed_then_the_report_says_nothing_could_be_traced_and_what_to_collect()
    {
        var s = new RoutedModel().Snapshot;
        s.Hosts[0].Namespaces.RemoveAll(n => !n.IsRoot);

        var r = Diag.Run(s);

        Assert.Equal(0, r.PathsChecked);
        var f = Assert.Single(r.Findings, f => f.Id == "nothing-traced");
        Assert.Contains(f.Decide, d => d.Host == "node1" && d.Command.Contains("ip -all netns exec", StringComparison.Ordinal));
        Assert.DoesNotContain("No problems found", DiagnosisText.Render(r));
    }
}
