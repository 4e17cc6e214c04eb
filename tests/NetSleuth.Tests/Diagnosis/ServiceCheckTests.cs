using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Forwarding;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>faults.md #20: a Service without endpoints and a stale conntrack mapping, on kube-proxy's own rules.</summary>
public sealed class ServiceCheckTests
{
    private static DiagnosisReport Diagnose(ServiceModel m) =>
        Diagnoser.Run(NetSleuth.Topology.Linker.Link(new Snapshot { Hosts = [m.M.B.Host] }));

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_a_service_without_endpoints_when_diagnosed_then_no_endpoints_with_the_rule_and_kubectl(string mode)
    {
        var m = new ServiceModel(endpoints: false);
        if (mode == "nft") m.Nft(); else m.Iptables();

        var f = Diagnose(m).Findings.Single(x => x.Id == "service-no-endpoints" && x.Title.Contains("10.96.0.10"));

        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("default/web", f.Title);
        Assert.NotNull(f.Evidence.Single().Source);
        Assert.Contains("kubectl get endpointslices -n default -l kubernetes.io/service-name=web", f.Fix.Single().Commands);
    }

    [Fact]
    public void Given_a_conntrack_entry_to_a_gone_endpoint_when_traced_then_it_wins_and_the_check_names_it()
    {
        var m = new ServiceModel().Iptables();
        m.Parse(["conntrack", "-L"],
            "tcp      6 431981 ESTABLISHED src=198.18.1.10 dst=10.96.0.10 sport=40000 dport=80 src=198.18.2.99 dst=198.18.1.10 sport=8080 dport=40000 [ASSURED] mark=0 use=1\n");

        var r = m.Trace("c", ServiceModel.ClusterIp, 80);

        Assert.False(r.Delivered);
        var dnat = r.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>().Single();
        Assert.Contains("existing mapping", dnat.Rule);
        Assert.Equal("198.18.2.99:8080", dnat.After);
        Assert.Null(r.Alternatives); // no choice was made: the entry decided
        var f = Diagnose(m).Findings.Single(x => x.Id == "service-stale-conntrack");
        Assert.Equal(["conntrack -D -p tcp --orig-dst 10.96.0.10 --reply-src 198.18.2.99"], f.Fix.Single().Commands.Select(c => c.Replace("ip netns exec r ", "")));
    }
}
