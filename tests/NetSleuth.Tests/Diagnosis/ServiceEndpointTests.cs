using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Tests.Forwarding;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>faults.md #27 on the service model (node r, endpoints s and s2 of default/web 10.96.0.10:80): an endpoint the
/// node cannot reach is a finding of its own, with kube-proxy's DNAT rule and the failing step as evidence and that
/// step's fix.</summary>
public sealed class ServiceEndpointTests
{
    private static DiagnosisReport Diagnose(ServiceModel m) =>
        Diagnoser.Run(NetSleuth.Topology.Linker.Link(new Snapshot { Hosts = [m.M.B.Host] }));

    private static ServiceModel WithRule(string? filterOutput)
    {
        var m = new ServiceModel();
        var text = KubeProxyRules.IptablesSave(m.Services, "198.18.0.0/16");
        if (filterOutput is not null) text = text.Replace("-A OUTPUT -j KUBE-FIREWALL\n", "-A OUTPUT -j KUBE-FIREWALL\n" + filterOutput + "\n", StringComparison.Ordinal);
        m.Parse(["iptables-save"], text);
        return m;
    }

    [Fact]
    public void Given_a_firewall_rule_dropping_one_endpoint_when_diagnosed_then_the_endpoint_is_unreachable_with_the_dnat_rule_and_the_drop()
    {
        var m = WithRule("-A OUTPUT -d 198.18.3.20/32 -p tcp -m tcp --dport 8080 -m comment --comment \"host firewall\" -j DROP");

        var r = Diagnose(m);

        Assert.True(r.Findings.Count(x => x.Id == "service-endpoint-unreachable") == 1, string.Join("\n", r.Findings.Select(x => $"{x} [{string.Join(", ", x.AlsoSeenAs)}]")));
        var f = r.Findings.Single(x => x.Id == "service-endpoint-unreachable");
        Assert.Contains("198.18.3.20:8080", f.Title);
        Assert.Contains("default/web:http", f.Title);
        Assert.Contains(f.Evidence, e => e.Kind == "kube-proxy DNAT" && e.Text.Contains("KUBE-SEP-", StringComparison.Ordinal) &&
            e.Text.Contains("--to-destination 198.18.3.20:8080", StringComparison.Ordinal) && e.Source is not null);
        Assert.Contains(f.Evidence, e => e.Kind == "firewall rule" && e.Text.Contains("198.18.3.20/32", StringComparison.Ordinal));
        var command = Assert.Single(f.Fix.SelectMany(s => s.Commands));
        Assert.Contains("iptables -t filter -D OUTPUT -d 198.18.3.20/32", command);
        Assert.Equal("DeniedOut", f.Trace!.Disposition.Split(':')[0]);
        // the other endpoint (198.18.2.20) is reachable: not named
        Assert.DoesNotContain(r.Findings, x => x.Id == "service-endpoint-unreachable" && x.Title.Contains("198.18.2.20", StringComparison.Ordinal));
        // and the fix, applied to a copy of the model, makes every endpoint reachable
        var snapshot = new Snapshot { Hosts = [m.M.B.Host] };
        var script = NetSleuth.WhatIf.CommandInterpreter.ReadFix(f.Fix.SelectMany(s => s.Commands.Select(c => (s.Host, c))), snapshot, "fix");
        Assert.Empty(script.NotModelled);
        var fixedModel = NetSleuth.WhatIf.ModelCopy.Apply(snapshot, script).Result;
        var after = Diagnoser.Run(NetSleuth.Topology.Linker.Link(fixedModel));
        Assert.DoesNotContain(after.Findings, x => x.Id == "service-endpoint-unreachable");
    }

    [Fact]
    public void Given_healthy_kube_proxy_rules_when_diagnosed_then_no_endpoint_is_unreachable()
    {
        var r = Diagnose(WithRule(null));

        Assert.DoesNotContain(r.Findings, x => x.Id == "service-endpoint-unreachable");
    }

    [Fact]
    public void Given_more_service_ports_than_the_budget_when_diagnosed_then_it_says_how_many_were_checked()
    {
        var m = new ServiceModel();
        for (int i = 1; i <= 5; i++)
            m.Services.Add(new ServicePort("default", "s" + i, "http", "tcp", $"10.96.1.{i}", 80, null, [("198.18.2.20", 8080)]));
        m.Parse(["iptables-save"], KubeProxyRules.IptablesSave(m.Services, "198.18.0.0/16"));
        int before = NetSleuth.Diagnosis.Checks.ServiceEndpointCheck.MaxTraces;
        var check = new NetSleuth.Diagnosis.Checks.ServiceEndpointCheck();
        List<Finding> findings;
        NetSleuth.Diagnosis.Checks.ServiceEndpointCheck.MaxTraces = 3;
        try { findings = check.Run(new DiagnosisContext(NetSleuth.Topology.Linker.Link(new Snapshot { Hosts = [m.M.B.Host] }))).ToList(); }
        finally { NetSleuth.Diagnosis.Checks.ServiceEndpointCheck.MaxTraces = before; }

        var f = Assert.Single(findings);
        Assert.Equal("service-endpoints-sampled", f.Id);
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Contains("3 of 6", f.Title);
    }
}
