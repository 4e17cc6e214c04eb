using System.Net;
using NetSleuth.Import;
using NetSleuth.Import.Sos;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>
/// The sosreport made by Debian's sos 4.0 on a lab "worker" (Fixtures/sosreport/NOTE.md), in its own
/// flat layout and with its namespace files in the sos ≥ 4.3 layout (namespaces/NS/).
/// </summary>
public sealed class SosReportReaderTests
{
    private const string Pod = "nimb_pod_14766";
    private const string Aux = "nimb-aux-14766";

    public static TheoryData<string> Layouts => new() { "sos-4.0", "sos-4.3-layout" };

    private static string ReportDir(string layout) =>
        Directory.GetDirectories(FixtureFiles.PathOf(Path.Combine("sosreport", layout))).Single();

    private static (Host Host, ImportLog Log) Read(string layout)
    {
        var log = new ImportLog();
        Assert.True(SosReportReader.TryRead(ReportDir(layout), null, out var host, log));
        return (host, log);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Report_gives_the_host_and_its_namespaces(string layout)
    {
        var (host, _) = Read(layout);

        Assert.Equal("nimb-worker0", host.Name);
        Assert.Equal("6.18.44-fc-v669", host.Meta.Kernel);
        Assert.Equal("sosreport", host.Meta.Origin);
        Assert.Equal([Aux, Pod, "root"], host.Namespaces.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal([new NetnsIdEntry(0, Aux), new NetnsIdEntry(1, Pod)], host.Root!.NetnsIds);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Report_gives_ovs_of_the_root_namespace(string layout)
    {
        var (host, _) = Read(layout);
        var ovs = host.Root!.Ovs!;

        var br = Assert.Single(ovs.Bridges);
        Assert.Equal(("br-int", "netdev", "standalone"), (br.Name, br.DatapathType, br.FailMode));
        Assert.Equal(["8b7266486ea2861", "br-int", "ovn-k8s-mp0", "vxlan-tun"], br.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
        var ifaces = br.Ports.SelectMany(p => p.Interfaces).ToDictionary(i => i.Name);
        Assert.Equal("198.51.100.201", ifaces["vxlan-tun"].Options["remote_ip"]);
        Assert.Equal("555005", ifaces["vxlan-tun"].Options["key"]);
        Assert.Equal("default_pod-a", ifaces["8b7266486ea2861"].ExternalIds["iface-id"]); // from list interface
        Assert.Equal("0a:58:0a:84:02:2e", ifaces["8b7266486ea2861"].ExternalIds["attached-mac"]);
        Assert.All(ifaces.Values, i => Assert.NotNull(i.OfPort)); // from ovs-ofctl show
        Assert.Equal(4, ovs.PortStats.Count);
        Assert.Empty(ovs.UnplacedInterfaces);
        Assert.True(host.Root.IsKnown(Sections.Ovs));
        Assert.EndsWith("ovs-vsctl_-t_5_show", ifaces["vxlan-tun"].Source!.File);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Report_gives_sysctls_and_iptables_where_sos_collected_them(string layout)
    {
        var (host, _) = Read(layout);

        Assert.Equal("1", host.Root!.Sysctl("net.ipv4.ip_forward"));
        Assert.Equal("2", host.Root.Sysctl("net.ipv4.conf.ovn-k8s-mp0.rp_filter"));
        Assert.True(host.Root.IsKnown(Sections.Sysctls));
        var aux = host.FindNamespace(Aux)!;
        var rule = Assert.Single(aux.Iptables.Single(t => t.Name == "filter").Rules, r => r.Chain == "cali-INPUT");
        Assert.Equal("DROP", rule.Target);
        Assert.Contains("4789", rule.Args);
        Assert.Equal("nf_tables", aux.Iptables[0].Backend);
        if (layout == "sos-4.3-layout") // sos >= 4.3 runs `sysctl -a` in every namespace
            Assert.Equal("1", aux.Sysctl("net.ipv4.conf.aux1.rp_filter"));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Report_gives_links_routes_and_neighbours_through_the_iproute2_parsers(string layout)
    {
        var (host, log) = Read(layout);
        var root = host.Root!;
        var pod = host.FindNamespace(Pod)!;

        if (CommandTable.Find(CommandLine.Normalise(["ip", "-d", "address"]).Argv) is null)
        {
            // the iproute2 parsers have not landed: every such file is named in a warning, none is lost silently
            Assert.Contains(log.Warnings, w => w.Source!.File.EndsWith("sos_commands/networking/ip_-d_address", StringComparison.Ordinal));
            Assert.Contains(log.Warnings, w => w.Source!.File.EndsWith("ip_route_show_table_all", StringComparison.Ordinal) && w.Namespace == Pod);
            Assert.DoesNotContain(log.Warnings, w => w.Source!.File.Contains("ethtool", StringComparison.Ordinal));
            return;
        }
        var mp0 = root.FindLink("ovn-k8s-mp0")!;
        Assert.Contains(mp0.Addresses, a => a.Prefix == IpPrefix.Parse("198.18.2.2/23"));
        Assert.Contains(root.Routes, r => r.Destination.IsDefault && Equals(r.Gateway, IPAddress.Parse("198.51.100.1")));
        var neigh = Assert.Single(root.Neighbors, n => n.Address.Equals(IPAddress.Parse("198.18.2.46")));
        Assert.Equal(MacAddress.Parse("0a:58:0a:84:02:2e"), neigh.Mac);
        Assert.Contains("PERMANENT", neigh.State);
        Assert.Contains(pod.FindLink("eth0")!.Addresses, a => a.Prefix == IpPrefix.Parse("198.18.2.46/23"));
        Assert.NotNull(pod.FindLink("vxlan1"));
        Assert.Contains(pod.Routes, r => r.Destination.IsDefault && Equals(r.Gateway, IPAddress.Parse("198.18.2.1")));
    }

    [Fact]
    public void A_directory_without_sos_commands_is_not_a_sosreport()
    {
        var log = new ImportLog();
        Assert.False(SosReportReader.TryRead(FixtureFiles.PathOf("ovs"), null, out _, log));
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void Host_name_given_by_the_user_wins()
    {
        var log = new ImportLog();
        Assert.True(SosReportReader.TryRead(ReportDir("sos-4.0"), "worker", out var host, log));
        Assert.Equal("worker", host.Name);
        Assert.Equal("nimb-worker0", host.Meta.Hostname);
    }

    [Fact]
    public void Input_loader_reads_a_sosreport_directory_with_its_warnings_once()
    {
        var snapshot = InputLoader.Load([$"w1={ReportDir("sos-4.0")}"]);

        var host = Assert.Single(snapshot.Hosts);
        Assert.Equal("w1", host.Name);
        Assert.Equal("sosreport", host.Meta.Origin);
        Assert.NotNull(host.Root!.Ovs);
        Assert.Equal(host.Warnings.Count, host.Warnings.Distinct().Count());
        Assert.Contains(host.Warnings, w => w.Source!.File.EndsWith("route_-n", StringComparison.Ordinal)); // `route -n`: no parser
    }
}
