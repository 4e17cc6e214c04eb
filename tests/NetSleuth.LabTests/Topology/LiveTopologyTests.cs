using NetSleuth.Collect;
using NetSleuth.Lab;
using NetSleuth.Model;
using NetSleuth.Render;
using NetSleuth.Topology;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Topology;

/// <summary>
/// The peer-pods lab (docs lab-recipe.md, built by the Lab library) in real namespaces, each lab host
/// collected live (its root stand-in as root) and linked: the graph must hold what the kernel has.
/// </summary>
public sealed class LiveTopologyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("peer-pods")]
    [InlineData("peer-pods-ovs")]
    public void Given_the_peer_pods_lab_collected_live_when_linked_then_veth_mirred_tunnel_and_bridge_ports_are_there(string scenario)
    {
        var prefix = LabPaths.UniquePrefix("ntop");
        try
        {
            // Given the lab with the mission's fault, collected host by host
            using var lab = LabBuilder.Up(scenario, [LabFaults.MacMismatch], prefix);
            var snapshot = new Snapshot
            {
                Hosts = lab.Hosts.Select(h => LiveCollector.CollectHost(new CollectOptions
                {
                    HostName = h.Name, RootNamespace = h.RootNamespace, Namespaces = h.Others.ToList(), OvsDb = SocketPath(h.OvsDb), Origin = "lab",
                })).ToList(),
            };
            foreach (var w in snapshot.Hosts.SelectMany(h => h.Warnings)) output.WriteLine("warning: " + w);
            // NETSLEUTH_LAB_KEEP=DIR keeps the collected snapshot (to draw it: netsleuth topology DIR/SCENARIO.json)
            if (Environment.GetEnvironmentVariable("NETSLEUTH_LAB_KEEP") is { Length: > 0 } keep)
                File.WriteAllText(Path.Combine(keep, scenario + ".json"), SnapshotJson.Serialize(snapshot));

            // When linked
            var t = Linker.Link(snapshot);
            var view = TopologyView.Create(t);
            output.WriteLine(TextTopologyRenderer.Render(view));

            // Then the pod veth pair joins the pod namespace to the host end on br-int
            var eth0 = t.FindDevice($"worker:{lab.Ns("wkpod")}:eth0") ?? throw new InvalidOperationException("no eth0 in wkpod");
            var hostEnd = t.VethPeer(eth0);
            Assert.Equal("worker:8b7266486ea2861", hostEnd?.ToString());
            var brInt = t.FindDevice("worker:br-int") ?? throw new InvalidOperationException("no br-int");
            var ports = t.PortsOf(brInt).Select(d => d.Link.Name).ToList();
            Assert.Contains("8b7266486ea2861", ports);
            Assert.Contains(scenario == "peer-pods" ? "mp0-br" : "ovn-k8s-mp0", ports);
            Assert.Equal(brInt, t.BridgeOf(hostEnd!));

            // And both mirred redirects glue eth0 and vxlan1
            var redirects = t.Edges.Where(e => e.Kind == EdgeKind.TcRedirect).Select(e => $"{e.Label}: {e.From.Link.Name}->{e.To?.Link.Name}").Order();
            Assert.Equal(["ingress → egress redirect: eth0->vxlan1", "ingress → egress redirect: vxlan1->eth0"], redirects);

            // And the tunnel runs between the two hosts, each end's socket in its host's root stand-in
            var vxlan1 = t.FindDevice($"worker:{lab.Ns("wkpod")}:vxlan1")!;
            var tunnel = t.Tunnel(vxlan1)!;
            Assert.Equal($"podvm:{lab.Ns("vmpod")}:vxlan0", tunnel.Far?.ToString());
            Assert.Equal("worker", tunnel.Underlay?.ToString());
            Assert.Single(t.Edges, e => e.Kind == EdgeKind.Tunnel && e.To is not null);
            Assert.Equal("worker:ens3", t.EdgesFrom(vxlan1).Single(e => e.Kind == EdgeKind.TunnelUnderlay).To?.ToString());

            // And the underlay: one subnet, and the veth standing for the wire between the machines
            Assert.Equal("198.51.100.0/24", Assert.Single(t.Segments).Subnet.ToString());
            Assert.Equal("podvm:ens2", t.VethPeer(t.FindDevice("worker:ens3")!)?.ToString());
            Assert.DoesNotContain(view.Edges, e => e.To is null);

            if (SvgTopologyRenderer.DotAvailable) Assert.Contains("<svg", SvgTopologyRenderer.Render(view));
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    /// <summary>LabHost.OvsDb is an OVSDB remote ("unix:/run/…/db.sock"); CollectOptions.OvsDb wants the socket path.</summary>
    private static string? SocketPath(string? remote) =>
        remote is not null && remote.StartsWith("unix:", StringComparison.Ordinal) ? remote["unix:".Length..] : remote;
}
