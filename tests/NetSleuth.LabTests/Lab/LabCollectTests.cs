using NetSleuth.Cli;
using NetSleuth.Lab;
using NetSleuth.Model;

namespace NetSleuth.LabTests.Lab;

/// <summary>`netsleuth collect --lab P -o DIR` on a real lab: one snapshot per lab host.</summary>
public sealed class LabCollectTests
{
    [Fact]
    public void Given_a_peer_pods_ovs_lab_When_collected_Then_each_host_has_its_namespaces_root_first_and_ovs()
    {
        var prefix = LabPaths.UniquePrefix("nlabc");
        var dir = Directory.CreateTempSubdirectory("nlabc").FullName;
        try
        {
            using var lab = LabBuilder.Up("peer-pods-ovs", [LabFaults.MacMismatch], prefix);
            var o = new StringWriter();
            var e = new StringWriter();
            int code = Program.Run(["collect", "--lab", prefix, "-o", dir], o, e);
            Assert.True(code == 0, e.ToString());

            Assert.Equal(["podvm.json", "worker.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
            var worker = SnapshotJson.Load(Path.Combine(dir, "worker.json")).Hosts.Single();
            Assert.Equal("worker", worker.Name);
            Assert.Equal("lab", worker.Meta.Origin);
            Assert.Equal(lab.Ns("wk"), worker.Root!.Name);
            Assert.Equal([lab.Ns("wk"), lab.Ns("wkpod")], worker.Namespaces.Select(n => n.Name ?? n.Id).Order());
            var bridge = Assert.Single(worker.Root.Ovs!.Bridges);
            Assert.Equal("br-int", bridge.Name);
            Assert.Equal("netdev", bridge.DatapathType);

            var podvm = SnapshotJson.Load(Path.Combine(dir, "podvm.json")).Hosts.Single();
            Assert.Equal(lab.Ns("vm"), podvm.Root!.Name);
            var vmpod = podvm.Namespaces.Single(n => n.Name == lab.Ns("vmpod"));
            var vxlan0 = vmpod.Links.Single(l => l.Name == "vxlan0");
            Assert.Equal("7e:e5:f7:e6:f5:1a", vxlan0.Mac?.ToString());
        }
        finally
        {
            LabBuilder.Down(prefix);
            Directory.Delete(dir, recursive: true);
        }
        LabLeftovers.AssertNone(prefix);
    }

    [Fact]
    public void Given_no_such_lab_When_collected_Then_it_says_so_and_writes_nothing()
    {
        var prefix = LabPaths.UniquePrefix("nlabn");
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(["collect", "--lab", prefix], o, e);
        Assert.NotEqual(0, code);
        Assert.Contains($"no lab '{prefix}'", e.ToString());
        Assert.Equal("", o.ToString());
    }
}
