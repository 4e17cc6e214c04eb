using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Forwarding-relevant sysctls of the calling thread's namespace, keyed as `sysctl` prints them.</summary>
internal static class Sysctls
{
    internal static readonly string[] V4Conf = ["forwarding", "rp_filter", "proxy_arp", "arp_ignore", "arp_filter", "accept_local"];
    internal static readonly string[] V6Conf = ["forwarding"];

    /// <param name="devices">the per-device values already read from the link dump (IFLA_INET_CONF, IFLA_INET6_CONF),
    /// keyed as sysctl prints them: then only the "all" and "default" directories are read from files</param>
    public static void Read(NetNamespace ns, ImportLog log, IReadOnlyDictionary<string, string>? devices = null)
    {
        try
        {
            Add(ns, CollectPaths.IpForward);
            if (devices is null)
            {
                ReadConf(ns, CollectPaths.Ipv4Conf, V4Conf);
                ReadConf(ns, CollectPaths.Ipv6Conf, V6Conf);
            }
            else
            {
                foreach (var (key, value) in devices) ns.Sysctls[key] = value;
                foreach (var d in new[] { "all", "default" })
                {
                    foreach (var n in V4Conf) Add(ns, Path.Combine(CollectPaths.Ipv4Conf, d, n));
                    foreach (var n in V6Conf) Add(ns, Path.Combine(CollectPaths.Ipv6Conf, d, n));
                }
            }
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
