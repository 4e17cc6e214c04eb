using NetSleuth.Import;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>
/// The peer-pods lab as saved command outputs (Fixtures/iproute2, captured from the lab recipe by
/// capture.sh): each host a directory, its pod namespace under netns/NAME, loaded by the InputLoader
/// and linked. The captured outputs name the lab's namespaces (nimp-cap-*), and the worker's root
/// is itself one of them, so the linker has to fall back on ifindex pairs and routes — as it must on
/// real users' pasted outputs.
/// </summary>
public sealed class ImportedPeerPodsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntop-imp").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Host(string name, string rootFixture, string nsName, string nsFixture)
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "iproute2");
        var root = Path.Combine(_dir, name);
        var ns = Path.Combine(root, "netns", nsName);
        Directory.CreateDirectory(ns);
        foreach (var f in Directory.GetFiles(Path.Combine(fixtures, rootFixture))) File.Copy(f, Path.Combine(root, Path.GetFileName(f)));
        foreach (var f in Directory.GetFiles(Path.Combine(fixtures, nsFixture))) File.Copy(f, Path.Combine(ns, Path.GetFileName(f)));
        return $"{name}={root}";
    }

    [Fact]
    public void Given_the_peer_pods_lab_imported_from_saved_outputs_when_linked_then_veth_mirred_tunnel_and_bridge_ports_are_there()
    {
        var snapshot = InputLoader.Load([Host("worker", "worker", "nimp-cap-pod", "pod"), Host("podvm", "vm", "nimp-cap-vmpod", "vmpod")]);

        var t = Linker.Link(snapshot);

        var eth0 = t.FindDevice("worker:nimp-cap-pod:eth0")!;
        var hostSide = t.VethPeer(eth0)!;
        Assert.Equal("worker:8b7266486ea2861", hostSide.ToString());
        Assert.Equal(["8b7266486ea2861", "mp0-br"], t.PortsOf(t.FindDevice("worker:br-int")!).Select(d => d.Link.Name).Order());
        var redirects = t.Edges.Where(e => e.Kind == EdgeKind.TcRedirect && e.Label.StartsWith("ingress", StringComparison.Ordinal))
            .Select(e => $"{e.From.Link.Name}->{e.To!.Link.Name}").Order();
        Assert.Equal(["eth0->vxlan1", "vxlan1->eth0"], redirects);
        var tunnel = t.Tunnel(t.FindDevice("worker:nimp-cap-pod:vxlan1")!)!;
        Assert.Equal("podvm:nimp-cap-vmpod:vxlan0", tunnel.Far!.ToString());
        Assert.Equal("198.51.100.0/24", Assert.Single(t.Segments).Subnet.ToString());
        // the captured link-netns names name the lab's namespaces: each fallback is stated
        Assert.Contains(t.Assumptions, a => a.Device == eth0 && a.Text.Contains("by the ifindex pair"));
        Assert.Contains(t.Assumptions, a => a.Text.Contains("VXLAN underlay namespace") && a.Text.Contains("assumed worker"));
    }
}
