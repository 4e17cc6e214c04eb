using NetSleuth.Model;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Import;

/// <summary>OVS parsers on outputs captured from Open vSwitch 3.1.0 in a lab namespace (Fixtures/ovs/NOTE.md).</summary>
public sealed class OvsParserTests
{
    private static OvsBridge Bridge(NetNamespace ns, string name) => ns.Ovs!.Bridges.Single(b => b.Name == name);

    private static OvsInterface Iface(NetNamespace ns, string name) =>
        ns.Ovs!.Bridges.SelectMany(b => b.Ports).SelectMany(p => p.Interfaces).Single(i => i.Name == name);

    [Fact]
    public void Show_gives_bridges_ports_interfaces_with_their_settings()
    {
        var ns = NewNamespace();
        var log = Parse(ns, "ovs/ovs-vsctl_show.txt", "ovs-vsctl show");

        Assert.Empty(log.Warnings);
        Assert.True(ns.IsKnown(Sections.Ovs));
        var brInt = Bridge(ns, "br-int");
        Assert.Equal("secure", brInt.FailMode);
        Assert.Equal("netdev", brInt.DatapathType);
        Assert.Equal(["vxlan1", "veth-tag", "patch-br-int-to-br-ex", "ovn-k8s-mp0", "br-int", "8b7266486ea2861"], brInt.Ports.Select(p => p.Name));
        Assert.Equal(100, brInt.Ports.Single(p => p.Name == "veth-tag").Tag);
        var vxlan = Iface(ns, "vxlan1");
        Assert.Equal("vxlan", vxlan.Type);
        Assert.Equal("198.51.100.201", vxlan.Options["remote_ip"]);
        Assert.Equal("555005", vxlan.Options["key"]);
        Assert.Equal("4789", vxlan.Options["dst_port"]);
        Assert.Equal("", Iface(ns, "8b7266486ea2861").Type);
        Assert.Equal("internal", Iface(ns, "ovn-k8s-mp0").Type);
        var brEx = Bridge(ns, "br-ex");
        Assert.Null(brEx.FailMode);
        Assert.Equal([10, 20], brEx.Ports.Single(p => p.Name == "ens3").Trunks);
        Assert.Equal("could not open network device missing0 (No such device)", Iface(ns, "missing0").Error);
        Assert.Equal("ovs/ovs-vsctl_show.txt", Path.GetRelativePath(Root, vxlan.Source!.File));
        Assert.Equal(6, vxlan.Source.Line); // its Interface line
    }

    [Fact]
    public void List_interface_text_and_json_read_the_same()
    {
        var text = NewNamespace();
        var json = NewNamespace();
        var jsonShort = NewNamespace();
        Assert.Empty(Parse(text, "ovs/ovs-vsctl_list_interface.txt", "ovs-vsctl list interface").Warnings);
        Assert.Empty(Parse(json, "ovs/ovs-vsctl_--format=json_list_interface.txt", "ovs-vsctl --format=json list interface").Warnings);
        Assert.Empty(Parse(jsonShort, "ovs/ovs-vsctl_-f_json_list_interface.txt", "ovs-vsctl -f json list interface").Warnings);

        static string Key(OvsInterface i) =>
            $"{i.Name}|{i.Uuid}|{i.Type}|{i.OfPort}|{i.MacInUse}|{i.Mac}|{i.LinkState}|{i.AdminState}|{i.Error}|" +
            string.Join(',', i.ExternalIds.Select(kv => kv.Key + "=" + kv.Value)) + "|" + string.Join(',', i.Options.Select(kv => kv.Key + "=" + kv.Value));
        var fromText = text.Ovs!.UnplacedInterfaces.Select(Key).ToList();
        Assert.Equal(10, fromText.Count);
        Assert.Equal(fromText, json.Ovs!.UnplacedInterfaces.Select(Key));
        Assert.Equal(fromText, jsonShort.Ovs!.UnplacedInterfaces.Select(Key));

        var pod = text.Ovs.UnplacedInterfaces.Single(i => i.Name == "8b7266486ea2861");
        Assert.Equal("default_pod-a", pod.ExternalIds["iface-id"]);
        Assert.Equal("0a:58:0a:84:02:2e", pod.ExternalIds["attached-mac"]);
        Assert.Equal(1, pod.OfPort);
        Assert.Equal(MacAddress.Parse("0a:58:c6:12:02:02"), text.Ovs.UnplacedInterfaces.Single(i => i.Name == "ovn-k8s-mp0").Mac);
        Assert.Equal(-1, text.Ovs.UnplacedInterfaces.Single(i => i.Name == "missing0").OfPort);
        Assert.Equal(260, pod.Source!.Line); // the row's first line, its _uuid
    }

