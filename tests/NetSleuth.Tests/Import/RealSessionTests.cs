using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

/// <summary>
/// Issue 12, real sessions: the mission story pasted as it was typed (Fixtures/transcripts/real-session,
/// see its NOTE.md), and one small real-shaped input per kind of damage a real session has.
/// </summary>
public sealed class RealSessionTests
{
    private const string Pod = "198.18.2.46";
    private const string PodNs = "5f0e8c3a-9d2b-4c61-a7e4-2b9f1c6d8e30";
    private static string WorkerPath => Fixture("transcripts", "real-session", "worker.txt");
    private static string PodvmPath => Fixture("transcripts", "real-session", "podvm.txt");

    private static Snapshot Session() => InputLoader.Load(["worker=" + WorkerPath, "podvm=" + PodvmPath]);

    private static TraceResult Trace(Snapshot s, string to, string from = "worker") =>
        Tracer.Trace(Linker.Link(s), new TraceRequest(from, null, null, IPAddress.Parse(to)));

    // ---- the whole session ----

    [Fact]
    public void The_pasted_session_imports_every_fact_it_shows()
    {
        var s = Session();
        var worker = s.Hosts.Single(h => h.Name == "worker");
        var root = worker.Root!;
        // arp -a: both entries, and the IPv4 table (only) is known
        Assert.Equal("0a:58:0a:84:02:2e", root.Neighbors.Single(n => n.Address.ToString() == Pod).Mac.ToString());
        Assert.Equal("1a:92:79:6a:95:c0", root.Neighbors.Single(n => n.Address.ToString() == "198.51.100.201").Mac.ToString());
        Assert.Contains(Sections.Neighbors4, root.Known);
        Assert.DoesNotContain(Sections.Neighbors, root.Known);
        // OVS: the bridge of each port from show (cut by [snap]/[snip]) and dump-ports; br-ex does not have ovn-k8s-mp0
        var brInt = root.Ovs!.Bridges.Single(b => b.Name == "br-int");
        Assert.Equal(["8b7266486ea2861", "ovn-k8s-mp0"], brInt.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("secure", brInt.FailMode); // "fAIl_mode: secure"
        Assert.Equal("system", brInt.DatapathType);
        Assert.Empty(root.Ovs.Bridges.Single(b => b.Name == "br-ex").Ports);
        Assert.Contains(root.Ovs.AbsentPorts, a => a is { Bridge: "br-ex", Port: "ovn-k8s-mp0" });
        Assert.DoesNotContain(Sections.Ovs, root.Known); // the show was cut: what it did not list is unknown
        var stats = root.Ovs.PortStats.Single();
        Assert.Equal(("br-int", "ovn-k8s-mp0", 10L, 0L, 0L), (stats.Bridge, stats.Port, stats.RxPackets!.Value, stats.RxDropped!.Value, stats.TxPackets!.Value));
        Assert.Equal(LinkKinds.OpenVSwitch, root.FindLink("ovn-k8s-mp0")!.Kind);
        Assert.Equal(("ovs-system", LinkKinds.OpenVSwitch), (root.FindLink("8b7266486ea2861")!.Master, root.FindLink("8b7266486ea2861")!.SlaveKind));
        // the pod namespace, named through $NS with en-dashes, holds eth0 (whose -d header line was lost) and vxlan1
        var pod = worker.FindNamespace(PodNs)!;
        Assert.Equal(LinkKinds.Veth, pod.FindLink("eth0")!.Kind);
        Assert.Equal("198.51.100.201", pod.FindLink("vxlan1")!.Vxlan!.Remote!.ToString());
        Assert.Equal(2, pod.Filters.Count);
        Assert.Equal([PodNs, "root"], worker.Namespaces.Select(n => n.Id).Order(StringComparer.Ordinal));
        var vmpod = s.Hosts.Single(h => h.Name == "podvm").FindNamespace("podns")!;
        Assert.Equal("7e:e5:f7:e6:f5:1a", vmpod.FindLink("vxlan0")!.Mac.ToString());
    }

    [Fact]
    public void Trace_reaches_the_pod_vm_and_ends_with_the_other_host_mac_drop()
    {
        var r = Trace(Session(), Pod);
        Assert.Equal(Disposition.DroppedOtherHost, r.Forward.Disposition);
        Assert.Equal("podvm:podns:vxlan0", r.Forward.At);
        Assert.Contains("0a:58:0a:84:02:2e", r.Forward.Reason);
        // the neighbour step rests on the pasted arp -a line; br-int switches to the pod's port as NORMAL, stated
        var neighbour = r.Forward.Hops[0].Steps.OfType<NeighborStep>().First();
        Assert.Equal(("ovn-k8s-mp0", 121), (neighbour.Device, neighbour.Evidence!.Line));
        Assert.Contains(r.Forward.Hops.SelectMany(h => h.Steps).OfType<BridgeStep>(), b => b.Bridge == "br-int" && b.OutPort == "8b7266486ea2861");
        Assert.Contains(r.Forward.Assumptions, a => a.Contains("NORMAL") && a.Contains("`ovs-ofctl dump-flows br-int` on worker"));
    }

    [Fact]
    public void Diagnose_names_the_neighbour_mac_mismatch_first_with_the_fix_and_exits_3()
    {
        var (code, output, _) = Cli.CliTests.Run("diagnose", "worker=" + WorkerPath, "podvm=" + PodvmPath);
        Assert.Equal(3, code);
        var first = output.Split('\n').First(l => l.StartsWith("ERROR ", StringComparison.Ordinal) || l.StartsWith("WARNING ", StringComparison.Ordinal));
        Assert.Equal("ERROR neighbor-mac-mismatch", first.Trim());
        Assert.Contains("ip -n podns link set dev vxlan0 address 0a:58:0a:84:02:2e", output);
        Assert.Contains("worker.txt:121]", output); // the arp -a line is the evidence
    }

    // ---- one bullet each, on small real-shaped inputs ----

    private const string ArpWorker = """
        [root@worker ~]# ip a
        2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
            link/ether e6:7d:54:53:01:26 brd ff:ff:ff:ff:ff:ff
            inet 198.51.100.163/24 scope global ens3
               valid_lft forever preferred_lft forever
        [root@worker ~]# ip r
        198.51.100.0/24 dev ens3 proto kernel scope link src 198.51.100.163 
        [root@worker ~]# iptables-save
        [root@worker ~]# nft list ruleset
        [root@worker ~]# ARP
        """;

    private const string ArpPodvm = """
        root@podvm:~# ip a
        2: ens2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
            link/ether 1a:92:79:6a:95:c0 brd ff:ff:ff:ff:ff:ff
            inet 198.51.100.201/24 scope global ens2
               valid_lft forever preferred_lft forever
        root@podvm:~# ip r
        198.51.100.0/24 dev ens2 proto kernel scope link src 198.51.100.201 
        root@podvm:~# iptables-save
        root@podvm:~# nft list ruleset
        root@podvm:~# arp -a
        ? (198.51.100.163) at e6:7d:54:53:01:26 [ether] on ens2
        """;

    private static Snapshot Hosts(string worker, string podvm)
    {
        var dir = Directory.CreateTempSubdirectory("nimp-real-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "w.txt"), worker + "\n");
            File.WriteAllText(Path.Combine(dir.FullName, "v.txt"), podvm + "\n");
            return InputLoader.Load(["worker=" + Path.Combine(dir.FullName, "w.txt"), "podvm=" + Path.Combine(dir.FullName, "v.txt")]);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void An_arp_a_entry_without_PERM_is_a_fact_the_walker_uses()
    {
        var s = Hosts(ArpWorker.Replace("ARP", "arp -a\n? (198.51.100.201) at 1a:92:79:6a:95:c0 [ether] on ens3"), ArpPodvm);
        var root = s.Hosts.Single(h => h.Name == "worker").Root!;
        Assert.Equal(new[] { Sections.Neighbors4 }, root.Known.Where(k => k.StartsWith("neighbors", StringComparison.Ordinal)));
        var r = Trace(s, "198.51.100.201");
        Assert.Contains(r.Forward.Hops, h => h.Host == "podvm"); // past the neighbour, across the underlay
        var step = r.Forward.Hops[0].Steps.OfType<NeighborStep>().Single();
        Assert.Equal("1a:92:79:6a:95:c0", step.Mac.ToString());
        Assert.Empty(r.Forward.Hops[0].Steps.OfType<ArpStep>()); // the entry is used, not ARP simulated
    }

    [Fact]
    public void An_entry_cut_by_grep_is_used_and_a_missing_one_stays_unknown_naming_the_command()
    {
        // the entry shown is used
        var seen = Hosts(ArpWorker.Replace("ARP", "arp -an | grep 201\n? (198.51.100.201) at 1a:92:79:6a:95:c0 [ether] on ens3"), ArpPodvm);
        Assert.DoesNotContain(seen.Hosts.Single(h => h.Name == "worker").Root!.Known, k => k.StartsWith("neighbors", StringComparison.Ordinal));
        Assert.Contains(Trace(seen, "198.51.100.201").Forward.Hops, h => h.Host == "podvm");
        // an entry not shown in a partly-known table: unknown, not absent — the trace asks for the table
        var other = Hosts(ArpWorker.Replace("ARP", "arp -an | grep 198.51.100.9\n? (198.51.100.9) at 52:54:00:12:34:56 [ether] on ens3"), ArpPodvm);
        var r = Trace(other, "198.51.100.201");
        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal(("worker", "ip neigh show"), (r.Forward.Missing!.Host, r.Forward.Missing.Command));
        // the whole IPv4 table (arp -a) without the entry: the kernel would ARP, and the VM answers
        var whole = Hosts(ArpWorker.Replace("ARP", "arp -a\n? (198.51.100.9) at 52:54:00:12:34:56 [ether] on ens3"), ArpPodvm);
        var arp = Trace(whole, "198.51.100.201");
        Assert.Contains(arp.Forward.Hops, h => h.Host == "podvm");
        Assert.Equal("1a:92:79:6a:95:c0", Assert.Single(arp.Forward.Hops[0].Steps.OfType<ArpStep>()).Mac.ToString());
    }

    [Fact]
    public void Ip_4_neigh_makes_only_the_ipv4_table_known()
    {
        var s = Hosts(ArpWorker.Replace("ARP", "ip -4 neigh\n198.51.100.201 dev ens3 lladdr 1a:92:79:6a:95:c0 REACHABLE "), ArpPodvm);
        var root = s.Hosts.Single(h => h.Name == "worker").Root!;
        Assert.True(root.NeighborsKnown(IPAddress.Parse("198.51.100.9")));
        Assert.False(root.NeighborsKnown(IPAddress.Parse("2001:db8::1")));
    }

    /// <summary>A worker whose ovn-k8s-mp0 is known only as kind openvswitch, plus <paramref name="evidence"/>.</summary>
    private static string OvsWorker(string evidence) => $"""
        [root@worker ~]# ip -d li sh dev ovn-k8s-mp0
        5: ovn-k8s-mp0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
            link/ether 4e:af:21:cc:f8:3a brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 
            openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 
        [root@worker ~]# ip -d li sh dev br-int
        4: br-int: <BROADCAST,MULTICAST> mtu 1400 qdisc noop state DOWN mode DEFAULT group default qlen 1000
            link/ether 8a:21:9a:d4:c8:49 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 
            openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 
        [root@worker ~]# ip -d li sh dev 8b7266486ea2861
        6: 8b7266486ea2861@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue master ovs-system state UP mode DEFAULT group default qlen 1000
            link/ether 8a:d2:86:d7:1e:0e brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 
            veth 
            openvswitch_slave addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 
        [root@worker ~]# ovs-vsctl list-br
        br-ex
        br-int
        {evidence}
        [root@worker ~]# 
        """;

    private static (NetSleuth.Topology.Topology T, DeviceRef Mp0, DeviceRef Veth) OvsTopology(string evidence)
    {
        var s = LoadText(OvsWorker(evidence), "worker.txt", "worker");
        var t = Linker.Link(s);
        var root = s.Hosts[0].Root!;
        return (t, t.Device(s.Hosts[0], root, "ovn-k8s-mp0")!, t.Device(s.Hosts[0], root, "8b7266486ea2861")!);
    }

    [Fact]
    public void Unknown_port_on_br_ex_leaves_br_int_as_the_bridge_of_the_internal_port_and_of_the_ovs_system_slave()
    {
        var (t, mp0, veth) = OvsTopology("[root@worker ~]# ovs-ofctl dump-ports br-ex ovn-k8s-mp0\novs-ofctl: br-ex: unknown port `ovn-k8s-mp0'\n" +
                                         "[root@worker ~]# ovs-ofctl dump-ports br-ex 8b7266486ea2861\novs-ofctl: br-ex: unknown port `8b7266486ea2861'");
        Assert.Equal("br-int", t.BridgeOf(mp0)!.Link.Name);
        Assert.Equal("br-int", t.BridgeOf(veth)!.Link.Name);
        var edge = t.EdgesFrom(mp0).Single(e => e.Kind == EdgeKind.OvsPort);
        Assert.Contains("br-ex does not have it", edge.Assumption);
        Assert.Contains("`ovs-vsctl port-to-br ovn-k8s-mp0`", edge.Assumption);
    }

    [Theory]
    [InlineData("[root@worker ~]# ovs-ofctl dump-ports br-int ovn-k8s-mp0\nOFPST_PORT reply (xid=0x4): 1 ports\n  port  1: rx pkts=10, bytes=980, drop=0, errs=0, frame=0, over=0, crc=0\n           tx pkts=0, bytes=0, drop=0, errs=0, coll=0")]
    [InlineData("[root@worker ~]# ovs-vsctl port-to-br ovn-k8s-mp0\nbr-int")]
    [InlineData("[root@worker ~]# ovs-vsctl list-ports br-int\n8b7266486ea2861\novn-k8s-mp0")]
    public void The_bridge_of_a_port_comes_from_dump_ports_port_to_br_or_list_ports(string evidence)
    {
        var (t, mp0, _) = OvsTopology(evidence);
        var edge = t.EdgesFrom(mp0).Single(e => e.Kind == EdgeKind.OvsPort);
        Assert.Equal("br-int", edge.To!.Link.Name);
        Assert.Null(edge.Assumption); // stated by the tool, not worked out
    }

    [Fact]
    public void An_openvswitch_device_whose_bridge_is_not_in_the_input_is_not_a_bridge_with_no_ports()
    {
        var s = LoadText(OvsWorker("[root@worker ~]# ip a show dev ovn-k8s-mp0\n5: ovn-k8s-mp0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UNKNOWN group default qlen 1000\n" +
                                   "    link/ether 4e:af:21:cc:f8:3a brd ff:ff:ff:ff:ff:ff\n    inet 198.18.2.2/23 scope global ovn-k8s-mp0\n       valid_lft forever preferred_lft forever\n" +
                                   "[root@worker ~]# ip r\n198.18.2.0/23 dev ovn-k8s-mp0 proto kernel scope link src 198.18.2.2 \n" +
                                   "[root@worker ~]# arp -a\n? (198.18.2.46) at 0a:58:0a:84:02:2e [ether] on ovn-k8s-mp0"), "worker.txt", "worker");
        var r = Trace(s, Pod);
        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("ovs-vsctl port-to-br ovn-k8s-mp0", r.Forward.Missing!.Command);
        Assert.DoesNotContain("no port", r.Forward.Reason);
    }

    [Fact]
    public void An_openvswitch_device_with_no_ovsdb_evidence_at_all_asks_for_ovs_vsctl_show()
    {
        var s = LoadText("""
            [root@worker ~]# ip -d li sh dev ovn-k8s-mp0
            5: ovn-k8s-mp0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
                link/ether 4e:af:21:cc:f8:3a brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 
                openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 
            [root@worker ~]# ip a show dev ovn-k8s-mp0
            5: ovn-k8s-mp0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UNKNOWN group default qlen 1000
                link/ether 4e:af:21:cc:f8:3a brd ff:ff:ff:ff:ff:ff
                inet 198.18.2.2/23 scope global ovn-k8s-mp0
                   valid_lft forever preferred_lft forever
            [root@worker ~]# ip r
            198.18.2.0/23 dev ovn-k8s-mp0 proto kernel scope link src 198.18.2.2 
            [root@worker ~]# arp -a
            ? (198.18.2.46) at 0a:58:0a:84:02:2e [ether] on ovn-k8s-mp0
            """, "worker.txt", "worker");
        var r = Trace(s, Pod);
        Assert.Equal(Disposition.InsufficientInfo, r.Forward.Disposition);
        Assert.Equal("ovs-vsctl show", r.Forward.Missing!.Command);
        Assert.DoesNotContain(r.Forward.Hops.SelectMany(h => h.Steps).OfType<BridgeStep>(), b => b.Bridge == "ovn-k8s-mp0");
    }

    [Fact]
    public void Dump_ports_counters_run_together_are_each_read_right()
    {
        // the line as the published session printed it (see Fixtures/ovs/NOTE.md: rx and tx on one line)
        var (ns, _) = Parse("ovs-ofctl dump-ports br-int ovn-k8s-mp0", Path.Combine("..", "ovs", "ovs-ofctl_dump-ports_run-together.txt"));
        var st = ns.Ovs!.PortStats.Single();
        Assert.Equal("ovn-k8s-mp0", st.Port);
        Assert.Equal((1798208L, 2L, 0L), (st.RxPackets!.Value, st.RxDropped!.Value, st.RxErrors!.Value));
        Assert.Equal((2614471L, 0L, 0L), (st.TxPackets!.Value, st.TxDropped!.Value, st.TxErrors!.Value));
        Assert.Contains(ns.Ovs.Bridges.Single(b => b.Name == "br-int").Ports, p => p.Name == "ovn-k8s-mp0");
    }

    [Fact]
    public void Dump_ports_of_one_port_after_the_whole_bridge_names_that_port()
    {
        // captured in the lab (peer-pods-ovs, OVS 3.1.0): the whole bridge by number, then the one port, whose
        // number (1) it tells: the later reading of port 1 is ovn-k8s-mp0's
        var s = LoadText("""
            [root@worker ~]# ovs-ofctl dump-ports br-int
            OFPST_PORT reply (xid=0x2): 3 ports
              port LOCAL: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0
                       tx pkts=0, bytes=0, drop=7, errs=0, coll=0
              port  1: rx pkts=10, bytes=980, drop=0, errs=0, frame=0, over=0, crc=0
                       tx pkts=0, bytes=0, drop=0, errs=0, coll=0
              port  2: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0
                       tx pkts=7, bytes=686, drop=0, errs=0, coll=0
            [root@worker ~]# ovs-ofctl dump-ports br-int ovn-k8s-mp0
            OFPST_PORT reply (xid=0x4): 1 ports
              port  1: rx pkts=10, bytes=980, drop=0, errs=0, frame=0, over=0, crc=0
                       tx pkts=0, bytes=0, drop=0, errs=0, coll=0
            """, "worker.txt", "worker");
        var ovs = s.Hosts[0].Root!.Ovs!;
        var iface = ovs.Bridges.Single(b => b.Name == "br-int").Ports.Single().Interfaces.Single();
        Assert.Equal(("ovn-k8s-mp0", 1), (iface.Name, iface.OfPort!.Value));
        Assert.Equal(["2", "LOCAL", "ovn-k8s-mp0"], ovs.PortStats.Select(p => p.Port).Order(StringComparer.Ordinal));
        Assert.Equal(7L, ovs.PortStats.Single(p => p.Port == "LOCAL").TxDropped);
    }

    [Fact]
    public void Ovs_vsctl_show_cut_with_snap_and_snip_and_a_mangled_key_keeps_what_it_shows_as_partial()
    {
        var s = LoadText("""
            [root@ocp-412-ovn-worker-1 core]# ovs-vsctl show

            [snap]

            Bridge br-int
                    fAIl_mode: secure
                    datapath_type: system

                    [snip]

                    Port "8b7266486ea2861"
                        Interface "8b7266486ea2861"

            [snap]

            """, "worker.txt", "worker");
        var root = s.Hosts[0].Root!;
        var br = root.Ovs!.Bridges.Single();
        Assert.Equal(("br-int", "secure", "system"), (br.Name, br.FailMode, br.DatapathType));
        Assert.Equal("8b7266486ea2861", br.Ports.Single().Name);
        Assert.DoesNotContain(Sections.Ovs, root.Known);
        var w = Assert.Single(s.Hosts[0].Warnings);
        Assert.Contains("'fAIl_mode' read as 'fail_mode'", w.Message);
        Assert.Equal(6, w.Source!.Line);
    }

    [Fact]
    public void Session_damage_changed_host_name_ns_variable_en_dashes_and_a_lost_header_line()
    {
        var host = InputLoader.Load([WorkerPath]).Hosts.Single();
        Assert.Equal("ocp-412-worker-1", host.Name); // the first prompt names the host …
        Assert.Contains(host.Warnings, w => w.Message.Contains("also name host 'ocp-412-ovn-worker-1'")); // … and the change is said
        Assert.NotNull(host.FindNamespace(PodNs)); // NS=5f0e8c3a–9d2b–… (en-dashes) → the namespace
        var lost = Assert.Single(host.Warnings, w => w.Message.Contains("header of eth0"));
        Assert.Equal(75, lost.Source!.Line);
        Assert.Equal(LinkKinds.Veth, host.FindNamespace(PodNs)!.FindLink("eth0")!.Kind);
        // either name the prompts gave the host starts a trace
        Assert.Equal(["ocp-412-ovn-worker-1"], host.Meta.Aliases);
        var s = InputLoader.Load([WorkerPath, PodvmPath]);
        Assert.Equal(Disposition.DroppedOtherHost, Trace(s, Pod, from: "ocp-412-ovn-worker-1").Forward.Disposition);
        Assert.Equal(Disposition.DroppedOtherHost, Trace(s, Pod, from: "ocp-412-worker-1").Forward.Disposition);
        // output before the first prompt (the ping's tail) is skipped with a warning, not guessed
        Assert.Contains(host.Warnings, w => w.Source is { Line: 1 } && w.Message.Contains("before the first prompt"));
    }

    [Fact]
    public void A_loop_is_read_per_iteration_where_its_output_shows_it_and_skipped_with_a_warning_otherwise()
    {
        var host = InputLoader.Load(["worker=" + WorkerPath]).Hosts.Single();
        // `for ns …; do echo "== $ns"; ip netns exec $ns ip -br a; done`: the block after "== NS" is that namespace's
        var pod = host.FindNamespace(PodNs)!;
        Assert.Equal(56, pod.FindLink("eth0")!.Source!.Line);
        Assert.Equal(57, pod.FindLink("vxlan1")!.Source!.Line);
        Assert.DoesNotContain(host.Root!.Links, l => l.Name == "eth0");
        // the grep -q loop prints only "pod namespace: …": skipped with a warning naming its line
        Assert.Contains(host.Warnings, w => w.Source is { Line: 49 } && w.Message.Contains("a shell loop"));

        // two iterations (captured in the lab, /tmp/rsev7cap loop2): each block goes to its own namespace
        var two = LoadText("""
            [root@worker ~]# for ns in $(ip netns ls | grep rsev7-wk | cut -d" " -f1); do echo "== $ns"; ip netns exec $ns ip -br a; done
            == rsev7-wk
            lo               UNKNOWN        127.0.0.1/8 
            ens3@if2         UP             198.51.100.163/24 
            ovn-k8s-mp0      UNKNOWN        198.18.2.2/23 
            == rsev7-wkpod
            lo               UNKNOWN        127.0.0.1/8 
            eth0@if6         UP             198.18.2.46/23 
            vxlan1@if7       UNKNOWN        
            """, "worker.txt", "worker").Hosts.Single();
        Assert.Equal(["ens3", "lo", "ovn-k8s-mp0"], two.Namespaces.Single(n => n.Name == "rsev7-wk").Links.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["eth0", "lo", "vxlan1"], two.Namespaces.Single(n => n.Name == "rsev7-wkpod").Links.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Equal(8, two.Namespaces.Single(n => n.Name == "rsev7-wkpod").FindLink("eth0")!.Source!.Line);

        // a loop of that shape whose output lost its echoed lines: skipped, not given to the root namespace
        var cut = LoadText("""
            [root@worker ~]# for ns in $(ip netns ls | cut -d' ' -f1); do echo "== $ns"; ip netns exec $ns ip -br a; done
            lo               UNKNOWN        127.0.0.1/8 
            eth0@if6         UP             198.18.2.46/23 
            [root@worker ~]# ip r
            198.51.100.0/24 dev ens3 proto kernel scope link src 198.51.100.163 
            """, "worker.txt", "worker").Hosts.Single();
        Assert.DoesNotContain(cut.Namespaces.SelectMany(n => n.Links), l => l.Name == "eth0");
        Assert.Contains(cut.Warnings, w => w.Source is { Line: 1 } && w.Message.Contains("a shell loop"));
    }
}
