using NetSleuth.Import;

namespace NetSleuth.Tests.Import;

/// <summary>
/// Files that name no host (no HOST=, no prompt, no directory) go to the host "host". Two hosts' pastes must not
/// silently become one host: a file whose devices disagree with the earlier unnamed ones (same name, another MAC,
/// ifindex or IPv4 addresses) is read as its own host, with a warning naming both files and the HOST= naming.
/// </summary>
public sealed class UnnamedInputsTests
{
    private static string Real(string dir, string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "real", dir, file);

    [Fact]
    public void Given_two_real_pastes_of_different_hosts_without_names_When_loaded_Then_they_stay_two_hosts_and_a_warning_says_why()
    {
        // flannel#549's container `ip a` (eth0 02:42:0a:f4:4c:03) and calico#1761's node `ip link` (eth0 02:5a:83:9f:e9:1c)
        var a = Real("flannel-549-container-arp", "container.txt");
        var b = Real("calico-1761-iplink", "node.txt");
        var snap = InputLoader.Load([a, b]);

        Assert.Equal(["host", "node"], snap.Hosts.Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.Equal("02:42:0a:f4:4c:03", snap.Hosts.Single(h => h.Name == "host").Root!.Links.Single(l => l.Name == "eth0").Mac.ToString());
        Assert.Equal("02:5a:83:9f:e9:1c", snap.Hosts.Single(h => h.Name == "node").Root!.Links.Single(l => l.Name == "eth0").Mac.ToString());
        var w = Assert.Single(snap.Warnings, x => x.Message.Contains("name no host"));
        Assert.Equal(b, w.Source!.File);
        Assert.Contains(a, w.Message);
        Assert.Contains("eth0: MAC 02:42:0a:f4:4c:03 in one, 02:5a:83:9f:e9:1c in the other", w.Message);
        Assert.Contains($"node={b}", w.Message);
    }

    [Fact]
    public void Given_one_unnamed_paste_When_loaded_Then_it_is_the_host_named_host_without_a_warning()
    {
        var snap = InputLoader.Load([Real("flannel-549-container-arp", "container.txt")]);
        Assert.Equal("host", Assert.Single(snap.Hosts).Name);
        Assert.DoesNotContain(snap.Warnings, x => x.Message.Contains("name no host"));
    }

    [Fact]
    public void Given_unnamed_outputs_of_one_host_that_agree_When_loaded_Then_they_merge()
    {
        // the peer-pods worker's saved `ip addr`, `ip -d link show` and `ip route` (captured outputs, Fixtures/iproute2)
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "iproute2", "worker");
        var snap = InputLoader.Load([Path.Combine(dir, "ip_addr.txt"), Path.Combine(dir, "ip_-d_link_show.txt"), Path.Combine(dir, "ip_route.txt")]);
        var host = Assert.Single(snap.Hosts);
        Assert.Equal("host", host.Name);
        Assert.DoesNotContain(snap.Warnings.Concat(host.Warnings), x => x.Message.Contains("name no host"));
        Assert.NotEmpty(host.Root!.Routes);
    }

    [Fact]
    public void Given_the_same_two_pastes_named_When_loaded_Then_no_guess_is_made()
    {
        var snap = InputLoader.Load(["c=" + Real("flannel-549-container-arp", "container.txt"), "n=" + Real("calico-1761-iplink", "node.txt")]);
        Assert.Equal(["c", "n"], snap.Hosts.Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(snap.Warnings, x => x.Message.Contains("name no host"));
    }
}
