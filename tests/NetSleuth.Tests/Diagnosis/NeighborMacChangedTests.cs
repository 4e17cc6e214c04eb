using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Tests.Import;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// Issue 21 item 3 in one namespace: one neighbour entry read more than once with different MACs (a VIP that
/// moved between nodes, Fixtures/transcripts/vip-failover captured in lab namespaces). Both readings are kept with
/// their lines; lookups use the latest and say so; neighbor-mac-changed names both, which one the table holds now,
/// and the fix to the owner's MAC when the input has the owner.
/// </summary>
public sealed class NeighborMacChangedTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "transcripts", "vip-failover");
    private static readonly IPAddress Vip = IPAddress.Parse("10.0.2.120");
    private const string Node1Mac = "ae:ae:5f:d8:ee:40", Node2Mac = "36:7e:ec:3c:0b:f5";

    private static Snapshot Load(params string[] hosts) =>
        InputLoader.Load(hosts.Select(h => $"{h}={Path.Combine(Dir, h + ".txt")}").ToList());

    [Fact]
    public void Given_arp_read_twice_with_two_macs_When_imported_Then_the_entry_is_the_latest_and_keeps_the_earlier_reading_with_its_line()
    {
        var snap = Load("client");
        var n = Assert.Single(snap.Hosts.Single().Root!.Neighbors, x => x.Address.Equals(Vip));
        Assert.Equal(Node1Mac, n.Mac.ToString());
        Assert.Equal(26, n.Source!.Line);
        var earlier = Assert.Single(n.EarlierReadings);
        Assert.Equal(Node2Mac, earlier.Mac.ToString());
        Assert.Equal(9, earlier.Source!.Line);
        Assert.EndsWith("client.txt", earlier.Source.File);
        // the import says so too, with both lines
        Assert.Contains(snap.Hosts.Single().Warnings.Concat(snap.Warnings), w => w.Message.Contains(Node2Mac) && w.Message.Contains("client.txt:9"));
    }

    [Fact]
    public void Given_the_readings_When_saved_as_a_snapshot_and_read_back_Then_the_earlier_reading_is_kept()
    {
        var snap = Load("client");
        var back = SnapshotJson.Deserialize(SnapshotJson.Serialize(snap), "snap.json");
        var n = Assert.Single(back.Hosts.Single().Root!.Neighbors, x => x.Address.Equals(Vip));
        Assert.Equal(Node2Mac, Assert.Single(n.EarlierReadings).Mac.ToString());
        Assert.Equal(9, n.EarlierReadings[0].Source!.Line);
    }

    [Fact]
    public void Given_the_owner_in_the_input_When_diagnosed_Then_the_finding_names_both_readings_the_current_one_and_the_fix()
    {
        var r = Diagnoser.Run(NetSleuth.Topology.Linker.Link(Load("client", "node1", "node2")));

        var f = r.Findings[0];
        Assert.Equal("neighbor-mac-changed", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        var lines = f.Evidence.Where(e => e.Kind == "neighbour").Select(e => (e.Text, e.Source!.Line)).ToList();
        Assert.Contains(lines, e => e.Text.Contains(Node2Mac) && e.Line == 9);
        Assert.Contains(lines, e => e.Text.Contains(Node1Mac) && e.Line == 26);
        Assert.Contains($"holds {Node1Mac} now", f.Explanation);
        Assert.Contains($"node2:eth0 owns 10.0.2.120 and has MAC {Node2Mac}", f.Explanation);
        var step = Assert.Single(f.Fix);
        Assert.Equal("client", step.Host);
        Assert.Equal([$"ip neigh replace 10.0.2.120 lladdr {Node2Mac} dev eth0 nud reachable"], step.Commands);
        Assert.Contains("node1:eth0", step.Note);
    }

    [Fact]
    public void Given_no_owner_in_the_input_When_diagnosed_Then_the_finding_says_what_would_decide_and_proposes_no_mac()
    {
        var r = Diagnoser.Run(NetSleuth.Topology.Linker.Link(Load("client")));

        var f = Assert.Single(r.Findings, x => x.Id == "neighbor-mac-changed");
        Assert.Empty(f.Fix);
        Assert.Contains(f.Decide, d => d.Host == "client" && d.Command == "arping -c 3 -I eth0 10.0.2.120");
        Assert.Contains("not known", f.Explanation);
    }

    [Fact]
    public void Given_readings_from_two_files_When_diagnosed_Then_it_says_the_input_does_not_tell_which_is_current()
    {
        // the same client twice: its session, and a later `ip neigh` saved in another file with node2's MAC
        var dir = Directory.CreateTempSubdirectory("ns-neigh-");
        try
        {
            var saved = Path.Combine(dir.FullName, "neigh.txt");
            File.WriteAllText(saved, $"10.0.2.120 dev eth0 lladdr {Node2Mac} STALE\n");
            var snap = InputLoader.Load([$"client={Path.Combine(Dir, "client.txt")}", $"client={saved}", $"node2={Path.Combine(Dir, "node2.txt")}"]);
            var f = Assert.Single(Diagnoser.Run(NetSleuth.Topology.Linker.Link(snap)).Findings, x => x.Id == "neighbor-mac-changed");
            Assert.Contains("different files", f.Explanation);
            // the model uses the last one read, which is node2's: still a fix, since which the kernel holds is not known
            Assert.Equal([$"ip neigh replace 10.0.2.120 lladdr {Node2Mac} dev eth0 nud reachable"], Assert.Single(f.Fix).Commands);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Given_the_readings_When_traced_Then_the_lookup_uses_the_latest_and_says_so()
    {
        var text = File.ReadAllText(Path.Combine(Dir, "client.txt")) +
            "ip -br a\nlo               UNKNOWN        127.0.0.1/8 ::1/128 \neth0@if6         UP             10.0.2.12/24 fe80::68a1:1fff:fe2e:3d12/64 \n" +
            "root@client:~# ip r\n10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.12 \n";
        var snap = ImportTestKit.LoadText(text, "client.txt", "client");
        var t = NetSleuth.Topology.Linker.Link(snap);
        var result = Tracer.Trace(t, new TraceRequest("client", null, null, Vip));
        var step = result.Forward.Hops[0].Steps.OfType<NeighborStep>().Single();
        Assert.Equal(Node1Mac, step.Mac.ToString());
        Assert.Contains("the latest of 2 readings", step.Text);
        Assert.Contains(Node2Mac, step.Text);
    }

    [Fact]
    public void Given_ip_neigh_and_arp_agreeing_When_imported_Then_no_earlier_reading_is_kept()
    {
        var snap = ImportTestKit.LoadText("$ ip neigh\n10.0.2.1 dev eth0 lladdr 52:54:00:12:35:02 REACHABLE\n$ arp -an\n? (10.0.2.1) at 52:54:00:12:35:02 [ether] on eth0\n");
        var n = Assert.Single(snap.Hosts.Single().Root!.Neighbors);
        Assert.Empty(n.EarlierReadings);
        Assert.DoesNotContain(Diagnoser.Run(NetSleuth.Topology.Linker.Link(snap)).Findings, f => f.Id == "neighbor-mac-changed");
    }
}
