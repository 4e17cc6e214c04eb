using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Turns rtnetlink dump messages into model objects exactly as the iproute2 JSON parsers would from
/// `ip -6 -j rule show` and `bridge -j fdb show` (a lab test compares both ways).
/// </summary>
internal static class RtnlObjects
{
    public const ushort RTM_GETNEIGH = 30, RTM_GETRULE = 34;
    public const byte AF_INET6 = 10, AF_BRIDGE = 7;
    public const int RuleHeader = 12, NeighHeader = 12;

    // FRA_* (linux/fib_rules.h)
    private const int FRA_DST = 1, FRA_SRC = 2, FRA_IIFNAME = 3, FRA_GOTO = 4, FRA_PRIORITY = 6, FRA_FWMARK = 10,
        FRA_SUPPRESS_PREFIXLEN = 14, FRA_TABLE = 15, FRA_FWMASK = 16, FRA_OIFNAME = 17, FRA_L3MDEV = 19,
        FRA_UID_RANGE = 20, FRA_IP_PROTO = 22, FRA_SPORT_RANGE = 23, FRA_DPORT_RANGE = 24;

    /// <summary>One fib_rule_hdr message (family, dst_len, src_len, tos, table, res1, res2, action, flags u32).</summary>
    public static Rule Rule(byte[] m, SourceRef src)
    {
        var at = RtnlDump.Attributes(m, RuleHeader);
        int dstLen = m[1], srcLen = m[2], tos = m[3], action = m[7];
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8));
        var r = new Rule
        {
            Priority = at.TryGetValue(FRA_PRIORITY, out var p) ? U32(p) : 0,
            Family = m[0] == AF_INET6 ? "inet6" : "inet",
            Not = (flags & 0x2) != 0,
            From = at.TryGetValue(FRA_SRC, out var s) ? new IpPrefix(new IPAddress(s), srcLen) : null,
            To = at.TryGetValue(FRA_DST, out var d) ? new IpPrefix(new IPAddress(d), dstLen) : null,
            Iif = at.TryGetValue(FRA_IIFNAME, out var iif) ? Str(iif) : null,
            Oif = at.TryGetValue(FRA_OIFNAME, out var oif) ? Str(oif) : null,
            Tos = tos == 0 ? null : tos,
            IpProto = at.TryGetValue(FRA_IP_PROTO, out var ipp) ? ipp[0] : null,
            SPortRange = at.TryGetValue(FRA_SPORT_RANGE, out var sp) ? Range16(sp) : null,
            DPortRange = at.TryGetValue(FRA_DPORT_RANGE, out var dp) ? Range16(dp) : null,
            UidRange = at.TryGetValue(FRA_UID_RANGE, out var uid) ? $"{U32(uid)}-{U32(uid.AsSpan(4).ToArray())}" : null,
            L3mdev = at.TryGetValue(FRA_L3MDEV, out var l3) && l3[0] != 0,
            Source = src,
        };
        uint mark = at.TryGetValue(FRA_FWMARK, out var fm) ? U32(fm) : 0, mask = at.TryGetValue(FRA_FWMASK, out var fk) ? U32(fk) : 0;
        if (mark != 0 || mask != 0)
        {
            r.Fwmark = mark;
            if (mask != 0xFFFFFFFF) r.FwmarkMask = mask;
        }
        if (at.TryGetValue(FRA_SUPPRESS_PREFIXLEN, out var sup) && (int)U32(sup) != -1) r.SuppressPrefixLength = (int)U32(sup);
        uint table = at.TryGetValue(FRA_TABLE, out var t) ? U32(t) : m[4];
        switch (action)
        {
            case 1: if (table != 0) r.Table = table; else if (!r.L3mdev) r.Action = "unknown"; break;
            case 2: r.Action = "goto"; r.GotoTarget = at.TryGetValue(FRA_GOTO, out var g) ? U32(g) : null; break;
            case 3: r.Action = "nop"; break;
            case 6: r.Action = "blackhole"; break;
            case 7: r.Action = "unreachable"; break;
            case 8: r.Action = "prohibit"; break;
            default: r.Action = "unknown"; break;
        }
        return r;
    }

    // NDA_* (linux/neighbour.h)
    private const int NDA_DST = 1, NDA_LLADDR = 2, NDA_VLAN = 5, NDA_PORT = 6, NDA_VNI = 7, NDA_MASTER = 9;

    /// <summary>One AF_BRIDGE ndmsg (family, pad, pad16, ifindex s32, state u16, flags u8, type u8); null for
    /// an entry without a MAC.</summary>
    public static FdbEntry? Fdb(byte[] m, Func<int, string> nameOf, SourceRef src)
    {
        var at = RtnlDump.Attributes(m, NeighHeader);
        if (!at.TryGetValue(NDA_LLADDR, out var ll) || ll.Length != 6) return null;
        int ifindex = BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4));
        int state = BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(8));
        int flags = m[10];
        ulong mac = 0;
        foreach (var b in ll) mac = (mac << 8) | b;
        var f = new FdbEntry
        {
            Mac = new MacAddress(mac),
            Device = nameOf(ifindex),
            Master = at.TryGetValue(NDA_MASTER, out var ms) ? nameOf((int)U32(ms)) : null,
            Vlan = at.TryGetValue(NDA_VLAN, out var v) ? BinaryPrimitives.ReadUInt16LittleEndian(v) : null,
            Dst = at.TryGetValue(NDA_DST, out var d) && d.Length is 4 or 16 ? new IPAddress(d) : null,
            Port = at.TryGetValue(NDA_PORT, out var pt) ? BinaryPrimitives.ReadUInt16BigEndian(pt) : null,
            Vni = at.TryGetValue(NDA_VNI, out var vni) ? U32(vni) : null,
            Source = src,
        };
        // bridge/fdb.c: the state word, then the flag words in this order
        if ((state & 0x80) != 0) f.Flags.Add("permanent");
        else if ((state & 0x40) != 0) f.Flags.Add("static");
        else if ((state & 0x04) != 0) f.Flags.Add("stale");
        (int Bit, string Name)[] names = [(0x02, "self"), (0x80, "router"), (0x10, "extern_learn"), (0x20, "offload"), (0x04, "master"), (0x40, "sticky")];
        foreach (var (bit, name) in names)
            if ((flags & bit) != 0) f.Flags.Add(name);
        return f;
    }

    private static uint U32(byte[] b) => BinaryPrimitives.ReadUInt32LittleEndian(b);
    private static string Str(byte[] b) => Encoding.UTF8.GetString(b).TrimEnd('\0');

    private static string Range16(byte[] b)
    {
        int lo = BinaryPrimitives.ReadUInt16LittleEndian(b), hi = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2));
        return lo == hi ? lo.ToString(CultureInfo.InvariantCulture) : $"{lo}-{hi}";
    }
}
