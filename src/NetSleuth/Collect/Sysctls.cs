using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Forwarding-relevant sysctls of the calling thread's namespace, keyed as `sysctl` prints them.</summary>
internal static class Sysctls
{
    internal static readonly string[] V4Conf = ["forwarding", "rp_filter", "proxy_arp", "arp_ignore", "arp_filter", "accept_local", "arp_announce"];
    internal static readonly string[] V6Conf = ["forwarding"];

    /// <param name="known">values already read over netlink (per-device IFLA_INET_CONF/IFLA_INET6_CONF of the link dump,
    /// "all"/"default" of RTM_GETNETCONF), keyed as sysctl prints them: then only the "all" and "default" files
    /// they lack are read</param>
    public static void Read(NetNamespace ns, ImportLog log, IReadOnlyDictionary<string, string>? known = null)
    {
        try
        {
            if (known is null)
            {
                Add(ns, CollectPaths.IpForward);
                ReadConf(ns, CollectPaths.Ipv4Conf, V4Conf);
                ReadConf(ns, CollectPaths.Ipv6Conf, V6Conf);
            }
            else
            {
                foreach (var (key, value) in known) ns.Sysctls[key] = value;
                if (!known.ContainsKey(IpForwardKey)) Add(ns, CollectPaths.IpForward);
                foreach (var d in new[] { "all", "default" })
                {
                    foreach (var n in V4Conf)
                        if (!known.ContainsKey(DeviceKey("ipv4", d, n))) Add(ns, Path.Combine(CollectPaths.Ipv4Conf, d, n));
                    foreach (var n in V6Conf)
                        if (!known.ContainsKey(DeviceKey("ipv6", d, n))) Add(ns, Path.Combine(CollectPaths.Ipv6Conf, d, n));
                }
            }
            // absent = br_netfilter not loaded: bridged frames skip the IP firewall
            foreach (var f in CollectPaths.BridgeNf) Add(ns, f);
            ns.Known.Add(Sections.Sysctls);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warn(new SourceRef(CollectPaths.SysctlNet), "sysctls not collected: " + e.Message, ns.Id);
        }
    }

    private static void ReadConf(NetNamespace ns, string dir, string[] names)
    {
        string[] dirs;
        try { dirs = Directory.GetDirectories(dir); }
        catch (DirectoryNotFoundException) { return; } // IPv6 disabled
        foreach (var d in dirs)
            foreach (var n in names)
                Add(ns, Path.Combine(d, n));
    }

    private static void Add(NetNamespace ns, string path)
    {
        if (Native.ReadSmallFile(path) is { } text) ns.Sysctls[Key(path)] = text.Trim();
    }

    public const string IpForwardKey = "net.ipv4.ip_forward";

    /// <summary>The key of a device's conf value: net.ipv4.conf.DEV.NAME (family "ipv4" or "ipv6").</summary>
    internal static string DeviceKey(string family, string device, string name) =>
        Key($"{CollectPaths.SysctlNet}/{family}/conf/{device}/{name}");

    /// <summary>/proc/sys/net/ipv4/conf/eth0.10/rp_filter → net.ipv4.conf.eth0/10.rp_filter (sysctl's own spelling).</summary>
    internal static string Key(string path)
    {
        var parts = path["/proc/sys/".Length..].Split('/');
        return string.Join('.', parts.Select(p => p.Replace('.', '/')));
    }
}
