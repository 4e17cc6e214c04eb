using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>Forwarding-relevant sysctls of the calling thread's namespace, keyed as `sysctl` prints them.</summary>
internal static class Sysctls
{
    private static readonly string[] V4Conf = ["forwarding", "rp_filter", "proxy_arp", "arp_ignore", "arp_filter", "accept_local"];
    private static readonly string[] V6Conf = ["forwarding"];

    public static void Read(NetNamespace ns, ImportLog log)
    {
        try
        {
            Add(ns, CollectPaths.IpForward);
            ReadConf(ns, CollectPaths.Ipv4Conf, V4Conf);
            ReadConf(ns, CollectPaths.Ipv6Conf, V6Conf);
            ns.Known.Add(Sections.Sysctls);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warn(new SourceRef(CollectPaths.SysctlNet), "sysctls not collected: " + e.Message, ns.Id);
        }
    }

    private static void ReadConf(NetNamespace ns, string dir, string[] names)
    {
        if (!Directory.Exists(dir)) return; // IPv6 disabled
        foreach (var d in Directory.GetDirectories(dir))
            foreach (var n in names)
                Add(ns, Path.Combine(d, n));
    }

    private static void Add(NetNamespace ns, string path)
    {
        if (!File.Exists(path)) return;
        var value = File.ReadAllText(path).Trim();
        ns.Sysctls[Key(path)] = value;
    }

    /// <summary>/proc/sys/net/ipv4/conf/eth0.10/rp_filter → net.ipv4.conf.eth0/10.rp_filter (sysctl's own spelling).</summary>
    internal static string Key(string path)
    {
        var parts = path["/proc/sys/".Length..].Split('/');
        return string.Join('.', parts.Select(p => p.Replace('.', '/')));
    }
}
