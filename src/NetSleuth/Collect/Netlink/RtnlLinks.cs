using System.Buffers.Binary;
using System.Net;
using NetSleuth.Import;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// RTM_GETLINK and RTM_GETADDR dumps → the namespace's links with their addresses, field by field as
/// IpLinkJson reads `ip -d -j address show` (what ip prints for each attribute is noted beside it).
/// </summary>
internal static class RtnlLinks
{
    public const ushort RTM_GETLINK = 18, RTM_GETADDR = 22;
    public const int IfInfoHeader = 16, IfAddrHeader = 8;

    // IFLA_* (linux/if_link.h)
    private const int IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_QDISC = 6,
        IFLA_MASTER = 10, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_PROMISCUITY = 30, IFLA_LINK_NETNSID = 37,
        IFLA_PROP_LIST = 52, IFLA_ALT_IFNAME = 53;
    private const int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4, IFLA_INFO_SLAVE_DATA = 5;

    /// <summary>The ifindex → (name, flags) map ip keeps of a namespace's links (ll_map), used to print names.</summary>
    public static Dictionary<int, (string Name, uint Flags)> Names(List<byte[]> links)
    {
        var map = new Dictionary<int, (string, uint)>();
        foreach (var m in links)
        {
            if (m.Length < IfInfoHeader) continue;
            if (NlAttrs.AfterHeader(m, IfInfoHeader).Str(IFLA_IFNAME) is { } name)
                map[BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4))] = (name, BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8)));
        }
        return map;
    }

    private const int IFLA_AF_SPEC = 26, IFLA_INET_CONF = 1, IFLA_INET6_CONF = 2;
    /// <summary>IPV4_DEVCONF_* of Sysctls.V4Conf (linux/ip.h; IFLA_INET_CONF holds value N at index N-1).</summary>
    private static readonly int[] V4ConfIds = [1, 8, 3, 19, 13, 23, 18];

    /// <summary>The forwarding-relevant conf values of every device, from IFLA_AF_SPEC of the link dump (the same
    /// numbers /proc/sys/net/ipv{4,6}/conf/DEV/* print), keyed as sysctl prints them.</summary>
    public static Dictionary<string, string> DeviceSysctls(List<byte[]> links)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in links)
        {
            if (m.Length < IfInfoHeader) continue;
            var at = NlAttrs.AfterHeader(m, IfInfoHeader);
            if (at.Str(IFLA_IFNAME) is not { } name || at.Nested(IFLA_AF_SPEC) is not { } spec) continue;
            if (spec.Nested(2)?.Raw(IFLA_INET_CONF) is { } conf)
            {
                for (int i = 0; i < V4ConfIds.Length; i++)
                    if (V4ConfIds[i] * 4 <= conf.Length)
                        map[Sysctls.DeviceKey("ipv4", name, Sysctls.V4Conf[i])] = Iproute2Names.Invariant(BinaryPrimitives.ReadInt32LittleEndian(conf.AsSpan((V4ConfIds[i] - 1) * 4)));
            }
            if (spec.Nested(10)?.Raw(IFLA_INET6_CONF) is { Length: >= 4 } conf6)
                map[Sysctls.DeviceKey("ipv6", name, Sysctls.V6Conf[0])] = Iproute2Names.Invariant(BinaryPrimitives.ReadInt32LittleEndian(conf6));
        }
        return map;
    }

    /// <summary>ll_idx_n2a: the name of an ifindex in this namespace, "ifN" when there is none.</summary>
    public static string NameOf(Dictionary<int, (string Name, uint Flags)> names, long index) =>
        names.TryGetValue((int)index, out var e) ? e.Name : "if" + Iproute2Names.Invariant(index);

    /// <summary>Adds the links and their addresses to <paramref name="ns"/>. Returns null, or why the namespace's links must
    /// be read by `ip` instead (a kind whose details this reader does not decode) — then nothing was added.</summary>
    public static string? Read(List<byte[]> links, List<byte[]> addrs, NetNamespace ns, SourceRef linkSrc, SourceRef addrSrc, ImportLog log)
    {
        var names = Names(links);
        var result = new List<Link>();
        foreach (var m in links)
        {
            if (m.Length < IfInfoHeader) continue;
            var at = NlAttrs.AfterHeader(m, IfInfoHeader);
            int index = BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4));
            if (at.Str(IFLA_IFNAME) is not { } name)
            {
                log.Warn(linkSrc, "ip -j link: an entry without ifindex/ifname was skipped");
                continue;
            }
            var link = new Link { Index = index, Name = name, Source = linkSrc };
            if (Fill(link, m, at, names) is { } why) return why;
            result.Add(link);
        }
        ns.Links.AddRange(result);
        ReadAddresses(addrs, ns, addrSrc, log);
        IpLinkJson.ResolveSameNamespaceLinks(ns);
        return null;
    }

    private static string? Fill(Link link, byte[] m, NlAttrs at, Dictionary<int, (string Name, uint Flags)> names)
    {
        int type = BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(2));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8));
        bool mdown = false;
        link.LinkNetnsId = at.S32(IFLA_LINK_NETNSID);
        if (at.U32(IFLA_LINK) is { } iflink && iflink != 0)
        {
            // ip: "link_index" with a link-netnsid, else "link": NAME (the parser reads "ifN" back as an index)
            if (link.LinkNetnsId is not null) link.LinkIndex = (int)iflink;
            else
            {
                link.LinkName = NameOf(names, iflink);
                if (link.LinkName.StartsWith("if", StringComparison.Ordinal) && int.TryParse(link.LinkName.AsSpan(2), out int n)) link.LinkIndex = n;
                mdown = !names.TryGetValue((int)iflink, out var peer) || (peer.Flags & 1) == 0;
            }
        }
        link.Flags = Iproute2Names.LinkFlags(flags, mdown);
        link.Mtu = at.U32(IFLA_MTU) is { } mtu && mtu <= int.MaxValue ? (int)mtu : null;
        link.Qdisc = at.Str(IFLA_QDISC);
        link.Master = at.U32(IFLA_MASTER) is { } master ? NameOf(names, master) : null;
        link.OperState = at.U8(IFLA_OPERSTATE) is { } os ? Iproute2Names.OperState(os) : null;
        link.LinkType = Iproute2Names.LinkType(type);
        link.Mac = Mac(at, IFLA_ADDRESS);
        link.Broadcast = Mac(at, IFLA_BROADCAST);
        link.Promiscuity = at.U32(IFLA_PROMISCUITY) is { } p && p <= int.MaxValue ? (int)p : null;
        var alt = at.Nested(IFLA_PROP_LIST)?.Each(IFLA_ALT_IFNAME).Select(NlAttrs.Text).ToList();
        if (alt is { Count: > 0 }) link.AltNames = alt;

        link.DetailsKnown = true;
        var info = at.Nested(IFLA_LINKINFO);
        link.Kind = info?.Str(IFLA_INFO_KIND);
        link.SlaveKind = info?.Str(IFLA_INFO_SLAVE_KIND);
        if (!RtnlLinkKinds.Read(link, info?.Nested(IFLA_INFO_DATA), names)) return $"{link.Name}: details of kind {link.Kind} are not decoded in-process";
        if (link.SlaveKind == LinkKinds.Bridge && info?.Nested(IFLA_INFO_SLAVE_DATA) is { } sd)
            link.BridgePort = RtnlLinkKinds.BridgePort(sd);
        if (link.Kind == LinkKinds.Vxlan && link.LinkIndex == link.Index) link.LinkIndex = null;
        return null;
    }

    internal static MacAddress? Mac(NlAttrs at, int type)
    {
        if (at.Length(type) != 6) return null;
        ulong v = 0;
        foreach (var b in at[type]) v = (v << 8) | b;
        return new MacAddress(v);
    }

    // IFA_* and IFA_F_* (linux/if_addr.h)
    private const int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6, IFA_FLAGS = 8;
    private const uint IFA_F_SECONDARY = 0x01, IFA_F_PERMANENT = 0x80;

    /// <summary>IpLinkJson's flag order. ip prints every flag bit whatever the family, IFA_F_SECONDARY as "temporary"
    /// for IPv6, and "dynamic" when IFA_F_PERMANENT is missing.</summary>
    private static readonly (string Name, uint Bit)[] AddressFlags =
    [
        ("secondary", IFA_F_SECONDARY), ("temporary", IFA_F_SECONDARY), ("deprecated", 0x20), ("tentative", 0x40),
        ("dadfailed", 0x08), ("optimistic", 0x04), ("home", 0x10), ("nodad", 0x02), ("mngtmpaddr", 0x100),
        ("noprefixroute", 0x200), ("autojoin", 0x400), ("stable-privacy", 0x800),
    ];

    private static void ReadAddresses(List<byte[]> addrs, NetNamespace ns, SourceRef src, ImportLog log)
    {
        var byIndex = new Dictionary<int, Link>();
        foreach (var l in ns.Links) byIndex.TryAdd(l.Index, l);
        foreach (var m in addrs)
        {
            if (m.Length < IfAddrHeader) continue;
            int family = m[0], len = m[1], scope = m[3];
            int index = BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4));
            if (!byIndex.TryGetValue(index, out var link)) continue; // ip prints addresses under their device only
            var at = NlAttrs.AfterHeader(m, IfAddrHeader);
            var local = at.Ip(IFA_LOCAL) ?? at.Ip(IFA_ADDRESS);
            if (local is null)
            {
                log.Warn(src, $"ip -j addr: an address of {link.Name} without local/prefixlen was skipped");
                continue;
            }
            var ifa = new IfAddress
            {
                Prefix = new IpPrefix(local, len),
                Scope = Iproute2Names.Scope(scope),
                Label = at.Str(IFA_LABEL),
                Source = src,
            };
            if (at.Has(IFA_LOCAL) && at.Ip(IFA_ADDRESS) is { } peer && !peer.Equals(local)) ifa.Peer = new IpPrefix(peer, len);
            ifa.Broadcast = at.Ip(IFA_BROADCAST);
            uint flags = at.U32(IFA_FLAGS) ?? m[2];
            bool v6 = family == 10;
            foreach (var (name, bit) in AddressFlags)
                if ((flags & bit) != 0 && (bit != IFA_F_SECONDARY || (name == "temporary") == v6)) ifa.Flags.Add(name);
            bool finite = at.Length(IFA_CACHEINFO) >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(at[IFA_CACHEINFO][4..]) != uint.MaxValue;
            if ((flags & IFA_F_PERMANENT) == 0 || finite) ifa.Flags.Add("dynamic");
            link.Addresses.Add(ifa);
        }
    }

    internal static IPAddress? Ip(ReadOnlySpan<byte> b) => b.Length is 4 or 16 ? new IPAddress(b) : null;
}
