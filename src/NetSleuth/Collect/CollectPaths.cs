using System.Globalization;

namespace NetSleuth.Collect;

/// <summary>Every /proc, /sys and /run path the collector reads, in one place.</summary>
internal static class CollectPaths
{
    public const string RootNetns = "/proc/1/ns/net";
    public const string SelfNetns = "/proc/self/ns/net";
    public const string NetnsDir = "/run/netns";
    public const string ThreadNetns = "/proc/thread-self/ns/net";
    public const string SysctlNet = "/proc/sys/net";
    public const string Ipv4Conf = "/proc/sys/net/ipv4/conf";
    public const string Ipv6Conf = "/proc/sys/net/ipv6/conf";
    public const string IpForward = "/proc/sys/net/ipv4/ip_forward";
    /// <summary>br_netfilter's switches (present once the module is loaded; per namespace on recent kernels).</summary>
    public static readonly string[] BridgeNf = ["/proc/sys/net/bridge/bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-ip6tables"];
    public const string IptablesNames = "/proc/thread-self/net/ip_tables_names";
    public const string Ip6tablesNames = "/proc/thread-self/net/ip6_tables_names";
    public const string KernelRelease = "/proc/sys/kernel/osrelease";
    public const string Hostname = "/proc/sys/kernel/hostname";
    public static readonly string[] DefaultOvsdbSockets = ["/run/openvswitch/db.sock", "/var/run/openvswitch/db.sock"];

    public static string NamedNetns(string name) => Path.Combine(NetnsDir, name);
    public static string ProcNetns(int pid) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/net";
    public static string ProcComm(int pid) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm";
    public static string OwnFd(int fd) => $"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}";
}
