using NetSleuth.Cli;
using NetSleuth.Lab;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Forwarding;

/// <summary>
/// `netsleuth probe` on the lab's faults: one real probe, the kernel's drop reason and device from tracefs beside
/// the model's trace, and the two agree. Each case builds its own lab (prefix "fzp…") and leaves no tracefs
/// instance behind.
/// </summary>
[Collection(nameof(NetSleuth.LabTests.Lab.SerialLabCollection))] // tracefs sees every packet on the machine: no other lab test may run beside it
public sealed class ProbeLabTests(ITestOutputHelper output)
{
    private (int Code, string Out) Probe(string scenario, string fault, params string[] args)
    {
        var prefix = LabPaths.UniquePrefix("fzp");
        try
        {
            using var lab = LabBuilder.Up(scenario, [fault], prefix);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = Program.Run(["probe", "--lab", prefix, .. args], stdout, stderr);
            output.WriteLine(stdout.ToString() + stderr);
            var text = stdout.ToString().Replace(prefix + "-", "P-", StringComparison.Ordinal);
            return (rc, text);
        }
        finally
        {
            LabBuilder.Down(prefix);
            Assert.Empty(OwnInstances());
        }
    }

    /// <summary>This process's tracefs instances still there (there should be none once a probe has ended).</summary>
    private static List<string> OwnInstances()
    {
        var r = NetSleuth.Util.Proc.Run("unshare", "-m", "sh", "-c",
            "mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances");
        var pid = "-" + Environment.ProcessId;
        return r.Stdout.Split('\n').Where(l => l.StartsWith("netsleuth-probe-", StringComparison.Ordinal) && l.EndsWith(pid, StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public void Given_peer_pods_with_the_tunnel_end_mac_mismatch_when_probed_then_the_kernel_drops_otherhost_at_vxlan0_as_the_model_says()
    {
        var (rc, text) = Probe("peer-pods", LabFaults.MacMismatch, "--from", "worker", "--to", "198.18.2.46");

        Assert.Contains("model:  dropped at podvm:P-vmpod:vxlan0 (request), DroppedOtherHost", text);
        Assert.Contains("kernel: no answer; kfree_skb OTHERHOST after vxlan0", text);
        Assert.Contains("\nagree\n", text);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void Given_peer_pods_with_the_firewall_drop_when_probed_then_the_kernel_drops_netfilter_drop_as_the_model_says()
    {
        var (rc, text) = Probe("peer-pods", LabFaults.FirewallDrop, "--from", "worker", "--to", "198.18.2.46");

        Assert.Contains("model:  dropped at podvm (request), DeniedIn", text);
        Assert.Contains("kfree_skb NETFILTER_DROP after ens2", text);
        Assert.Contains("\nagree\n", text);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void Given_bridge_pods_with_strict_rp_filter_when_probed_then_the_kernel_drops_the_reply_ip_rpfilter_as_the_model_says()
    {
        var (rc, text) = Probe("bridge-pods", LabFaults.RpFilter, "--from", "node1:n1pod1", "--to", "203.0.113.18");

        Assert.Contains("model:  dropped at router:r-n2b (reply), RpFilterDrop", text);
        Assert.Contains("kfree_skb IP_RPFILTER after r-n2b", text);
        Assert.Contains("\nagree\n", text);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void Given_bridge_pods_with_a_small_mtu_when_a_large_probe_is_sent_then_the_router_drops_it_pkt_too_big_as_the_model_says()
    {
        var (rc, text) = Probe("bridge-pods", LabFaults.Mtu, "--from", "node1:n1pod1", "--to", "203.0.113.18", "--size", "1500");

        Assert.Contains("model:  dropped at router:r-n2 (request), MtuExceeded", text);
        Assert.Contains("kfree_skb PKT_TOO_BIG after r-n1", text);
        Assert.Contains("\nagree\n", text);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void Given_peer_pods_with_a_small_underlay_mtu_when_a_large_probe_is_sent_then_the_outer_packet_is_dropped_before_it_leaves_as_the_model_says()
    {
        // the VXLAN outer packet (df inherit) does not fit ens3: the kernel frees it in ip_fragment, last seen on vxlan1
        var (rc, text) = Probe("peer-pods", LabFaults.Mtu, "--from", "worker", "--to", "198.18.2.46", "--size", "1400");

        Assert.Contains("model:  dropped at worker:ens3 (request), MtuExceeded", text);
        Assert.Contains("kfree_skb NOT_SPECIFIED after vxlan1 (ip_fragment", text);
        Assert.Contains("\nagree\n", text);
        Assert.Equal(0, rc);
    }
}
