using NetSleuth.Import;
using NetSleuth.Import.Saved;
using NetSleuth.Model;
using static NetSleuth.Tests.Import.ImportTestKit;

namespace NetSleuth.Tests.Import;

public sealed class SavedOutputTests
{
    [Theory]
    [InlineData("ip_a.txt", "ip address show")]
    [InlineData("ip-route-show-table-all", "ip route show table all")]
    [InlineData("ip_-d_link", "ip -details link show")]
    [InlineData("ip_-d_link_show.txt", "ip -details link show")]
    [InlineData("tc_filter_show_dev_eth0_ingress.out", "tc filter show dev eth0 ingress")]
    [InlineData("ip_netns_exec_podns_ip_-d_address", "ip -details address show")]
    [InlineData("bridge_fdb_show", "bridge fdb show")]
    public void File_names_spell_commands(string name, string expected) =>
        Assert.Equal(expected, SavedOutputReader.CommandFromFileName(name)!.Text);

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("ip_link_set_dev_eth0_up")]
    [InlineData("README")]
    public void Other_file_names_spell_none(string name) => Assert.Null(SavedOutputReader.CommandFromFileName(name));

    [Fact]
    public void A_directory_of_saved_outputs_becomes_one_host_named_after_it()
    {
        var snap = InputLoader.Load([Fixture("iproute2", "worker")]);
        var host = snap.Hosts.Single();
        Assert.Equal("worker", host.Name);
        Assert.Empty(host.Warnings);
        var root = host.Root!;
        foreach (var s in new[] { Sections.Links, Sections.LinkDetails, Sections.Addresses, Sections.Routes4, Sections.Routes6, Sections.AllTables, Sections.Rules4, Sections.Rules6, Sections.Neighbors, Sections.Fdb, Sections.NetnsIds })
            Assert.Contains(s, root.Known);
        Assert.Equal(LinkKinds.Bridge, root.FindLink("br-int")!.Kind);
        // the same neighbour seen by `arp -a`, `arp -n` and `ip neigh` is one entry
        Assert.Single(root.Neighbors, n => n.Address.ToString() == "198.18.2.46");
    }

    [Fact]
    public void Content_decides_when_the_name_says_nothing_or_disagrees()
    {
        var dir = Directory.CreateTempSubdirectory("nimp-saved-");
        try
        {
            File.Copy(Fixture("iproute2", "kinds", "ip_route_show_table_all.txt"), Path.Combine(dir.FullName, "routes.log"));
            File.Copy(Fixture("iproute2", "kinds", "ip_-br_addr.txt"), Path.Combine(dir.FullName, "ip_a.txt"));
            File.Copy(Fixture("iproute2", "kinds", "ip_rule.txt"), Path.Combine(dir.FullName, "something"));
            File.WriteAllBytes(Path.Combine(dir.FullName, "core.bin"), [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]);
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "called the customer, they will send a sosreport\n");
            var snap = InputLoader.Load(["n1=" + dir.FullName]);
            var root = snap.Hosts.Single(h => h.Name == "n1").Root!;
            Assert.Contains(root.Routes, r => r.Type == RouteTypes.Throw && r.Table == 100);
            Assert.Contains(Sections.AllTables, root.Known);
            Assert.Equal(7, root.Rules.Count);
            Assert.Contains(root.Links, l => l.Name == "dum0" && l.Addresses.Count == 4);
            var warnings = snap.Warnings.Concat(snap.Hosts.SelectMany(h => h.Warnings)).Select(w => w.ToString()).ToList();
            Assert.Contains(warnings, w => w.Contains("ip_a.txt:1") && w.Contains("-brief"));
            Assert.Contains(warnings, w => w.Contains("core.bin") && w.Contains("binary"));
            Assert.Contains(warnings, w => w.Contains("notes.txt:1") && w.Contains("not recognised"));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Inputs_naming_the_same_host_merge_and_netns_subdirectories_name_namespaces()
    {
        var dir = Directory.CreateTempSubdirectory("nimp-saved-");
        try
        {
            var podDir = Directory.CreateDirectory(Path.Combine(dir.FullName, "netns", "podns")).FullName;
            File.Copy(Fixture("iproute2", "pod", "ip_-d_link_show.txt"), Path.Combine(podDir, "ip_-d_link.txt"));
            File.Copy(Fixture("iproute2", "worker", "ip_neigh.txt"), Path.Combine(dir.FullName, "ip_neigh"));
            var snap = InputLoader.Load(["w=" + dir.FullName, "w=" + Fixture("iproute2", "worker", "ip_route.txt")]);
            var host = snap.Hosts.Single();
            Assert.Equal(555005u, host.FindNamespace("podns")!.FindLink("vxlan1")!.Vxlan!.Vni);
            Assert.NotEmpty(host.Root!.Neighbors);
            Assert.NotEmpty(host.Root.Routes);
        }
        finally { dir.Delete(true); }
    }
}
