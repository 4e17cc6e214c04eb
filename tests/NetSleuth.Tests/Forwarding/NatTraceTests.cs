using NetSleuth.Forwarding;

namespace NetSleuth.Tests.Forwarding;

/// <summary>Traces through kube-proxy's rules (iptables mode) as kube-proxy writes them: ClusterIP with two endpoints,
/// NodePort, masquerade out of the cluster, reply un-NAT, no endpoints.</summary>
public sealed class NatTraceTests
{
    private static ServiceModel Node(string mode, bool endpoints = true, bool masquerade = true, bool podMasquerade = true)
    {
        var m = new ServiceModel(endpoints);
        if (mode == "nft")
        {
            m.Nft(masquerade);
            if (podMasquerade)
                m.Parse(["nft", "list", "table", "ip", "cni"],
                    "table ip cni {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat + 10; policy accept;\n" +
                    "\t\tip saddr 198.18.0.0/16 ip daddr != 198.18.0.0/16 masquerade comment \"pod traffic leaving the cluster\"\n\t}\n}\n");
            return m;
        }
        return m.Iptables(masquerade, podMasquerade: podMasquerade);
    }

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_a_cluster_ip_with_two_endpoints_when_traced_then_each_endpoint_is_traced_and_the_reply_comes_from_the_service(string mode)
    {
        var m = Node(mode);

        var r = m.Trace("c", ServiceModel.ClusterIp, 80);

        Assert.True(r.Delivered, TraceText.Render(r));
        var dnat = r.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>().Single();
        Assert.Equal("DNAT", dnat.Kind);
        Assert.Equal("10.96.0.10:80", dnat.Before);
        Assert.Equal("198.18.2.20:8080", dnat.After);
        Assert.Contains(mode == "nft" ? "dnat to 198.18.2.20:8080" : "KUBE-SEP-", dnat.Rule);
        Assert.Contains(r.Forward.Hops.SelectMany(h => h.Steps).OfType<ChoiceStep>(), c => c.Alternatives.Count == 2);
        Assert.Equal("h", r.Forward.Hops[^1].Host);
        Assert.Equal("s", r.Forward.Hops[^1].Namespace);
        // the reply: 198.18.2.20:8080 → 198.18.1.10 becomes 10.96.0.10:80 → 198.18.1.10 again in r
        var unDnat = r.Reply!.Hops.SelectMany(h => h.Steps).OfType<NatStep>().Single();
        Assert.Equal("un-DNAT", unDnat.Kind);
        Assert.Equal("10.96.0.10:80", unDnat.After);
        var other = Assert.Single(r.Alternatives!);
        Assert.True(other.Delivered);
        Assert.Equal("s2", other.Forward.Hops[^1].Namespace);
        Assert.Contains("2 of 2", other.Endpoint);
        Assert.Contains("endpoints", TraceText.Render(r));
    }

    [Fact]
    public void Given_a_service_trace_when_written_as_json_then_nat_and_choice_steps_and_alternatives_are_in_it()
    {
        var r = Node("iptables").Trace("c", ServiceModel.ClusterIp, 80);

        var json = TraceJson.Serialize(r);

        Assert.Contains("\"step\": \"nat\"", json);
        Assert.Contains("\"step\": \"choice\"", json);
        Assert.Contains("\"alternatives\": [", json);
        Assert.Contains("\"after\": \"198.18.3.20:8080\"", json);
    }

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_one_endpoint_unreachable_when_traced_then_the_failing_endpoint_is_the_result(string mode)
    {
        var m = Node(mode);
        m.S2.FindLink("eth0")!.Flags.Remove("UP");
        m.S2.FindLink("eth0")!.Flags.Remove("LOWER_UP");
        m.S2.FindLink("eth0")!.OperState = "DOWN";

        var r = m.Trace("c", ServiceModel.ClusterIp, 80);

        Assert.False(r.Delivered);
        Assert.Contains("198.18.3.20", TraceText.Render(r));
        Assert.True(Assert.Single(r.Alternatives!).Delivered);
    }

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_a_service_without_endpoints_when_traced_then_rejected(string mode)
    {
        var m = Node(mode, endpoints: false);

        var r = m.Trace("c", ServiceModel.ClusterIp, 80);

        Assert.Equal(Disposition.DeniedForward, r.Forward.Disposition);
        Assert.Contains(mode == "nft" ? "reject" : "has no endpoints", r.Forward.Reason);
        Assert.Null(r.Alternatives);
    }

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_a_node_port_from_outside_when_traced_then_dnat_and_masquerade_and_the_reply_is_un_natted(string mode)
    {
        var m = Node(mode);

        var r = m.Trace("o", "203.0.113.1", 30080);

        Assert.True(r.Delivered, TraceText.Render(r));
        var nat = r.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>().ToList();
        Assert.Equal(["DNAT", "MASQUERADE"], nat.Select(n => n.Kind));
        Assert.Equal("203.0.113.1:30080", nat[0].Before);
        Assert.StartsWith("198.18.2.1:", nat[1].After); // the node's address toward the endpoint
        var back = r.Reply!.Hops.SelectMany(h => h.Steps).OfType<NatStep>().Select(n => n.Kind).ToList();
        Assert.Equal(["un-SNAT", "un-DNAT"], back);
        Assert.Equal("o", r.Reply.Hops[^1].Namespace);
    }

