using NetSleuth.Model;
using static NetSleuth.Tests.Import.FixtureFiles;

namespace NetSleuth.Tests.Import;

/// <summary>OVN northbound parsers on outputs captured from OVN 23.03.1 in the peer-pods-ovn lab and on a
/// public paste (Fixtures/ovn/NOTE.md).</summary>
public sealed class OvnParserTests
{
    private static OvnLogicalSwitchPort Lsp(NetNamespace ns, string name) => ns.Ovn!.Ports.Single(p => p.Name == name);

    [Fact]
    public void List_Logical_Switch_Port_gives_addresses_port_security_type_and_up()
    {
        var ns = NewNamespace();
        var log = Parse(ns, "ovn/ovn-nbctl_list_Logical_Switch_Port.txt", "ovn-nbctl --db=unix:/run/netsleuth/p/ovn/nb.sock list Logical_Switch_Port");

        Assert.Empty(log.Warnings);
        Assert.Equal(6, ns.Ovn!.Ports.Count);
        var pod = Lsp(ns, "default_peerpod");
        Assert.Equal(["0a:58:0a:84:02:2e 198.18.2.46"], pod.Addresses);
        Assert.Equal(["0a:58:0a:84:02:2e 198.18.2.46"], pod.PortSecurity);
        Assert.True(pod.PortSecurityKnown);
        Assert.Equal("", pod.Type);
        Assert.True(pod.Up);
        Assert.Equal(MacAddress.Parse("0a:58:0a:84:02:2e"), pod.MacFor(System.Net.IPAddress.Parse("198.18.2.46")));
        var stor = Lsp(ns, "stor-worker");
        Assert.Equal("router", stor.Type);
        Assert.Equal(["router"], stor.Addresses);
        Assert.Empty(stor.PortSecurity);
        Assert.Empty(stor.AddressMacs());
        Assert.Equal("ovn/ovn-nbctl_list_Logical_Switch_Port.txt", Path.GetRelativePath(Root, pod.Source!.File));
    }

    [Fact]
    public void List_shows_a_port_whose_addresses_and_port_security_differ()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovn/ovn-nbctl_list_Logical_Switch_Port_port-security.txt", "ovn-nbctl list logical_switch_port").Warnings);
        var pod = Lsp(ns, "default_peerpod");
        Assert.Equal([MacAddress.Parse("7e:e5:f7:e6:f5:1a")], pod.AddressMacs());
        Assert.Equal([MacAddress.Parse("0a:58:0a:84:02:2e")], pod.PortSecurityMacs());
    }

    [Fact]
    public void Show_gives_each_switch_port_its_switch_and_addresses_but_no_port_security()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovn/ovn-nbctl_show.txt", "ovn-nbctl show").Warnings);
        var pod = Lsp(ns, "default_peerpod");
        Assert.Equal("worker", pod.Switch);
        Assert.Equal(["0a:58:0a:84:02:2e 198.18.2.46"], pod.Addresses);
        Assert.False(pod.PortSecurityKnown);
        Assert.Equal("router", Lsp(ns, "stor-node2").Type);
        // router ports are not switch ports
        Assert.DoesNotContain(ns.Ovn!.Ports, p => p.Name.StartsWith("rtos-", StringComparison.Ordinal));
        Assert.Equal(["default_peerpod", "default_web", "k8s-node2", "k8s-worker", "stor-node2", "stor-worker"],
            ns.Ovn.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Show_reads_a_public_paste_with_aka_names_localports_and_nat()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovn/public_ovs-dbg-109_ovn-nbctl_show.txt", "ovn-nbctl show").Warnings);
        Assert.Equal(["8094bf16-8ca9-4de9-ab92-aa9af23b6e73", "4af127cb-9b74-4135-83d3-5f7fb49badba", "9f288ce3-ad56-44e3-bd91-b69787a9296d"],
            ns.Ovn!.Ports.Select(p => p.Name));
        var vm = Lsp(ns, "4af127cb-9b74-4135-83d3-5f7fb49badba");
        Assert.Equal("neutron-232ef89b-5e67-48ae-bc8b-4ee79df7cb4b", vm.Switch!.Split(") (")[0]);
        Assert.Equal(MacAddress.Parse("f8:f2:1e:03:bf:f2"), vm.MacFor(System.Net.IPAddress.Parse("7.7.7.201")));
        Assert.Equal("localport", Lsp(ns, "8094bf16-8ca9-4de9-ab92-aa9af23b6e73").Type);
    }

    [Fact]
    public void A_damaged_show_line_is_a_warning_with_its_line()
    {
        var ns = NewNamespace();
        var output = new NetSleuth.Import.CommandOutput(["ovn-nbctl", "show"],
            ["switch 1 (a)", "    port p1", "        addresses: [\"0a:58:00:00:00:01 10.0.0.1\"", "garbage here"], "paste.txt", 10);
        var log = new NetSleuth.Import.ImportLog();
        NetSleuth.Import.Ovn.OvnNbctlShowParser.Parse(output, ns, log);
        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains(log.Warnings, w => w.ToString().Contains("paste.txt:12") && w.Message.Contains("addresses of port p1"));
        Assert.Contains(log.Warnings, w => w.ToString().Contains("paste.txt:13"));
    }
}

