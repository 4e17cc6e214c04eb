using System.Net;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class TranscriptTests
{
    private static string Worker => File.ReadAllText(Fixture("transcripts", "worker.txt"));
    private static string Podvm => File.ReadAllText(Fixture("transcripts", "podvm.txt"));
    /// <summary>The lab prefix the transcripts were made with: `ip netns identify` prints "PREFIX-wk" on line 2.</summary>
    private static string P => Worker.Split('\n')[1].Trim()[..^3];

    [Fact]
    public void Worker_transcript_gives_the_mission_facts_in_the_right_namespaces()
    {
        var host = LoadText(Worker, "worker.txt").Hosts.Single();
        Assert.Equal("worker", host.Name);
        Assert.Empty(host.Warnings);
        var root = host.Root!;
        Assert.Equal(P + "-wk", root.Name);
        Assert.Equal("0a:58:0a:84:02:2e", root.Neighbors.Single(n => n.Address.ToString() == "198.18.2.46").Mac.ToString());
        Assert.Contains(root.NetnsIds, e => e.Namespace == P + "-wkpod");
        var pod = host.FindNamespace(P + "-wkpod")!;
        var eth0 = pod.FindLink("eth0")!;
        Assert.Equal((6, "root"), (eth0.LinkIndex, eth0.LinkNamespace));
        Assert.Equal("8b7266486ea2861", root.Links.Single(l => l.Index == eth0.LinkIndex).Name);
        Assert.Equal(2, pod.Filters.Count);
        Assert.Equal("inherit", pod.FindLink("vxlan1")!.Vxlan!.Df);
        Assert.Equal(new[] { Sections.Addresses, Sections.Links, Sections.Nftables, Sections.Routes4 }, pod.Known.Order());
        Assert.Contains(Sections.LinkDetails, root.Known);
        Assert.Contains(Sections.Neighbors, root.Known);
        // `ip netns ls | grep` named the root (identified as PREFIX-wk) and the pod namespace: nothing else was invented
        Assert.Equal([P + "-wkpod", "root"], host.Namespaces.Select(n => n.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Podvm_transcript_follows_the_shell_entered_with_ip_netns_exec_until_exit()
    {
        var host = LoadText(Podvm, "podvm.txt").Hosts.Single();
        Assert.Equal("podvm", host.Name);
        var vmpod = host.FindNamespace(P + "-vmpod")!;
        Assert.Equal("7e:e5:f7:e6:f5:1a", vmpod.FindLink("vxlan0")!.Mac.ToString());
        Assert.Equal(IPAddress.Parse("198.51.100.163"), vmpod.FindLink("vxlan0")!.Vxlan!.Remote);
        Assert.Empty(vmpod.Neighbors);
        Assert.Contains(Sections.Neighbors, vmpod.Known); // an empty `ip neigh` is a known empty table
        Assert.Contains(vmpod.Routes, r => r.Destination.IsDefault);
        // after `exit` the commands run in the VM's root again
        Assert.NotNull(host.Root!.FindLink("ens2"));
        Assert.Null(vmpod.FindLink("ens2"));
    }

    [Fact]
    public void Copy_paste_damage_gives_the_same_model()
    {
        var clean = Summary(LoadText(Worker, "worker.txt").Hosts.Single());
        var lines = Worker.TrimEnd('\n').Split('\n');
        string Damage(string l, int i)
        {
            l = l.Replace("ip -d", "ip \u2013d").Replace("ip -n", "ip \u2013n");        // "smart" dashes in commands
            if (i % 3 == 0) l = l.Replace(" dev ", "\u00a0dev\u00a0");                 // non-breaking spaces
            if (i % 2 == 0) l = l.TrimStart(); else l = "  " + l.Replace("    ", "\t");  // lost and extra indentation, tabs
            if (i > lines.Length / 2) l = l.Replace("[root@worker ~]#", "[root@worker.lab.example ~]#");
            return "\u001b[0m" + l + "\r";                                             // colour resets, CRLF
        }
        var damaged = string.Join('\n', lines.Select(Damage)) + "\n";
        var host = LoadText(damaged, "worker.txt").Hosts.Single();
        Assert.Equal("worker", host.Name);
        Assert.Empty(host.Warnings);
        Assert.Equal(clean, Summary(host));
    }

    [Fact]
    public void A_missing_first_line_leaves_its_output_recognised_from_content_as_partial()
    {
        var lines = Worker.Split('\n');
        // lose the first 4 lines: "ip netns identify", its output, and the `ip route get` prompt line
        var cut = string.Join('\n', lines.Skip(4));
        var host = LoadText(cut, "worker.txt").Hosts.Single();
        var w = Assert.Single(host.Warnings);
        Assert.Equal(1, w.Source!.Line);
        Assert.Contains("before the first prompt", w.Message);
        // without `ip netns identify` the root's name is unknown: eth0's peer namespace keeps the printed name
        Assert.Equal(P + "-wk", host.FindNamespace(P + "-wkpod")!.FindLink("eth0")!.LinkNamespace);
    }

    [Fact]
    public void Variables_pipes_snips_loops_and_unknown_commands()
    {
        string F(string f) => File.ReadAllText(Fixture("iproute2", f)).TrimEnd('\n');
        var text = string.Join('\n',
            "[admin@node1 ~]$ NS=nimp-cap-pod",
            "[admin@node1 ~]$ sudo ip netns exec ${NS} ip -d link show",
            F("pod/ip_-d_link_show.txt"),
            "[admin@node1 ~]$ sudo ip -n $NS route | grep 198.18",
            "198.18.2.0/23 dev eth0 proto kernel scope link src 198.18.2.46",
            "[admin@node1 ~]$ ip neigh",
            F("kinds/ip_neigh.txt").Split('\n')[0],
            "[snip]",
            "[admin@node1 ~]$ for n in $(ip netns ls); do ip -n $n a; done",
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
            "[admin@node1 ~]$ ping -c1 198.18.2.46",
            "PING 198.18.2.46 (198.18.2.46) 56(84) bytes of data.",
            "(podns) [admin@node1 ~]$ ip r",
            "default via 198.18.2.1 dev vxlan0",
            "# ip link set dev vxlan0 down",
            "");
        var host = LoadText(text, "session.txt").Hosts.Single();
        Assert.Equal("node1", host.Name);
        var pod = host.FindNamespace("nimp-cap-pod")!;
        Assert.Equal(LinkKinds.Vxlan, pod.FindLink("vxlan1")!.Kind);
        Assert.Contains(Sections.Links, pod.Known);
        Assert.Single(pod.Routes);
        Assert.DoesNotContain(Sections.Routes4, pod.Known);          // cut by grep
        Assert.Single(host.Root!.Neighbors);
        Assert.DoesNotContain(Sections.Neighbors, host.Root.Known);  // cut by [snip]
        Assert.Single(host.FindNamespace("podns")!.Routes);           // netns shown in the prompt
        int LineOf(string start) => text.Split('\n').ToList().FindIndex(l => l.StartsWith(start, StringComparison.Ordinal)) + 1;
        Assert.Contains(host.Warnings, w => w.Source!.Line == LineOf("[admin@node1 ~]$ for") && w.Message.Contains("loop"));
        Assert.Contains(host.Warnings, w => w.Source!.Line == LineOf("[admin@node1 ~]$ ping") && w.Message.Contains("ping"));
        Assert.Equal(2, host.Warnings.Count);
    }

    private static string Summary(Host h) => string.Join('\n', h.Namespaces.OrderBy(n => n.Id).Select(n =>
        $"{n.Id} {n.Name} [{string.Join(',', n.Known)}]\n" +
        string.Join('\n', n.Links.Select(l => $" {l.Index} {l.Name} {l.Kind} {l.Mac} {l.Mtu} {l.Master} {l.LinkIndex} {l.LinkNamespace} {l.Vxlan?.Vni} {string.Join(',', l.Addresses)}")) + "\n" +
        string.Join('\n', n.Routes.Select(r => " " + r)) + "\n" + string.Join('\n', n.Neighbors.Select(x => " " + x)) + "\n" +
        string.Join('\n', n.Filters.Select(f => $" {f.Device} {f.Direction} {f.MatchesAll} {f.Actions.FirstOrDefault()?.TargetDevice}"))));
}

public sealed class PublicTranscriptTests
{
    [Fact]
    public void A_public_transcript_reads_none_peer_and_unnamed_netnsid_and_skips_ifconfig()
    {
        var text = File.ReadAllText(Fixture("iproute2", "public", "attackdefense-transcript.txt"));
        var host = LoadText(text, "ad.txt").Hosts.Single();
        Assert.Equal("attackdefense", host.Name);
        var root = host.Root!;
        var vti = root.FindLink("ip_vti0")!;
        Assert.Null(vti.LinkIndex); // "@NONE": no peer index, nothing invented
        Assert.Equal("ipip", vti.LinkType);
        var eth0 = root.FindLink("eth0")!;
        Assert.Equal((14703, 0), (eth0.LinkIndex, eth0.LinkNetnsId));
        Assert.Null(eth0.LinkNamespace); // the peer's namespace was never shown
        Assert.Contains(Sections.Addresses, root.Known);
        var w = Assert.Single(host.Warnings);
        Assert.Contains("ifconfig", w.Message);
        Assert.Equal(16, w.Source!.Line);
    }

    [Fact]
    public void Host_on_the_command_line_wins_and_another_host_in_the_prompts_is_a_warning()
    {
        var text = "[root@worker-1 ~]# ip r\ndefault via 198.18.0.1 dev eth0\nroot@worker-2:~# ip n\n198.18.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE\n";
        var named = LoadText(text, "t.txt", host: "node").Hosts.Single();
        Assert.Equal("node", named.Name);
        var host = LoadText(text, "t.txt").Hosts.Single();
        Assert.Equal("worker-1", host.Name);
        Assert.Contains(host.Warnings, w => w.Message.Contains("'worker-2'"));
        Assert.Single(host.Root!.Neighbors);
    }
}
