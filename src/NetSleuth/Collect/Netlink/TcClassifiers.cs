using System.Buffers.Binary;
using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// The TCA_OPTIONS of the classifiers decoded in-process (u32, bpf, matchall) and their actions (mirred, gact),
/// filling what TcJson takes from tc's JSON. Each returns null when done, <see cref="Skip"/> for an element tc's
/// JSON reader skips (a u32 hash table), or why `tc` must be asked instead.
/// </summary>
internal static class TcClassifiers
{
    public const string Skip = "skip";
    private const int U32_SEL = 5, U32_ACT = 7, BPF_ACT = 1, BPF_NAME = 7, MATCHALL_ACT = 2;
    private const int ACT_KIND = 1, ACT_OPTIONS = 2;

    /// <summary>u32: "fh" is the handle as htid:hash:node; each selector key prints as "match" {value, mask, off}.
    /// tc_u32_sel is 16 bytes (nkeys u16 at 2), then tc_u32_key { be32 mask; be32 val; s32 off; s32 offmask }.</summary>
    public static string? U32(NlAttrs o, uint handle, TcFilter f, Dictionary<int, (string Name, uint Flags)> names)
    {
        var keys = new List<(uint Val, uint Mask, int Off)>();
        if (o.Length(U32_SEL) >= 16)
        {
            var sel = o[U32_SEL];
            int nkeys = BinaryPrimitives.ReadUInt16LittleEndian(sel[2..]);
            for (int i = 0; i < nkeys && 16 + (i + 1) * 16 <= sel.Length; i++)
            {
                var k = sel[(16 + i * 16)..];
                keys.Add((BinaryPrimitives.ReadUInt32BigEndian(k[4..]), BinaryPrimitives.ReadUInt32BigEndian(k), BinaryPrimitives.ReadInt32LittleEndian(k[8..])));
            }
        }
        if (keys.Count == 0 && !o.Has(U32_ACT)) return Skip;
        f.Handle = handle == 0 ? null : U32Handle(handle);
        if (keys.Count > 0)
        {
            f.MatchesAll = keys.All(k => k.Mask == 0);
            f.Match = string.Join(' ', keys.Select(k => $"{Hex(k.Val)}/{Hex(k.Mask)} at {k.Off.ToString(CultureInfo.InvariantCulture)}"));
        }
        return Actions(o.Nested(U32_ACT), f, names);
    }

    /// <summary>sprint_u32_handle: "800:" for a hash table, "800::800" for a node, "800:1:800" with a bucket.</summary>
    private static string U32Handle(uint h)
    {
        uint htid = h >> 20, hash = (h >> 12) & 0xFF, node = h & 0xFFF;
        var s = htid != 0 ? Hex(htid) + ":" : "";
        if (hash != 0) s += Hex(hash);
        if (node != 0) s += ":" + Hex(node);
        return s;
    }

    /// <summary>bpf: "handle" as "0x…", the program's name.</summary>
    public static string? Bpf(NlAttrs o, uint handle, TcFilter f, Dictionary<int, (string Name, uint Flags)> names)
    {
        f.Handle = handle != 0 ? "0x" + Hex(handle) : null;
        f.Match = o.Str(BPF_NAME) is { } n ? "bpf " + n : "bpf";
        return Actions(o.Nested(BPF_ACT), f, names);
    }

    /// <summary>matchall: "handle" printed as a plain number.</summary>
    public static string? Matchall(NlAttrs o, uint handle, TcFilter f, Dictionary<int, (string Name, uint Flags)> names)
    {
        f.Handle = handle != 0 ? handle.ToString(CultureInfo.InvariantCulture) : null;
        (f.MatchesAll, f.Match) = (true, "all");
        return Actions(o.Nested(MATCHALL_ACT), f, names);
    }

    /// <summary>The action list (one nested attribute per order number, in order); null when every one is decoded.</summary>
    private static string? Actions(NlAttrs? list, TcFilter f, Dictionary<int, (string Name, uint Flags)> names)
    {
        if (list is null) return null;
        foreach (var (_, a, _) in list.All().OrderBy(x => x.Type))
        {
            var kind = a.Str(ACT_KIND) ?? "unknown";
            var opts = a.Nested(ACT_OPTIONS);
            var act = new TcAction { Kind = kind };
            switch (kind)
            {
                case "mirred" when opts is not null && opts.Length(2) >= 28:
                    // struct tc_mirred { tc_gen (index, capab, action, refcnt, bindcnt); s32 eaction; u32 ifindex }
                    var p = opts[2];
                    int eaction = BinaryPrimitives.ReadInt32LittleEndian(p[20..]);
                    if (eaction is < 1 or > 4) return $"mirred action {eaction}";
                    act.Index = Index(p);
                    act.Control = Control(BinaryPrimitives.ReadInt32LittleEndian(p[8..]));
                    act.MirredAction = eaction is 1 or 3 ? "redirect" : "mirror";
                    act.MirredDirection = eaction <= 2 ? "egress" : "ingress";
                    act.TargetDevice = RtnlLinks.NameOf(names, BinaryPrimitives.ReadUInt32LittleEndian(p[24..]));
                    break;
                case "gact" when opts is not null && opts.Length(2) >= 20:
                    act.Index = Index(opts[2]);
                    act.Control = Control(BinaryPrimitives.ReadInt32LittleEndian(opts[2][8..]));
                    break;
                default:
                    return $"tc action {kind}";
            }
            f.Actions.Add(act);
        }
        return null;
    }

    private static int? Index(ReadOnlySpan<byte> gen) => BinaryPrimitives.ReadUInt32LittleEndian(gen) is var i && i <= int.MaxValue ? (int)i : null;

    /// <summary>action_n2a.</summary>
    private static string Control(int action)
    {
        const uint OpcodeMask = 0xF0000000, Jump = 0x10000000, GotoChain = 0x20000000;
        if (((uint)action & OpcodeMask) == GotoChain) return "goto";
        if (((uint)action & OpcodeMask) == Jump) return "jump";
        return action switch
        {
            -1 => "continue", 0 => "pass", 1 => "reclassify", 2 => "drop", 3 => "pipe", 4 => "stolen", 8 => "trap",
            _ => action.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string Hex(uint v) => v.ToString("x", CultureInfo.InvariantCulture);
}