/// <summary>OVN outputs saved with no command line and a name that says nothing are recognised from their content.</summary>
public sealed class UnnamedOvnOutputTests
{
    private static Snapshot LoadAs(string name) =>
        ImportTestKit.LoadText(File.ReadAllText(ImportTestKit.Fixture("ovn", name)), "out.txt", "h");

    [Theory]
    [InlineData("ovn-nbctl_show.txt", false)]
    [InlineData("public_ovs-dbg-109_ovn-nbctl_show.txt", false)]
    [InlineData("ovn-nbctl_list_Logical_Switch_Port.txt", true)]
    public void Ovn_nbctl_output_with_no_command_line_is_read(string file, bool portSecurity)
    {
        var s = LoadAs(file);
        Assert.Empty(s.Warnings.Concat(s.Hosts.SelectMany(h => h.Warnings)));
        var ports = Assert.Single(s.Hosts).Root!.Ovn!.Ports;
        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.Equal(portSecurity, p.PortSecurityKnown));
    }
}

/// <summary>`ovn-sbctl show` on the lab's capture (Fixtures/ovn/ovn-sbctl_show.txt) and a public paste.</summary>
public sealed class OvnSbctlShowTests
{
    [Fact]
    public void The_labs_sbctl_show_gives_each_chassis_its_hostname_encap_and_port_bindings()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovn/ovn-sbctl_show.txt", "ovn-sbctl --db=unix:/run/netsleuth/p/ovn/sb.sock show").Warnings);
        var chassis = ns.Ovn!.Chassis;
        Assert.Equal(["node2", "worker"], chassis.Select(c => c.Name));
        var worker = chassis[1];
        Assert.Equal("worker", worker.Hostname);
        var encap = Assert.Single(worker.Encaps);
        Assert.Equal("geneve", encap.Type);
        Assert.Equal("203.0.113.1", encap.Ip);
        Assert.Equal("true", encap.Options["csum"]);
        Assert.Equal(["default_peerpod", "k8s-worker"], worker.PortBindings);
        Assert.Equal("unix:/run/netsleuth/p/ovn/sb.sock", ns.Ovn.SbDb);
        Assert.Equal(8, worker.Source!.Line);
    }

    [Fact]
    public void A_public_paste_with_quoted_uuid_names_and_a_chassis_without_ports_is_read()
    {
        var ns = NewNamespace();
        Assert.Empty(Parse(ns, "ovn/public_ovn-kubernetes-287_ovn-sbctl_show.txt", "ovn-sbctl show").Warnings);
        var chassis = ns.Ovn!.Chassis;
        Assert.Equal(["af8ff0c8-1fd1-4599-94a8-a1d5ecf84e11", "c36a42ec-f5d1-450a-9e98-313c086cb933"], chassis.Select(c => c.Name));
        Assert.Equal("host-10-1-241-124.test.paas", chassis[0].Hostname);
        Assert.Equal(["k8s-host-10-1-241-124.test.paas"], chassis[0].PortBindings);
        Assert.Empty(chassis[1].PortBindings);
        Assert.Equal("10.1.241.123", chassis[1].Encaps.Single().Ip);
        Assert.Null(ns.Ovn.SbDb);
    }

    [Fact]
    public void Lines_that_are_not_sbctl_show_are_warnings_with_their_line()
    {
        var ns = NewNamespace();
        var output = new NetSleuth.Import.CommandOutput(["ovn-sbctl", "show"],
            ["Chassis c1", "    Encap geneve", "        ip: \"10.0.0.1", "    what is this", "Gateway c1"], "paste.txt", 20);
        var log = new NetSleuth.Import.ImportLog();
        NetSleuth.Import.Ovn.OvnSbctlShowParser.Parse(output, ns, log);
        Assert.Equal(3, log.Warnings.Count);
        Assert.Contains(log.Warnings, w => w.ToString().Contains("paste.txt:22") && w.Message.Contains("the ip of chassis c1"));
        Assert.Contains(log.Warnings, w => w.ToString().Contains("paste.txt:23"));
        Assert.Contains(log.Warnings, w => w.ToString().Contains("paste.txt:24") && w.Message.Contains("not a Chassis line"));
        Assert.Null(ns.Ovn!.Chassis.Single().Encaps.Single().Ip);
    }

    [Theory]
    [InlineData("ovn-sbctl_show.txt")]
    [InlineData("public_ovn-kubernetes-287_ovn-sbctl_show.txt")]
    public void Sbctl_show_with_no_command_line_is_recognised_from_its_content(string file)
    {
        var s = ImportTestKit.LoadText(File.ReadAllText(ImportTestKit.Fixture("ovn", file)), "out.txt", "h");
        Assert.Empty(s.Warnings.Concat(s.Hosts.SelectMany(h => h.Warnings)));
        Assert.Equal(2, Assert.Single(s.Hosts).Root!.Ovn!.Chassis.Count);
    }
}
