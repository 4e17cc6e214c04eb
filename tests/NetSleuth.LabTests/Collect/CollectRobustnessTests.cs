using NetSleuth.Model;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect;

/// <summary>Missing tools become warnings and unknown sections; collect refuses to run without root.</summary>
public sealed class CollectRobustnessTests : IClassFixture<CollectLab>
{
    private readonly CollectLab _lab;
    public CollectRobustnessTests(CollectLab lab) => _lab = lab;

    [Fact]
    public void Given_no_tool_on_PATH_When_collecting_over_netlink_a_namespace_without_nft_tables_Then_everything_is_known_without_a_warning()
    {
        var native = NativeBinary.Ensure();
        var bin = Directory.CreateTempSubdirectory("ncol-path-");
        var file = Path.Combine(bin.FullName, "snap.json");
        try
        {
            // no ip, tc, bridge, nft, iptables-save: the in-process reader needs none of them here
            var r = Proc.Run("env", ["PATH=" + bin.FullName, native, "collect", "--netns", _lab.WkPod, "-o", file]);
            Assert.True(r.Ok, r.Stderr);

            var host = Assert.Single(SnapshotJson.Load(file).Hosts);
            var pod = Assert.Single(host.Namespaces);
            foreach (var s in new[] { Sections.Links, Sections.LinkDetails, Sections.Addresses, Sections.Routes4, Sections.Routes6,
                         Sections.Rules4, Sections.Rules6, Sections.Neighbors, Sections.Fdb, Sections.Tc, Sections.Nftables, Sections.Iptables })
                Assert.Contains(s, pod.Known);
            Assert.Empty(host.Warnings);
            Assert.Empty(pod.Nftables!.Tables);
            Assert.Contains(pod.Filters, f => f.Actions.Any(a => a.TargetDevice == "vxlan1"));
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public void Given_no_nft_and_no_iptables_on_PATH_When_collecting_with_the_tools_Then_warnings_say_so_and_those_sections_are_not_known()
    {
        var native = NativeBinary.Ensure();
        var bin = Directory.CreateTempSubdirectory("ncol-path-");
        var file = Path.Combine(bin.FullName, "snap.json");
        try
        {
            foreach (var tool in new[] { "ip", "tc", "bridge" })
                File.CreateSymbolicLink(Path.Combine(bin.FullName, tool), Proc.Run("sh", "-c", "command -v " + tool).Stdout.Trim());
            var r = Proc.Run("env", ["PATH=" + bin.FullName, "NETSLEUTH_COLLECT_WITH=tools", native, "collect", "--netns", _lab.WkPod, "-o", file]);
            Assert.True(r.Ok, r.Stderr);

            var host = Assert.Single(SnapshotJson.Load(file).Hosts);
            var pod = Assert.Single(host.Namespaces);
            Assert.DoesNotContain(Sections.Nftables, pod.Known);
            Assert.DoesNotContain(Sections.Iptables, pod.Known);
            Assert.Contains(Sections.Tc, pod.Known);
            Assert.Contains(Sections.Links, pod.Known);
            Assert.Contains(host.Warnings, w => w.Namespace == _lab.WkPod && w.Message.Contains("nft not found", StringComparison.Ordinal));
            Assert.Contains(host.Warnings, w => w.Namespace == _lab.WkPod && w.Source?.File == "iptables-save");
            Assert.Contains("warning:", r.Stderr);
            Assert.NotEmpty(pod.Filters);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public void Given_an_unprivileged_user_When_collecting_Then_it_exits_2_with_a_clear_message()
    {
        var native = NativeBinary.Ensure();

        var r = Proc.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", native, "collect"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("netsleuth: collect needs root (it enters every network namespace); run it with sudo", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }
}