    [Theory, InlineData("iptables"), InlineData("nft")]
    public void Given_pod_traffic_leaving_the_cluster_when_masqueraded_then_the_outside_answers_and_without_it_the_reply_is_lost(string mode)
    {
        var with = Node(mode);
        var r = with.Trace("c", "203.0.113.50", 443);
        Assert.True(r.Delivered, TraceText.Render(r));
        Assert.Contains(r.Forward.Hops.SelectMany(h => h.Steps).OfType<NatStep>(), n => n.Kind == "MASQUERADE" && n.After.StartsWith("203.0.113.1:"));

        var without = Node(mode, podMasquerade: false);
        var lost = without.Trace("c", "203.0.113.50", 443);
        Assert.False(lost.Delivered);
        Assert.Equal(Disposition.NoRoute, lost.Reply!.Disposition); // the outside has no route to 198.18.1.10
    }
}

/// <summary>kube-proxy ipvs mode from imported outputs (this machine's kernel has no IPVS): the Service address on the
/// kube-ipvs0 dummy device, the virtual service and its real servers from `ipvsadm -Ln`.</summary>
public sealed class IpvsTraceTests
{
    private static ServiceModel Node(bool endpoints = true)
    {
        var m = new ServiceModel();
        var dummy = m.M.B.Dev(m.M.R, "kube-ipvs0", "dummy", "02:00:00:00:09:09", up: false);
        m.M.B.Addr(m.M.R, dummy, ServiceModel.ClusterIp + "/32");
        m.M.R.Known.Add(NetSleuth.Model.Sections.Iptables);
        m.Parse(["ipvsadm", "-Ln"], """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
            TCP  10.96.0.10:80 rr
            """ + (endpoints ? """

              -> 198.18.2.20:8080             Masq    1      0          0
              -> 198.18.3.20:8080             Masq    1      0          0
            """ : ""));
        return m;
    }

    [Fact]
    public void Given_a_virtual_service_with_two_real_servers_when_traced_then_each_is_reached_and_the_reply_comes_from_the_service()
    {
        var r = Node().Trace("c", ServiceModel.ClusterIp, 80);

        Assert.True(r.Delivered, TraceText.Render(r));
        var ipvs = r.Forward.Hops.SelectMany(h => h.Steps).OfType<IpvsStep>().Single();
        Assert.Equal("198.18.2.20", ipvs.Real!.ToString());
        Assert.Equal("s", r.Forward.Hops[^1].Namespace);
        Assert.Equal("10.96.0.10:80", r.Reply!.Hops.SelectMany(h => h.Steps).OfType<NatStep>().Single(n => n.Kind == "un-DNAT").After);
        var other = Assert.Single(r.Alternatives!);
        Assert.Equal("s2", other.Forward.Hops[^1].Namespace);
    }

    [Fact]
    public void Given_a_virtual_service_without_real_servers_when_traced_then_unreachable_at_the_node()
    {
        var r = Node(endpoints: false).Trace("c", ServiceModel.ClusterIp, 80);

        Assert.Equal(Disposition.Unreachable, r.Forward.Disposition);
        Assert.Contains("no real servers", r.Forward.Reason);
    }
}
