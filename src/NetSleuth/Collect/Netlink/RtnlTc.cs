using System.Buffers.Binary;
using System.Globalization;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// tc over rtnetlink: RTM_GETQDISC, then RTM_GETTFILTER for the hooks the qdiscs make possible (the same
/// listings the `tc -j -batch` conversation asks for), decoded as TcJson reads tc's JSON. A filter, action
/// or protocol this reader does not decode makes the caller ask `tc` instead (nothing is guessed).
/// tcmsg: family u8, pad u8, pad u16, ifindex s32, handle u32, parent u32, info u32.
/// </summary>
internal static class RtnlTc
{
    public const ushort RTM_GETQDISC = 38, RTM_GETTFILTER = 46;
    public const int TcHeader = 20;
    private const int TCA_KIND = 1, TCA_OPTIONS = 2, TCA_CHAIN = 11;
    private const uint TC_H_ROOT = 0xFFFFFFFF;
    public const uint ParentIngress = 0xFFFFFFF2, ParentEgress = 0xFFFFFFF3;

    /// <summary>One filter listing: device, its ifindex, the parent asked for (0 = the root qdisc) and the hook.</summary>
    public sealed record Listing(string Device, int Ifindex, uint Parent, string Direction)
    {
        public string Command => $"tc -j filter show dev {Device}" + (Parent switch { ParentIngress => " ingress", ParentEgress => " egress", _ => "" });
    }

    public static void ReadQdiscs(List<byte[]> msgs, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, SourceRef src)
    {
        foreach (var m in msgs)
        {
            if (m.Length < TcHeader) continue;
            var at = NlAttrs.AfterHeader(m, TcHeader);
            if (at.Str(TCA_KIND) is not { } kind) continue;
            uint handle = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8)), parent = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(12));
            ns.Qdiscs.Add(new TcQdisc
            {
                Device = RtnlLinks.NameOf(names, BinaryPrimitives.ReadInt32LittleEndian(m.AsSpan(4))),
                Kind = kind,
                Handle = (handle >> 16).ToString("x", CultureInfo.InvariantCulture) + ":",
                Parent = parent == TC_H_ROOT ? "root" : kind is "ingress" or "clsact" ? kind : parent != 0 ? ClassId(parent) : null,
                Source = src,
            });
        }
    }

    /// <summary>As NamespaceCollector.FilterCommands: "ingress" for an ingress or clsact qdisc, "egress" for clsact, and
    /// the root qdisc's filters unless it is noqueue.</summary>
    public static List<Listing> Listings(NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names)
    {
        var byName = names.GroupBy(kv => kv.Value.Name).ToDictionary(g => g.Key, g => g.First().Key);
        var list = new List<Listing>();
        foreach (var q in ns.Qdiscs)
        {
            if (!byName.TryGetValue(q.Device, out int ifindex) || q.Device.Contains(' ')) continue;
            if (q.Kind == "ingress") list.Add(new(q.Device, ifindex, ParentIngress, "ingress"));
            else if (q.Kind == "clsact")
            {
                list.Add(new(q.Device, ifindex, ParentIngress, "ingress"));
                list.Add(new(q.Device, ifindex, ParentEgress, "egress"));
            }
            else if (q.Parent == "root" && q.Kind != "noqueue") list.Add(new(q.Device, ifindex, 0, "egress"));
        }
        return list;
    }

    public static byte[] FilterRequest(Listing l)
    {
        var b = new byte[TcHeader];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), l.Ifindex);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), l.Parent);
        return b;
    }

    /// <summary>Adds one listing's filters; returns why `tc` must be asked instead, or null.</summary>
    public static string? ReadFilters(List<byte[]> msgs, Listing l, NetNamespace ns, Dictionary<int, (string Name, uint Flags)> names, SourceRef src)
    {
        var filters = new List<TcFilter>();
        foreach (var m in msgs)
        {
            if (m.Length < TcHeader) continue;
            var at = NlAttrs.AfterHeader(m, TcHeader);
            if (at.Nested(TCA_OPTIONS) is not { } o) continue; // the chain head of a filter list
            var kind = at.Str(TCA_KIND);
            uint handle = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(8)), parent = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(12));
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(16));
            var protocol = Iproute2Names.EtherProto(BinaryPrimitives.ReverseEndianness((ushort)(info & 0xFFFF)));
            if (protocol is null) return $"filter protocol 0x{BinaryPrimitives.ReverseEndianness((ushort)(info & 0xFFFF)):x4}";
            var f = new TcFilter
            {
                Device = l.Device,
                Direction = l.Direction,
                // tc prints the parent unless it is the one asked for; TC_H_ROOT prints as "root": true
                Parent = (l.Parent == 0 || l.Parent != parent) && parent != TC_H_ROOT ? ClassId(parent) : null,
                Kind = kind,
                Protocol = protocol,
                Pref = (int)(info >> 16),
                Chain = at.U32(TCA_CHAIN) is { } c && c <= int.MaxValue ? (int)c : null,
                Source = src,
            };
            var why = kind switch
            {
                "u32" => TcClassifiers.U32(o, handle, f, names),
                "bpf" => TcClassifiers.Bpf(o, handle, f, names),
                "matchall" => TcClassifiers.Matchall(o, handle, f, names),
                _ => $"filter kind {kind}",
            };
            if (why == TcClassifiers.Skip) continue;
            if (why is not null) return why;
            filters.Add(f);
        }
        ns.Filters.AddRange(filters);
        return null;
    }

    /// <summary>print_tc_classid: "root", "none", ":m", "M:", "M:m" in hex.</summary>
    public static string ClassId(uint h)
    {
        uint maj = h >> 16, min = h & 0xFFFF;
        if (h == TC_H_ROOT) return "root";
        if (h == 0) return "none";
        if (maj == 0) return ":" + min.ToString("x", CultureInfo.InvariantCulture);
        if (min == 0) return maj.ToString("x", CultureInfo.InvariantCulture) + ":";
        return maj.ToString("x", CultureInfo.InvariantCulture) + ":" + min.ToString("x", CultureInfo.InvariantCulture);
    }
}