    [Theory]
    [InlineData("text", new[] { "bridge", "port", "interface" })]
    [InlineData("text", new[] { "interface", "port", "bridge" })]
    [InlineData("json", new[] { "port", "bridge", "interface" })]
    public void List_rows_join_by_uuid_in_any_order_and_match_show(string format, string[] order)
    {
        var ns = NewNamespace();
        foreach (var table in order)
        {
            var log = format == "json"
                ? Parse(ns, $"ovs/ovs-vsctl_--format=json_list_{table}.txt", $"ovs-vsctl --format=json list {table}")
                : Parse(ns, $"ovs/ovs-vsctl_list_{table}.txt", $"ovs-vsctl list {table}");
            Assert.Empty(log.Warnings);
        }
        var shown = NewNamespace();
        Parse(shown, "ovs/ovs-vsctl_show.txt", "ovs-vsctl show");

        Assert.Empty(ns.Ovs!.UnplacedPorts);
        Assert.Empty(ns.Ovs.UnplacedInterfaces);
        foreach (var br in shown.Ovs!.Bridges)
        {
            var listed = Bridge(ns, br.Name);
            Assert.Equal(br.Ports.Select(p => p.Name).Order(), listed.Ports.Select(p => p.Name).Order());
            foreach (var p in br.Ports)
            {
                var lp = listed.Ports.Single(x => x.Name == p.Name);
                Assert.Equal(p.Tag, lp.Tag);
                Assert.Equal(p.Trunks, lp.Trunks);
                Assert.Equal(p.Interfaces.Select(i => (i.Name, i.Type)), lp.Interfaces.Select(i => (i.Name, i.Type)));
            }
        }
        Assert.Equal("physnet:br-ex", Bridge(ns, "br-int").ExternalIds["ovn-bridge-mappings"]);
        Assert.False(ns.IsKnown(Sections.Ovs)); // only `show` lists every bridge
    }

    [Fact]
    public void Show_after_list_interface_places_the_listed_rows()
    {
        var ns = NewNamespace();
        Parse(ns, "ovs/ovs-vsctl_list_interface.txt", "ovs-vsctl -t 5 list interface");
        Parse(ns, "ovs/ovs-vsctl_show.txt", "ovs-vsctl -t 5 show");

        Assert.Empty(ns.Ovs!.UnplacedInterfaces);
        Assert.Equal("k8s-worker0", Iface(ns, "ovn-k8s-mp0").ExternalIds["iface-id"]);
        Assert.Equal(4, Iface(ns, "vxlan1").OfPort);
    }

