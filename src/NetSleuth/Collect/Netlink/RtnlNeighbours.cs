using System.Buffers.Binary;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// RTM_GETNEIGH dumps (ARP/NDP entries of every state, and proxy entries) → neighbours as IpNeighJson reads
/// `ip -j neigh show nud all` / `ip -j neigh show proxy`; and the RTM_GETNSID dump (`ip netns list-id`).
/// ndmsg: family, pad, pad16, ifindex s32, state u16, flags u8, type u8.
/// </summary>
internal static class RtnlNeighbours
{
    public const ushort RTM_GETNEIGH = 30, RTM_GETNSID = 90;
    public const int NeighHeader = 12;
    public const byte NTF_PROXY = 0x08;
    private const int NDA_DST = 1, NDA_LLADDR = 2, NETNSA_NSID = 1;
    private const byte NTF_ROUTER = 0x80;

    /// <summary>print_neigh_state's order.</summary>
    private static readonly (int Bit, string Name)[] States =
    [
        (0x01, "INCOMPLETE"), (0x02, "REACHABLE"), (0x04, "STALE"), (0x08, "DELAY"), (0x10, "PROBE"), (0x20, "FAILED"),
        (0x40, "NOARP"), (0x80, "PERMANENT"),
    ];

    /// <summary>The request body of a proxy-entry dump: an ndmsg whose flags say NTF_PROXY.</summary>
    public static byte[] ProxyRequest()
    {
        var b = new byte[NeighHeader];
        b[10] = NTF_PROXY;
        return b;
    }

    public static void Read(List<byte[]> msgs, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, SourceRef src, ImportLog log)
    {
        foreach (var m in msgs)
        {
            if (m.Length < NeighHeader) continue;
            var at = NlAttrs.AfterHeader(m, NeighHeader);
            int ifindex = BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4));
            int state = BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(8));
            int flags = m[10];
            var dst = at.Ip(NDA_DST);
            if (dst is null || ifindex == 0)
            {
                log.Warn(src, $"ip -j neigh: entry '{dst}' without address or device skipped");
                continue;
            }
            var n = new Neighbor
            {
                Address = dst,
                Device = RtnlLinks.NameOf(names, ifindex),
                Mac = RtnlLinks.Mac(at, NDA_LLADDR),
                Router = (flags & NTF_ROUTER) != 0,
                Proxy = (flags & NTF_PROXY) != 0,
                Source = src,
            };
            foreach (var (bit, name) in States)
                if ((state & bit) != 0) n.State.Add(name);
            ns.Neighbors.Add(n);
        }
    }

    /// <summary>The netnsids this namespace has given others (`ip netns list-id` without the names; the resolver finds
    /// which namespace each belongs to).</summary>
    public static void ReadNsids(List<byte[]> msgs, NetNamespace ns)
    {
        foreach (var m in msgs)
            if (NlAttrs.AfterHeader(m, 4).S32(NETNSA_NSID) is { } id)
            {
                ns.NetnsIds.RemoveAll(x => x.Id == id);
                ns.NetnsIds.Add(new NetnsIdEntry(id, null));
            }
    }
}
