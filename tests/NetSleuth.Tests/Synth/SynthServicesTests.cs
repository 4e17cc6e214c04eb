using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Synth;

/// <summary>`synth --services N`: every node carries the nat table kube-proxy's iptables mode writes for N Services, and
/// a pod's connection to a ClusterIP is traced to endpoints on other nodes.</summary>
public sealed class SynthServicesTests
{
    // (bridge style: pods reach Services through the node's netfilter; OVN-Kubernetes serves them in OVN instead)
    [Theory, InlineData(SynthStyle.Bridge)]
    public void Given_synth_with_services_when_a_pod_connects_to_a_cluster_ip_then_the_trace_reaches_both_endpoints(SynthStyle style)
    {
        var options = new SynthOptions(4, 3, style, Seed: 5) { Services = 30 };
        var (snap, _) = new ClusterGenerator(options).GenerateAll();
        var services = ClusterGenerator.ServicePorts(options);

        var node = snap.Hosts[0].Root!;
        var nat = node.Iptables.Single(t => t.Name == "nat");
        Assert.Equal(30, nat.Rules.Count(r => r.Chain == "KUBE-SERVICES" && r.Target!.StartsWith("KUBE-SVC-", StringComparison.Ordinal)));
        Assert.Equal(3, nat.Rules.Count(r => r.Chain == "KUBE-NODEPORTS"));
        Assert.All(snap.Hosts.Where(h => h.Name.StartsWith("node-", StringComparison.Ordinal)), h => Assert.Contains(h.Root!.Iptables, t => t.Name == "nat"));
        Assert.All(services, s => Assert.Equal(2, s.Endpoints.Count));

        var svc = services[7];
        var t = NetSleuth.Topology.Linker.Link(snap);
        var pod = snap.Hosts[0].Namespaces.First(n => !n.IsRoot && n.Links.Any(l => l.Addresses.Any(a => a.Prefix.IsV4 && !IPAddress.IsLoopback(a.Address))));
        var r = Tracer.Trace(t, new TraceRequest(snap.Hosts[0].Name, pod.Name ?? pod.Id, null, IPAddress.Parse(svc.ClusterIp))
            { Protocol = Protocols.Tcp, DestinationPort = 80, SourcePort = 40000 });

        var dnat = r.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>().First(n => n.Kind == "DNAT");
        Assert.Equal($"{svc.ClusterIp}:80", dnat.Before);
        var reached = new[] { r }.Concat(r.Alternatives ?? []).Where(x => x.Forward.Delivered)
            .Select(x => x.Forward.Hops[^1].Host).ToHashSet();
        Assert.True(r.Delivered, TraceText.Render(r));
        Assert.Equal(2, reached.Count);
    }

    [Fact]
    public void Given_synth_with_services_when_diagnosed_then_there_is_no_error()
    {
        var (snap, _) = new ClusterGenerator(new SynthOptions(4, 3, SynthStyle.Bridge, Seed: 5) { Services = 30 }).GenerateAll();

        var r = Diagnoser.Run(NetSleuth.Topology.Linker.Link(snap));

        Assert.False(r.HasErrors, string.Join("\n", r.Findings.Select(f => f.ToString())));
    }

    [Fact]
    public void Given_services_without_pods_when_validated_then_it_says_why()
    {
        var e = Assert.Throws<ArgumentException>(() => new SynthOptions(2, 0) { Services = 3 }.Validate());
        Assert.Contains("--services needs pods", e.Message);
    }
}