    [Fact]
    public void List_br_names_the_bridges()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovs/ovs-vsctl_list-br.txt", "ovs-vsctl list-br").Warnings);
        Assert.Equal(["br-ex", "br-int"], ns.Ovs!.Bridges.Select(b => b.Name));
    }

    [Theory]
    [InlineData("ovs/ovs-ofctl_dump-ports_br-int.txt", "ovs-ofctl dump-ports br-int", "2", "4")]
    [InlineData("ovs/ovs-ofctl_--no-names_dump-ports_br-int.txt", "ovs-ofctl --no-names dump-ports br-int", "2", "4")]
    [InlineData("ovs/ovs-ofctl_--names_dump-ports_br-int.txt", "ovs-ofctl --names dump-ports br-int", "ovn-k8s-mp0", "vxlan1")]
    [InlineData("ovs/ovs-ofctl_-O_OpenFlow15_dump-ports_br-int.txt", "ovs-ofctl -O OpenFlow15 dump-ports br-int", "2", "4")]
    public void Dump_ports_reads_counters_by_number_or_name(string file, string command, string mp0, string vxlan)
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, file, command).Warnings);

        var stats = ns.Ovs!.PortStats;
        Assert.Equal(6, stats.Count);
        Assert.All(stats, s => Assert.Equal("br-int", s.Bridge));
        var m = stats.Single(s => s.Port == mp0);
        Assert.Equal(6, m.RxPackets);
        Assert.Equal(0, m.RxDropped);
        Assert.Equal(0, m.TxPackets);
        var v = stats.Single(s => s.Port == vxlan);
        Assert.Null(v.RxDropped); // "drop=?": the datapath keeps no such counter
        Assert.Null(v.TxErrors);
        Assert.Equal(5, stats.Single(s => s.Port == "LOCAL").RxPackets);
        Assert.Contains(stats, s => s.Port is "8b7266486ea2861" or "1");
    }

    [Fact]
    public void Dump_ports_warns_when_ports_are_missing()
    {
        var full = Output("ovs/ovs-ofctl_dump-ports_br-int.txt", "ovs-ofctl dump-ports br-int");
        var cut = full with { Lines = full.Lines.Take(5).ToList() };
        var log = new NetSleuth.Import.ImportLog();
        NetSleuth.Import.Ovs.OvsOfctlDumpPortsParser.Parse(cut, NewNamespace(), log);

        var w = Assert.Single(log.Warnings);
        Assert.Contains("announces 6 ports but 2", w.Message);
        Assert.Equal(full.File, w.Source!.File);
    }

    [Fact]
    public void Ofctl_show_adds_openflow_numbers_and_macs_matching_cut_names()
    {
        var ns = NewNamespace();
        Parse(ns, "ovs/ovs-vsctl_show.txt", "ovs-vsctl show");
        Assert.Empty(Parse(ns, "ovs/ovs-ofctl_show_br-int.txt", "ovs-ofctl show br-int").Warnings);
        Assert.Empty(Parse(ns, "ovs/ovs-ofctl_-O_OpenFlow13_show_br-ex.txt", "ovs-ofctl -O OpenFlow13 show br-ex").Warnings);

        Assert.Equal(1, Iface(ns, "8b7266486ea2861").OfPort);
        Assert.Equal(MacAddress.Parse("9a:30:cd:db:db:e1"), Iface(ns, "8b7266486ea2861").MacInUse);
        Assert.Equal("down", Iface(ns, "8b7266486ea2861").LinkState);
        Assert.Equal(5, Iface(ns, "patch-br-int-to-br-ex").OfPort); // shown as "patch-br-int-to"
        Assert.Equal(65534, Iface(ns, "br-int").OfPort);
        Assert.Equal("down", Iface(ns, "br-ex").AdminState); // config: PORT_DOWN
        Assert.Equal(6, Bridge(ns, "br-int").Ports.Count); // nothing added twice
    }

    [Fact]
    public void Dump_ports_desc_alone_creates_the_ports_it_lists()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovs/ovs-ofctl_dump-ports-desc_br-int.txt", "ovs-ofctl dump-ports-desc br-int").Warnings);

        Assert.Equal(["8b7266486ea2861", "ovn-k8s-mp0", "veth-tag", "vxlan1", "patch-br-int-to", "br-int"],
            Bridge(ns, "br-int").Ports.Select(p => p.Name));
        Assert.Equal(4, Iface(ns, "vxlan1").OfPort);
    }

    [Fact]
    public void Show_after_ofctl_show_gives_cut_names_their_full_name()
    {
        var ns = NewNamespace();
        Parse(ns, "ovs/ovs-ofctl_show_br-int.txt", "ovs-ofctl show br-int");
        Parse(ns, "ovs/ovs-vsctl_show.txt", "ovs-vsctl show");

        Assert.Equal(6, Bridge(ns, "br-int").Ports.Count);
        Assert.Equal(5, Iface(ns, "patch-br-int-to-br-ex").OfPort);
        Assert.Equal("patch", Iface(ns, "patch-br-int-to-br-ex").Type);
    }
}
