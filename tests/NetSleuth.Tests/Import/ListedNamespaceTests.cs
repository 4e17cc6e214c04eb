using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Import;

/// <summary>Issue 21 item 5: a veth whose peer is in a namespace the input lists but does not dump.</summary>
public sealed class ListedNamespaceTests
{
    [Fact]
    public void A_veth_peer_in_a_listed_but_undumped_namespace_is_present_with_its_ifindex_and_linked()
    {
        // captured: `ip link` in the worker namespace (veths "@if2 … link-netns nimp-cap-pod|vm") and `ip netns`
        var dir = Directory.CreateTempSubdirectory("nimp-listed-");
        try
        {
            File.Copy(ImportTestKit.Fixture("iproute2", "worker", "ip_link.txt"), Path.Combine(dir.FullName, "ip_link.txt"));
            File.Copy(ImportTestKit.Fixture("iproute2", "host", "ip_netns.txt"), Path.Combine(dir.FullName, "ip_netns.txt"));
            var snap = InputLoader.Load(["wk=" + dir.FullName]);

            var host = Assert.Single(snap.Hosts);
            var pod = host.FindNamespace("nimp-cap-pod")!;
            var peer = Assert.Single(pod.Links);
            Assert.Equal(("if2", 2, LinkKinds.Veth), (peer.Name, peer.Index, peer.Kind));
            Assert.Empty(peer.Flags); // its state is not in the input
            Assert.False(pod.IsKnown(Sections.Links));
            Assert.Empty(host.FindNamespace("nimp-cap-x")!.Links); // listed, and no veth of the input goes there

            var t = Linker.Link(snap);
            var edge = Assert.Single(t.Edges, e => e.Kind == EdgeKind.Veth && e.From.Ns == pod);
            Assert.Equal(("if2", "8b7266486ea2861"), (edge.From.Link.Name, edge.To?.Link.Name));
            Assert.Equal(edge.To, t.VethPeer(edge.From));
        }
        finally { dir.Delete(true); }
    }
}
