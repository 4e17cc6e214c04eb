using System.Diagnostics;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect;

/// <summary>
/// The mission's two machines in four namespaces (worker wk + pod wkpod, VM vm + pod vmpod, names
/// prefixed "ncol" + a random part), plus everything the collector must report: veth pairs across
/// namespaces, a bridge, vxlans created in one namespace and moved to another, tc mirred filters,
/// a permanent neighbour, a route in table 100 with a rule, a distinctive sysctl, and an unnamed
/// namespace (a process's) holding the peer of a veth. IPv6 is off so nothing changes by itself
/// (no DAD, no router solicitations). Deleted on Dispose, also after a failed test.
/// </summary>
public sealed class CollectLab : IDisposable
{
    public string Prefix { get; } = "ncol" + Guid.NewGuid().ToString("N")[..6] + "-";
    public string Wk => Prefix + "wk";
    public string WkPod => Prefix + "wkpod";
    public string Vm => Prefix + "vm";
    public string VmPod => Prefix + "vmpod";
    public IReadOnlyList<string> Names => [Vm, VmPod, Wk, WkPod];
    /// <summary>The process that holds the unnamed namespace, and that namespace's inode.</summary>
    public Process? Holder { get; private set; }
    public long UnnamedInode { get; private set; }

    public CollectLab()
    {
        try { Build(); }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        foreach (var n in Names)
        {
            Sh($"ip netns add {n}");
            Sh($"ip netns exec {n} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
            Sh($"ip -n {n} link set lo up");
        }
        Sh($"ip link add ens3 netns {Wk} type veth peer name ens2 netns {Vm}");
        Sh($"ip -n {Wk} addr add 198.51.100.163/24 dev ens3");
        Sh($"ip -n {Wk} link set ens3 up");
        Sh($"ip -n {Vm} addr add 198.51.100.201/24 dev ens2");
        Sh($"ip -n {Vm} link set ens2 up");
        Sh($"ip -n {Wk} link add br-int type bridge");
        Sh($"ip -n {Wk} link set br-int up");
        Sh($"ip -n {Wk} link add ovn-k8s-mp0 type veth peer name mp0-br");
        Sh($"ip -n {Wk} link set mp0-br master br-int");
        Sh($"ip -n {Wk} addr add 198.18.2.2/23 dev ovn-k8s-mp0");
        Sh($"ip -n {Wk} link add 8b7266486ea2861 type veth peer name eth0 netns {WkPod}");
        Sh($"ip -n {Wk} link set 8b7266486ea2861 master br-int");
        Sh($"ip -n {WkPod} link set eth0 address 0a:58:0a:84:02:2e");
        Sh($"ip -n {WkPod} addr add 198.18.2.46/23 dev eth0");
        Sh($"ip -n {Wk} link add vxlan1 type vxlan id 555005 remote 198.51.100.201 dstport 4789 nolearning dev ens3");
        Sh($"ip -n {Wk} link set vxlan1 netns {WkPod}");
        Sh($"ip -n {WkPod} link set vxlan1 up");
        Sh($"ip -n {WkPod} link set eth0 up");
        Sh($"tc -n {WkPod} qdisc add dev eth0 ingress");
        Sh($"tc -n {WkPod} filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1");
        Sh($"tc -n {WkPod} qdisc add dev vxlan1 clsact");
        Sh($"tc -n {WkPod} filter add dev vxlan1 ingress protocol all u32 match u32 0 0 action mirred egress redirect dev eth0");
        Sh($"ip -n {Vm} link add vxlan0 type vxlan id 555005 remote 198.51.100.163 dstport 4789 nolearning dev ens2");
        Sh($"ip -n {Vm} link set vxlan0 netns {VmPod}");
        Sh($"ip -n {VmPod} link set vxlan0 address 7e:e5:f7:e6:f5:1a mtu 1400");
        Sh($"ip -n {VmPod} addr add 198.18.2.46/23 dev vxlan0");
        Sh($"ip -n {VmPod} link set vxlan0 up");
        Sh($"ip -n {VmPod} route add default via 198.18.2.1 dev vxlan0");
        Sh($"ip -n {Wk} neigh replace 198.18.2.46 lladdr 0a:58:0a:84:02:2e dev ovn-k8s-mp0 nud permanent");
        Sh($"ip -n {Wk} route add 203.0.113.0/24 via 198.51.100.201 table 100");
        Sh($"ip -n {Wk} rule add from 198.18.2.0/23 lookup 100 pref 1000");
        Sh($"ip -n {Wk} -6 rule add from 2001:db8::/64 lookup 100 pref 1001");
        Sh($"ip netns exec {WkPod} sysctl -qw net.ipv4.conf.eth0.rp_filter=2 net.ipv4.ip_forward=1");

        // an unnamed namespace, alive only through a process, with the peer of a veth from wk
        Holder = Process.Start(new ProcessStartInfo("unshare", ["-n", "sleep", "300"]) { UseShellExecute = false })!;
        var link = "";
        for (int i = 0; i < 100 && !link.StartsWith("net:", StringComparison.Ordinal); i++)
        {
            Thread.Sleep(20);
            link = Proc.Run("readlink", $"/proc/{Holder.Id}/ns/net").Stdout.Trim();
            if (link == Proc.Run("readlink", "/proc/1/ns/net").Stdout.Trim()) link = "";
        }
        UnnamedInode = long.Parse(link[5..^1], System.Globalization.CultureInfo.InvariantCulture);
        Sh($"ip -n {Wk} link add cni0 type veth peer name eth9 netns {Holder.Id}");
        Sh($"ip -n {Wk} link set cni0 up");
    }

    public static string Sh(string command)
    {
        var r = Proc.Run("sh", "-c", command);
        if (!r.Ok) throw new InvalidOperationException($"lab command failed: {command}\n{r.Stderr}");
        return r.Stdout;
    }

    public void Dispose()
    {
        if (Holder is { } h)
        {
            try { h.Kill(); h.WaitForExit(5000); } catch (InvalidOperationException) { }
            h.Dispose();
        }
        foreach (var line in Proc.Run("ip", "netns", "list").Stdout.Split('\n'))
        {
            var name = line.Split(' ')[0];
            if (name.StartsWith(Prefix, StringComparison.Ordinal)) Proc.Run("ip", "netns", "del", name);
        }
    }
}
