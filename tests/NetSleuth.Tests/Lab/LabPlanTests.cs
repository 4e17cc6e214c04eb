using NetSleuth.Lab;
using NetSleuth.Lab.Scenarios;

namespace NetSleuth.Tests.Lab;

/// <summary>What a lab plans (hosts, probes and their expected results) before anything is built; no root needed.</summary>
public sealed class LabPlanTests
{
    private static LabPlan Plan(string scenario, params string[] faults) =>
        LabCatalog.Find(scenario).Plan("nsl", new SortedSet<string>(faults));

    [Fact]
    public void Peer_pods_hosts_group_the_worker_and_pod_vm_namespaces_root_first()
    {
        var p = Plan("peer-pods");
        Assert.Equal(["worker", "podvm"], p.Hosts.Select(h => h.Name));
        Assert.Equal(["nsl-wk", "nsl-wkpod"], p.Hosts[0].Namespaces);
        Assert.Equal("nsl-wk", p.Hosts[0].RootNamespace);
        Assert.Null(p.Hosts[0].OvsDb);
        Assert.Equal("unix:/run/netsleuth/nsl/ovs/db.sock", Plan("peer-pods-ovs").Hosts[0].OvsDb);
    }

    [Fact]
    public void Healthy_labs_expect_every_probe_to_be_answered()
    {
        foreach (var s in LabCatalog.Scenarios)
            Assert.All(Plan(s.Name).Probes, p => Assert.True(p.ExpectSuccess, $"{s.Name} {p.Name}"));
    }

    [Fact]
    public void Mac_mismatch_breaks_the_pod_ping_but_not_when_arp_crosses_the_tunnel()
    {
        var broken = Plan("peer-pods", LabFaults.MacMismatch).Probes.Single(p => p.Name == "pod");
        Assert.False(broken.ExpectSuccess);
        Assert.Equal("nsl-wk", broken.Namespace);
        Assert.Equal(PeerPods.PodIp, broken.TargetIp);
        // faults.md #3: the negative control
        Assert.All(Plan("peer-pods", LabFaults.MacMismatch, LabFaults.MissingNeighbor).Probes, p => Assert.True(p.ExpectSuccess));
    }

    [Fact]
    public void Mtu_breaks_only_the_full_size_probe_with_df()
    {
        foreach (var s in new[] { "peer-pods", "bridge-pods" })
        {
            var probes = Plan(s, LabFaults.Mtu).Probes;
            Assert.All(probes.Where(p => !p.DontFragment), p => Assert.True(p.ExpectSuccess));
            Assert.Contains(probes, p => p.DontFragment && !p.ExpectSuccess);
        }
    }

    [Fact]
    public void Dangling_veth_adds_a_namespace_no_host_contains()
    {
        var p = Plan("bridge-pods", LabFaults.DanglingVeth);
        Assert.Equal(["nsl-stray"], p.ExtraNamespaces);
        Assert.DoesNotContain(p.Hosts, h => h.Namespaces.Contains("nsl-stray"));
    }

    [Fact]
    public void Faults_that_change_the_same_device_cannot_be_combined()
    {
        var e = Assert.Throws<LabException>(() =>
            LabCatalog.Find("peer-pods").CheckFaults(new SortedSet<string> { LabFaults.DanglingVeth, LabFaults.WrongMaster }));
        Assert.Contains("choose one", e.Message);
    }

    [Fact]
    public void Firewall_and_ovs_labs_ask_for_their_packages()
    {
        Assert.Equal("nftables", Plan("peer-pods", LabFaults.FirewallDrop).Tools["nft"]);
        Assert.Equal("iptables", Plan("bridge-pods", LabFaults.FirewallDrop).Tools["iptables"]);
        Assert.Equal("openvswitch-switch", Plan("peer-pods-ovs").Tools["ovs-vswitchd"]);
    }

    [Fact]
    public void Up_tips_give_the_probe_and_the_netsleuth_commands_shell_quoted()
    {
        var p = Plan("peer-pods", LabFaults.MacMismatch);
        var state = new LabState
        {
            Prefix = "nsl", Scenario = "peer-pods", Faults = [LabFaults.MacMismatch], Status = LabState.Up,
            Hosts = [.. p.Hosts], Probes = [.. p.Probes],
        };
        LabGolden.Check("up-peer-pods-mac-mismatch.txt", new LabInstance(state).Tips());
    }

    [Fact]
    public void State_file_json_round_trips()
    {
        var p = Plan("bridge-pods", LabFaults.RpFilter);
        var s = new LabState { Prefix = "nsl", Scenario = "bridge-pods", Faults = [LabFaults.RpFilter], Hosts = [.. p.Hosts], Probes = [.. p.Probes], Pid = 42 };
        var json = LabStateFile.Serialize(s);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, LabStateJsonContext.Default.LabState)!;
        Assert.Equal(LabStateFile.Serialize(back), json);
        Assert.Equal(["nsl-n1", "nsl-n1pod1", "nsl-n1pod2", "nsl-n1pod3"], back.Hosts[0].Namespaces);
        Assert.Equal(LabState.Building, back.Status);
    }
}
