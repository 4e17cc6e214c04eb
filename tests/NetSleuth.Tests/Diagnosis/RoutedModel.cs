using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>
/// node1 (bridge br0 with pods on veths) —203.0.113.0/28— router —203.0.113.16/28— node2, as the lab's
/// bridge-pods scenario builds it. Healthy by default; tests break one thing each.
/// </summary>
internal sealed class RoutedModel
{
    public const string Node2Mac = "02:00:00:00:02:01";
    public HostBuilder Node1 { get; } = new("node1");
    public HostBuilder Router { get; } = new("router");
    public HostBuilder Node2 { get; } = new("node2");
    public Link R2 { get; }
    public Link Node2Eth1 { get; }

    public RoutedModel(int pods = 2, string? podIpOverride = null)
    {
        var n1 = Node1.Root;
        n1.Sysctls["net.ipv4.ip_forward"] = "1";
        var br0 = Node1.Dev(n1, "br0", LinkKinds.Bridge, "02:00:00:00:01:00");
        Node1.Addr(n1, br0, "198.18.10.1/24");
        for (int i = 1; i <= pods; i++)
        {
            var pod = Node1.Ns($"pod{i}");
            var (host, eth0) = Node1.Veth(n1, $"veth-pod{i}", $"02:00:00:00:01:{i:x2}", pod, "eth0", $"0a:58:00:00:00:{i:x2}");
            Node1.Master(host, br0);
            Node1.Addr(pod, eth0, i == 2 && podIpOverride is not null ? podIpOverride : $"198.18.10.{10 + i}/24");
            Node1.Route(pod, "default", "198.18.10.1", "eth0");
        }
        var e1 = Node1.Dev(n1, "eth1", null, "02:00:00:00:01:f1");
        Node1.Addr(n1, e1, "203.0.113.1/28");
        Node1.Route(n1, "default", "203.0.113.2", "eth1");

        var r = Router.Root;
        r.Sysctls["net.ipv4.ip_forward"] = "1";
        var r1 = Router.Dev(r, "r-n1", null, "02:00:00:00:0f:01");
        Router.Addr(r, r1, "203.0.113.2/28");
        R2 = Router.Dev(r, "r-n2", null, "02:00:00:00:0f:02");
        Router.Addr(r, R2, "203.0.113.17/28");
        Router.Route(r, "198.18.10.0/24", "203.0.113.1", "r-n1");

        var n2 = Node2.Root;
        Node2Eth1 = Node2.Dev(n2, "eth1", null, Node2Mac);
        Node2.Addr(n2, Node2Eth1, "203.0.113.18/28");
        Node2.Route(n2, "198.18.10.0/24", "203.0.113.17", "eth1");
    }

    public Snapshot Snapshot => new() { Hosts = [Node1.Host, Router.Host, Node2.Host] };
}
