using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Topology;

/// <summary>
/// A Kubernetes-style node with many pods on one bridge (OVN-Kubernetes' br-int as a Linux bridge,
/// the management port ovn-k8s-mp0), plus a second node on the same underlay subnet that routes the
/// first node's pod subnet to it — the shape that needs --focus to stay readable.
/// </summary>
internal static class PodNodeModel
{
    public static Snapshot Build(int pods = 20)
    {
        var n1 = new HostBuilder("node1");
        var root = n1.Root;
        var ens3 = n1.Dev(root, "ens3", null, "52:54:00:00:10:01");
        n1.Addr(root, ens3, "198.51.100.10/24");
        var br = n1.Dev(root, "br-int", LinkKinds.Bridge, "52:54:00:00:10:02", mtu: 1400);
        var (mp0, mp0br) = n1.Veth(root, "ovn-k8s-mp0", "52:54:00:00:10:03", root, "mp0-br", "52:54:00:00:10:04");
        n1.Master(mp0br, br);
        n1.Addr(root, mp0, "198.18.0.2/23");
        for (int i = 1; i <= pods; i++)
        {
            var pod = n1.Ns($"pod-{i:D2}");
            var (host, eth0) = n1.Veth(root, $"veth{i:D2}", $"52:54:00:01:00:{i:x2}", pod, "eth0", $"0a:58:c6:12:00:{10 + i:x2}");
            n1.Master(host, br);
            n1.Addr(pod, eth0, $"198.18.0.{10 + i}/23");
            n1.Route(pod, "default", "198.18.0.1", "eth0");
        }

        var n2 = new HostBuilder("node2");
        var ens3b = n2.Dev(n2.Root, "ens3", null, "52:54:00:00:20:01");
        n2.Addr(n2.Root, ens3b, "198.51.100.11/24");
        n2.Route(n2.Root, "198.18.0.0/23", "198.51.100.10", "ens3");
        return new Snapshot { Hosts = [n1.Host, n2.Host] };
    }
}
