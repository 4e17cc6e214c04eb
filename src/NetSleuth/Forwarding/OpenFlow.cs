using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>The packet as Open vSwitch's classifier sees it: headers, in_port, metadata and registers.
/// IPv4 addresses only (an IPv6 packet matches ip6 / dl_type=0x86dd, and a flow on ipv6_* fields is not modelled).</summary>
internal sealed class OfPacket
{
    public int InPort = -1;
    /// <summary>The in port's name, for flows dumped with --names; null for LOCAL (the bridge).</summary>
    public string? InPortName;
    public ulong DlSrc, DlDst;
    public int DlType;
    /// <summary>0 = untagged; else 0x1000 | PCP &lt;&lt; 13 | VID.</summary>
    public int VlanTci;
    public uint NwSrc, NwDst;
    public int NwProto, NwTtl = 64, NwTos;
    /// <summary>-1 = the tracer does not know (a source port it chose).</summary>
    public int TpSrc = -1, TpDst = -1;
    public int IcmpType = -1, IcmpCode = -1;
    public int ArpOp;
    public uint ArpSpa, ArpTpa;
    public ulong ArpSha, ArpTha;
    public ulong Metadata;
    public uint[] Reg = new uint[16];
    /// <summary>The tunnel key (tun_id) and tun_metadata0..7 (64 bits each here; OVN uses tun_metadata0's low 31 bits).</summary>
    public ulong TunId;
    public ulong[] TunMeta = new ulong[8];

    public OfPacket Clone()
    {
        var c = (OfPacket)MemberwiseClone();
        c.Reg = (uint[])Reg.Clone();
        c.TunMeta = (ulong[])TunMeta.Clone();
        return c;
    }
}

/// <summary>Where one output of the flows sends the packet: an OpenFlow port (a number, or a name from a --names
/// dump), or a reserved port. <see cref="Packet"/> is the packet as it was at that output.</summary>
internal sealed record OfOutput(string Kind, int Port, string? PortName, OfPacket Packet)
{
    public const string ToPort = "port", Normal = "NORMAL", InPort = "IN_PORT", Local = "LOCAL", Flood = "FLOOD", All = "ALL", Controller = "CONTROLLER";
    public override string ToString() => Kind == ToPort ? PortName is { } n ? $"output:\"{n}\"" : $"output:{Port}" : Kind;
}

/// <summary>What the flows of one bridge do with one packet: the flows matched (in order), the outputs, or why
/// the tracer cannot tell (<see cref="Uncertain"/>).</summary>
internal sealed record OfResult(List<(OvsFlow Flow, int Depth)> Hits, List<OfOutput> Outputs, string? Uncertain, OfPacket Final)
{
    /// <summary>The table the packet fell out of with no flow matching (a miss drops it), or null.</summary>
    public int? MissTable { get; init; }
}

/// <summary>
/// OpenFlow as Open vSwitch runs it (ofproto/ofproto-dpif-xlate.c): from table 0, the highest-priority flow whose
/// every match field holds is executed; its actions change the packet, output it, resubmit it to another table or
/// go to one; no matching flow drops it. Match fields modelled: in_port, dl_src/dl_dst/dl_type (eth_*) and the
/// ip/arp/tcp/udp/icmp shorthands, nw_src/nw_dst with masks, nw_proto, nw_ttl, nw_tos, nw_frag, tp_src/tp_dst,
/// icmp_type/code, vlan_tci/dl_vlan/vlan_vid, metadata, reg0-15/xreg/xxreg with masks, arp_op/spa/tpa/sha/tha.
/// Actions modelled: output (port, name, or a field), NORMAL, FLOOD, ALL, LOCAL, IN_PORT, CONTROLLER /
/// controller(…), drop, resubmit, goto_table, load, set_field, move, mod_dl_src/dst, mod_nw_src/dst, mod_tp_src/dst,
/// mod_vlan_vid, strip_vlan/pop_vlan, push_vlan, dec_ttl, note. Anything else (ct(), learn, conjunction, clone,
/// group, push/pop, tunnel and conntrack fields, …) is named, and a packet that reaches it gets an uncertain verdict.
/// The one place that says what a flow means: the importer's warnings ask it too.
/// </summary>
internal static class OpenFlow
{
    public const int LocalPort = 65534, MaxDepth = 64;

    // ---- the syntax: a flow's fields and actions, read once per flow -----------------------------------------------

    private enum F { None, InPort, DlSrc, DlDst, DlType, VlanTci, VlanVid, DlVlan, NwSrc, NwDst, NwProto, NwTtl, NwTos, TpSrc, TpDst, IcmpType, IcmpCode, ArpOp, ArpSpa, ArpTpa, ArpSha, ArpTha, Metadata, Reg, XReg, XXReg, TunId, TunMeta }

    /// <summary>A field, or bits [Lo..Hi] of it.</summary>
    private readonly record struct FieldRef(F Field, int Index, int Lo, int Hi)
    {
        public UInt128 Mask => (Hi - Lo + 1 >= 128 ? UInt128.MaxValue : ((UInt128)1 << (Hi - Lo + 1)) - 1) << Lo;
    }

    private abstract record Act;
    private sealed record Output(int Port, string? Name, FieldRef? From) : Act;
    private sealed record Reserved(string Kind) : Act;
    private sealed record Resubmit(int? Port, string? PortName, int? Table) : Act;
    private sealed record Goto(int Table) : Act;
    private sealed record Load(FieldRef Dst, UInt128 Value) : Act
    {
        /// <summary>set_field:V/MASK: only the mask's bits are written.</summary>
        public UInt128? MaskOverride { get; init; }
    }
    private sealed record Move(FieldRef Src, FieldRef Dst) : Act;
    private sealed record Vlan(bool Push, int? Vid) : Act;
    private sealed record Nop : Act;
    /// <summary>dec_ttl: a packet whose TTL is 1 or 0 stops there (Open vSwitch sends it to the controller as invalid_ttl).</summary>
    private sealed record DecTtl : Act;
    /// <summary>push:FIELD / pop:FIELD on the evaluation's stack (nicira-ext: the stack outlives resubmits).</summary>
    private sealed record Push(FieldRef Field) : Act;
    private sealed record Pop(FieldRef Field) : Act;
    /// <summary>clone(ACTIONS): the actions on a copy of the packet; the packet after the clone is the one before.</summary>
    private sealed record CloneActs(List<Act> Acts, List<string> Unknown) : Act;

    private sealed record Test(FieldRef Field, UInt128 Value, UInt128 Mask, string? Name = null);

    private sealed class Parsed
    {
        public required OvsFlow Flow;
        public List<Test> Tests = [];
        public List<Act> Acts = [];
        /// <summary>Match fields the tracer does not model.</summary>
        public List<string> UnknownMatch = [];
        /// <summary>Actions the tracer does not model.</summary>
        public List<string> UnknownActs = [];
        public string? Unknown => UnknownMatch.Count + UnknownActs.Count == 0 ? null : string.Join(", ", UnknownMatch.Concat(UnknownActs));
    }

    private static readonly ConditionalWeakTable<OvsFlow, Parsed> ParsedFlows = new();

    private static Parsed Parse(OvsFlow flow) => ParsedFlows.GetValue(flow, f =>
    {
        var p = new Parsed { Flow = f };
        foreach (var m in f.Match) ParseMatch(m, p);
        foreach (var a in f.Actions) ParseAction(a, p);
        return p;
    });

    /// <summary>The match fields and actions of FLOW the tracer does not model, named ("ct_state, ct(commit,…)"), or null.</summary>
    public static string? NotUnderstood(OvsFlow flow)
    {
        var p = Parse(flow);
        if (p.Unknown is null) return null;
        return string.Join(", ", p.UnknownMatch.Select(m => "match " + Short(m)).Concat(p.UnknownActs.Select(a => "action " + Short(a))));
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..57] + "…";

    private static void ParseMatch(string item, Parsed p)
    {
        int eq = item.IndexOf('=');
        var name = (eq < 0 ? item : item[..eq]).Trim().ToLowerInvariant();
        var value = eq < 0 ? "" : item[(eq + 1)..].Trim();
        switch (name)
        {
            case "ip": Proto(0x0800, null); return;
            case "ipv6": Proto(0x86dd, null); return;
            case "arp": Proto(0x0806, null); return;
            case "icmp": Proto(0x0800, 1); return;
            case "tcp": Proto(0x0800, 6); return;
            case "udp": Proto(0x0800, 17); return;
            case "sctp": Proto(0x0800, 132); return;
            case "icmp6": Proto(0x86dd, 58); return;
            case "tcp6": Proto(0x86dd, 6); return;
            case "udp6": Proto(0x86dd, 17); return;
            case "rarp": Proto(0x8035, null); return;
            case "sctp6": Proto(0x86dd, 132); return;
            case "nw_frag" when value is "no" or "not_later": return; // the tracer's packets are never fragments
            case "nw_frag" when value is "yes" or "first" or "later": p.Tests.Add(new Test(new FieldRef(F.DlType, 0, 0, 15), 0x1_0000, 0xffff)); return; // never holds
            case "nw_ecn" when value is "0": return;
        }
        if (eq < 0 || FieldOf(name) is not { } field) { p.UnknownMatch.Add(item); return; }
        if (field.Field == F.InPort && !TryPort(value, out _))
        {
            p.Tests.Add(new Test(field, 0, 0, value.Trim('"')));
            return;
        }
        if (field.Field == F.DlVlan)
        {
            // dl_vlan=0xffff: no VLAN header; dl_vlan=N: tagged with VID N
            if (!TryNumber(value, out var vid)) { p.UnknownMatch.Add(item); return; }
            p.Tests.Add(vid == 0xffff ? new Test(new FieldRef(F.VlanTci, 0, 0, 15), 0, 0x1000) : new Test(new FieldRef(F.VlanTci, 0, 0, 15), (UInt128)(0x1000 | vid), 0x1fff));
            return;
        }
        int slash = value.IndexOf('/');
        var v = slash < 0 ? value : value[..slash];
        if (!TryValue(field.Field, v, out var val)) { p.UnknownMatch.Add(item); return; }
        UInt128 mask = field.Mask;
        if (slash >= 0)
        {
            var m = value[(slash + 1)..];
            if ((field.Field is F.NwSrc or F.NwDst or F.ArpSpa or F.ArpTpa) && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var len) && len is >= 0 and <= 32)
                mask = len == 0 ? 0 : (UInt128)(uint.MaxValue << (32 - len));
            else if (!TryValue(field.Field, m, out mask)) { p.UnknownMatch.Add(item); return; }
        }
        p.Tests.Add(new Test(field, val & mask, mask));

        void Proto(int dlType, int? nwProto)
        {
            p.Tests.Add(new Test(new FieldRef(F.DlType, 0, 0, 15), (UInt128)dlType, 0xffff));
            if (nwProto is { } n) p.Tests.Add(new Test(new FieldRef(F.NwProto, 0, 0, 7), (UInt128)n, 0xff));
        }
    }

    private static void ParseAction(string a, Parsed p)
    {
        var s = a.Trim();
        var lower = s.ToLowerInvariant();
        Act? act = lower switch
        {
            "drop" => new Nop(),
            "normal" => new Reserved(OfOutput.Normal),
            "flood" => new Reserved(OfOutput.Flood),
            "all" => new Reserved(OfOutput.All),
            "local" => new Reserved(OfOutput.Local),
            "in_port" => new Reserved(OfOutput.InPort),
            "controller" => new Reserved(OfOutput.Controller),
            "strip_vlan" or "pop_vlan" => new Vlan(false, null),
            "dec_ttl" => new DecTtl(),
            // no conntrack state is modelled, so clearing it changes nothing the tracer reads (ct_state matches stay unknown)
            "ct_clear" => new Nop(),
            _ => null,
        };
        if (act is null)
        {
            int colon = s.IndexOf(':'), paren = s.IndexOf('(');
            int cut = colon < 0 ? paren : paren < 0 ? colon : Math.Min(colon, paren);
            var verb = (cut < 0 ? s : s[..cut]).ToLowerInvariant();
            var arg = cut < 0 ? "" : s[cut] == '(' && s.EndsWith(')') ? s[(cut + 1)..^1] : s[(cut + 1)..];
            act = verb switch
            {
                "output" => OutputOf(arg),
                "controller" => new Reserved(OfOutput.Controller),
                "resubmit" => ResubmitOf(arg, s[cut] == '('),
                "goto_table" when TryNumber(arg, out var t) => new Goto(t),
                "load" => LoadOf(arg),
                "set_field" => SetFieldOf(arg),
                "move" => MoveOf(arg),
                "mod_dl_src" when MacAddress.TryParse(arg, out var m) => new Load(new FieldRef(F.DlSrc, 0, 0, 47), m.Value),
                "mod_dl_dst" when MacAddress.TryParse(arg, out var m) => new Load(new FieldRef(F.DlDst, 0, 0, 47), m.Value),
                "mod_nw_src" when TryIp(arg, out var ip) => new Load(new FieldRef(F.NwSrc, 0, 0, 31), ip),
                "mod_nw_dst" when TryIp(arg, out var ip) => new Load(new FieldRef(F.NwDst, 0, 0, 31), ip),
                "mod_tp_src" when TryNumber(arg, out var n) => new Load(new FieldRef(F.TpSrc, 0, 0, 15), (UInt128)n),
                "mod_tp_dst" when TryNumber(arg, out var n) => new Load(new FieldRef(F.TpDst, 0, 0, 15), (UInt128)n),
                "mod_vlan_vid" when TryNumber(arg, out var n) => new Vlan(true, n),
                "push_vlan" => new Vlan(true, null),
                "dec_ttl" => new DecTtl(),
                "note" => new Nop(),
                "push" when FieldRefOf(arg) is { } f => new Push(f),
                "pop" when FieldRefOf(arg) is { } f => new Pop(f),
                "clone" when s[cut] == '(' => CloneOf(arg),
                _ when cut < 0 && TryNumber(s, out var port) => new Output(port, null, null), // OpenFlow 1.0's bare port number
                _ => null,
            };
        }
        if (act is null) p.UnknownActs.Add(s);
        else p.Acts.Add(act);
    }

    private static Act CloneOf(string inner)
    {
        var p = new Parsed { Flow = new OvsFlow() };
        foreach (var a in SplitActions(inner)) ParseAction(a, p);
        return new CloneActs(p.Acts, p.UnknownActs);
    }

    /// <summary>Splits an action list at the commas outside parentheses and brackets.</summary>
    private static List<string> SplitActions(string text)
    {
        var list = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == ',' && depth == 0) { list.Add(text[start..i]); start = i + 1; }
        }
        if (start < text.Length) list.Add(text[start..]);
        return list.Where(a => a.Trim().Length > 0).ToList();
    }

    private static Act? OutputOf(string arg)
    {
        if (TryPort(arg, out var n)) return new Output(n, null, null);
        if (FieldRefOf(arg) is { } f) return new Output(-1, null, f);
        if (arg.Length > 0 && !arg.Contains('(')) return new Output(-1, arg.Trim('"'), null);
        return null;
    }

    // resubmit(PORT,TABLE) / resubmit(,TABLE) / resubmit:PORT; resubmit(…,ct) looks up the conntrack-state table: not modelled
    private static Act? ResubmitOf(string arg, bool parens)
    {
        var parts = parens ? arg.Split(',') : [arg, ""];
        if (parts.Length != 2) return null;
        int? port = null, table = null;
        string? name = null;
        if (parts[0].Trim() is { Length: > 0 } ps && !ps.Equals("in_port", StringComparison.OrdinalIgnoreCase))
        {
            if (TryPort(ps, out var n)) port = n;
            else name = ps.Trim('"');
        }
        if (parts[1].Trim() is { Length: > 0 } ts)
        {
            if (!TryNumber(ts, out var t)) return null;
            table = t;
        }
        return new Resubmit(port, name, table);
    }

    // load:VALUE->DST[range]
    private static Act? LoadOf(string arg)
    {
        int arrow = arg.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || FieldRefOf(arg[(arrow + 2)..]) is not { } dst || !TryNumber128(arg[..arrow], out var v)) return null;
        return new Load(dst, (v << dst.Lo) & dst.Mask);
    }

    // set_field:VALUE[/MASK]->FIELD
    private static Act? SetFieldOf(string arg)
    {
        int arrow = arg.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || FieldRefOf(arg[(arrow + 2)..]) is not { } dst) return null;
        var text = arg[..arrow];
        int slash = text.IndexOf('/');
        if (!TryValue(dst.Field, slash < 0 ? text : text[..slash], out var v)) return null;
        if (dst.Field == F.VlanVid) return new Vlan(true, (int)(v & 0xfff));
        if (slash < 0) return new Load(dst, v & dst.Mask);
        if (!TryValue(dst.Field, text[(slash + 1)..], out var m)) return null;
        return new Load(dst with { Lo = 0, Hi = Width(dst.Field) - 1 }, v & m) { MaskOverride = m };
    }

    private static Act? MoveOf(string arg)
    {
        int arrow = arg.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || FieldRefOf(arg[..arrow]) is not { } src || FieldRefOf(arg[(arrow + 2)..]) is not { } dst) return null;
        return src.Hi - src.Lo == dst.Hi - dst.Lo ? new Move(src, dst) : null;
    }

    /// <summary>"NXM_NX_REG0[]", "NXM_NX_XXREG0[64..111]", "reg15", "OXM_OF_METADATA[0..23]", "eth_dst".</summary>
    private static FieldRef? FieldRefOf(string text)
    {
        text = text.Trim();
        int br = text.IndexOf('[');
        var name = br < 0 ? text : text[..br];
        if (FieldOf(name.ToLowerInvariant()) is not { } f) return null;
        if (br < 0 || text[br..] == "[]") return f;
        if (!text.EndsWith(']')) return null;
        var range = text[(br + 1)..^1];
        int dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) return TryNumber(range, out var bit) && bit <= f.Hi ? f with { Lo = bit, Hi = bit } : null;
        return TryNumber(range[..dots], out var lo) && TryNumber(range[(dots + 2)..], out var hi) && lo <= hi && hi <= f.Hi ? f with { Lo = lo, Hi = hi } : null;
    }

    private static int Width(F f) => f switch
    {
        F.DlSrc or F.DlDst or F.ArpSha or F.ArpTha => 48,
        F.DlType or F.VlanTci or F.TpSrc or F.TpDst or F.ArpOp or F.InPort => 16,
        F.VlanVid => 13,
        F.DlVlan => 12,
        F.NwSrc or F.NwDst or F.ArpSpa or F.ArpTpa or F.Reg => 32,
        F.NwProto or F.NwTtl or F.NwTos or F.IcmpType or F.IcmpCode => 8,
        F.Metadata or F.XReg or F.TunId or F.TunMeta => 64,
        F.XXReg => 128,
        _ => 0,
    };

    private static FieldRef? FieldOf(string name)
    {
        foreach (var prefix in (string[])["nxm_of_", "nxm_nx_", "oxm_of_"])
            if (name.StartsWith(prefix, StringComparison.Ordinal)) { name = name[prefix.Length..]; break; }
        F f = name switch
        {
            "in_port" => F.InPort,
            "dl_src" or "eth_src" => F.DlSrc,
            "dl_dst" or "eth_dst" => F.DlDst,
            "dl_type" or "eth_type" => F.DlType,
            "vlan_tci" => F.VlanTci,
            "vlan_vid" => F.VlanVid,
            "dl_vlan" => F.DlVlan,
            "nw_src" or "ip_src" or "ipv4_src" => F.NwSrc,
            "nw_dst" or "ip_dst" or "ipv4_dst" => F.NwDst,
            "nw_proto" or "ip_proto" => F.NwProto,
            "nw_ttl" or "ip_ttl" => F.NwTtl,
            "nw_tos" or "ip_tos" => F.NwTos,
            "tp_src" or "tcp_src" or "udp_src" or "sctp_src" => F.TpSrc,
            "tp_dst" or "tcp_dst" or "udp_dst" or "sctp_dst" => F.TpDst,
            "icmp_type" or "icmpv4_type" => F.IcmpType,
            "icmp_code" or "icmpv4_code" => F.IcmpCode,
            "arp_op" => F.ArpOp,
            "arp_spa" => F.ArpSpa,
            "arp_tpa" => F.ArpTpa,
            "arp_sha" => F.ArpSha,
            "arp_tha" => F.ArpTha,
            "metadata" => F.Metadata,
            "tun_id" or "tunnel_id" => F.TunId,
            _ => F.None,
        };
        int index = 0;
        if (f == F.None)
        {
            if (name.StartsWith("xxreg", StringComparison.Ordinal) && int.TryParse(name[5..], out index) && index is >= 0 and < 4) f = F.XXReg;
            else if (name.StartsWith("xreg", StringComparison.Ordinal) && int.TryParse(name[4..], out index) && index is >= 0 and < 8) f = F.XReg;
            else if (name.StartsWith("pkt_reg", StringComparison.Ordinal) && int.TryParse(name[7..], out index) && index is >= 0 and < 8) f = F.XReg; // OXM_OF_PKT_REGn = xregn
            else if (name.StartsWith("reg", StringComparison.Ordinal) && int.TryParse(name[3..], out index) && index is >= 0 and < 16) f = F.Reg;
            else if (name.StartsWith("tun_metadata", StringComparison.Ordinal) && int.TryParse(name[12..], out index) && index is >= 0 and < 8) f = F.TunMeta;
            else return null;
        }
        return new FieldRef(f, index, 0, Width(f) - 1);
    }

    private static bool TryPort(string s, out int port)
    {
        s = s.Trim();
        if (s.Equals("LOCAL", StringComparison.OrdinalIgnoreCase)) { port = LocalPort; return true; }
        return TryNumber(s, out port);
    }

    private static bool TryNumber(string s, out int n)
    {
        n = 0;
        if (!TryNumber128(s, out var v) || v > int.MaxValue) return false;
        n = (int)v;
        return true;
    }

    private static bool TryNumber128(string s, out UInt128 v)
    {
        s = s.Trim();
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? UInt128.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v)
            : UInt128.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
    }

    private static bool TryIp(string s, out UInt128 v)
    {
        v = 0;
        if (!IPAddress.TryParse(s.Trim(), out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        v = V4(ip);
        return true;
    }

    private static uint V4(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static bool TryValue(F f, string s, out UInt128 v)
    {
        s = s.Trim();
        v = 0;
        if (f is F.DlSrc or F.DlDst or F.ArpSha or F.ArpTha && s.Contains(':'))
        {
            if (!MacAddress.TryParse(s, out var m)) return false;
            v = m.Value;
            return true;
        }
        if (f is F.NwSrc or F.NwDst or F.ArpSpa or F.ArpTpa && s.Contains('.')) return TryIp(s, out v);
        return TryNumber128(s, out v);
    }

    // ---- the evaluation ------------------------------------------------------------------------------------------

    private static UInt128 Get(OfPacket p, F f, int index) => f switch
    {
        F.InPort => (UInt128)(uint)p.InPort,
        F.DlSrc => p.DlSrc,
        F.DlDst => p.DlDst,
        F.DlType => (UInt128)p.DlType,
        F.VlanTci => (UInt128)p.VlanTci,
        F.VlanVid => (UInt128)(p.VlanTci & 0x1fff),
        F.DlVlan => (UInt128)(p.VlanTci & 0xfff),
        F.NwSrc => p.NwSrc,
        F.NwDst => p.NwDst,
        F.NwProto => (UInt128)p.NwProto,
        F.NwTtl => (UInt128)p.NwTtl,
        F.NwTos => (UInt128)p.NwTos,
        F.TpSrc => (UInt128)(uint)p.TpSrc,
        F.TpDst => (UInt128)(uint)p.TpDst,
        F.IcmpType => (UInt128)(uint)p.IcmpType,
        F.IcmpCode => (UInt128)(uint)p.IcmpCode,
        F.ArpOp => (UInt128)p.ArpOp,
        F.ArpSpa => p.ArpSpa,
        F.ArpTpa => p.ArpTpa,
        F.ArpSha => p.ArpSha,
        F.ArpTha => p.ArpTha,
        F.Metadata => p.Metadata,
        F.TunId => p.TunId,
        F.TunMeta => p.TunMeta[index],
        F.Reg => p.Reg[index],
        F.XReg => (UInt128)p.Reg[2 * index] << 32 | p.Reg[2 * index + 1],
        F.XXReg => (UInt128)p.Reg[4 * index] << 96 | (UInt128)p.Reg[4 * index + 1] << 64 | (UInt128)p.Reg[4 * index + 2] << 32 | p.Reg[4 * index + 3],
        _ => 0,
    };

    private static void Set(OfPacket p, F f, int index, UInt128 v)
    {
        switch (f)
        {
            case F.InPort: p.InPort = (int)(v & 0xffff); p.InPortName = null; break;
            case F.DlSrc: p.DlSrc = (ulong)(v & 0xffff_ffff_ffff); break;
            case F.DlDst: p.DlDst = (ulong)(v & 0xffff_ffff_ffff); break;
            case F.DlType: p.DlType = (int)(v & 0xffff); break;
            case F.VlanTci: p.VlanTci = (int)(v & 0xffff); break;
            case F.VlanVid: p.VlanTci = (p.VlanTci & 0xe000) | (int)(v & 0x1fff); break;
            case F.DlVlan: p.VlanTci = (p.VlanTci & 0xf000) | (int)(v & 0xfff); break;
            case F.NwSrc: p.NwSrc = (uint)v; break;
            case F.NwDst: p.NwDst = (uint)v; break;
            case F.NwProto: p.NwProto = (int)(v & 0xff); break;
            case F.NwTtl: p.NwTtl = (int)(v & 0xff); break;
            case F.NwTos: p.NwTos = (int)(v & 0xff); break;
            case F.TpSrc: p.TpSrc = (int)(v & 0xffff); break;
            case F.TpDst: p.TpDst = (int)(v & 0xffff); break;
            case F.IcmpType: p.IcmpType = (int)(v & 0xff); break;
            case F.IcmpCode: p.IcmpCode = (int)(v & 0xff); break;
            case F.ArpOp: p.ArpOp = (int)(v & 0xffff); break;
            case F.ArpSpa: p.ArpSpa = (uint)v; break;
            case F.ArpTpa: p.ArpTpa = (uint)v; break;
            case F.ArpSha: p.ArpSha = (ulong)(v & 0xffff_ffff_ffff); break;
            case F.ArpTha: p.ArpTha = (ulong)(v & 0xffff_ffff_ffff); break;
            case F.Metadata: p.Metadata = (ulong)v; break;
            case F.TunId: p.TunId = (ulong)v; break;
            case F.TunMeta: p.TunMeta[index] = (ulong)v; break;
            case F.Reg: p.Reg[index] = (uint)v; break;
            case F.XReg: p.Reg[2 * index] = (uint)(v >> 32); p.Reg[2 * index + 1] = (uint)v; break;
            case F.XXReg:
                p.Reg[4 * index] = (uint)(v >> 96); p.Reg[4 * index + 1] = (uint)(v >> 64);
                p.Reg[4 * index + 2] = (uint)(v >> 32); p.Reg[4 * index + 3] = (uint)v;
                break;
        }
    }

    private static void Write(OfPacket p, FieldRef dst, UInt128 bits, UInt128 mask)
    {
        var old = Get(p, dst.Field, dst.Index);
        Set(p, dst.Field, dst.Index, (old & ~mask) | (bits & mask));
    }

    /// <summary>Whether the flow's fields hold for P: true, false, or null with the reason the tracer cannot tell.</summary>
    private static bool? Matches(Parsed f, OfPacket p, out string? why)
    {
        why = null;
        string? undecided = null;
        foreach (var t in f.Tests)
        {
            if (t.Name is { } portName)
            {
                if (p.InPortName is { } n ? !SameOfName(n, portName) : p.InPort != LocalPort || portName != "LOCAL") return false;
                continue;
            }
            var field = t.Field.Field;
            bool unknown = field switch
            {
                F.InPort => p.InPort < 0,
                F.TpSrc => p.TpSrc < 0,
                F.TpDst => p.TpDst < 0,
                F.IcmpType => p.IcmpType < 0,
                F.IcmpCode => p.IcmpCode < 0,
                _ => false,
            };
            if (unknown) { undecided ??= $"{Name(field)} (not known for this packet)"; continue; }
            if ((Get(p, field, t.Field.Index) & t.Mask) != t.Value) return false;
        }
        if (f.UnknownMatch.Count > 0) undecided ??= string.Join(", ", f.UnknownMatch);
        why = undecided;
        return undecided is null ? true : null;
    }

    /// <summary>OpenFlow names are cut to 15 characters.</summary>
    private static bool SameOfName(string device, string ofName) =>
        device == ofName || ofName.Length == 15 && device.StartsWith(ofName, StringComparison.Ordinal);

    private static string Name(F f) => f switch
    {
        F.InPort => "in_port", F.TpSrc => "tp_src", F.TpDst => "tp_dst", F.IcmpType => "icmp_type", F.IcmpCode => "icmp_code",
        _ => f.ToString(),
    };

    private sealed class Tables
    {
        public required int Count;
        public required Dictionary<int, List<Parsed>> ByTable;
    }

    private static readonly ConditionalWeakTable<List<OvsFlow>, Tables> Indexed = new();

    private static Dictionary<int, List<Parsed>> TablesOf(OvsBridge br)
    {
        if (Indexed.TryGetValue(br.Flows, out var t) && t.Count == br.Flows.Count) return t.ByTable;
        var by = new Dictionary<int, List<Parsed>>();
        foreach (var f in br.Flows)
        {
            if (!by.TryGetValue(f.Table, out var list)) by[f.Table] = list = [];
            list.Add(Parse(f));
        }
        // highest priority first; equal priorities keep the order printed (OpenFlow leaves overlapping ones undefined)
        foreach (var list in by.Values)
        {
            var sorted = list.Select((p, i) => (p, i)).OrderByDescending(x => x.p.Flow.Priority).ThenBy(x => x.i).Select(x => x.p).ToList();
            list.Clear();
            list.AddRange(sorted);
        }
        Indexed.AddOrUpdate(br.Flows, new Tables { Count = br.Flows.Count, ByTable = by });
        return by;
    }

    /// <summary>Runs PACKET through the flows of BR from table 0.</summary>
    public static OfResult Run(OvsBridge br, OfPacket packet)
    {
        var run = new Evaluation(TablesOf(br));
        var p = packet.Clone();
        run.Lookup(0, p, 0);
        return new OfResult(run.Hits, run.Outputs, run.Uncertain, p) { MissTable = run.Miss };
    }

    private sealed class Evaluation(Dictionary<int, List<Parsed>> tables)
    {
        public readonly List<(OvsFlow, int)> Hits = [];
        public readonly List<OfOutput> Outputs = [];
        public string? Uncertain;
        public int? Miss;

        public void Lookup(int table, OfPacket p, int depth)
        {
            if (Uncertain is not null) return;
            if (depth >= MaxDepth) { Uncertain = $"more than {MaxDepth} resubmits back to an earlier table deep (Open vSwitch stops there and drops)"; return; }
            if (++_resubmits > MaxDepth * MaxDepth) { Uncertain = $"more than {MaxDepth * MaxDepth} resubmits (Open vSwitch stops there and drops)"; return; }
            if (tables.TryGetValue(table, out var flows))
                foreach (var f in flows)
                {
                    var m = Matches(f, p, out var why);
                    if (m == false) continue;
                    if (m is null)
                    {
                        Uncertain = $"table {table}: a flow of priority {f.Flow.Priority}{At(f.Flow)} may match, on {why}, which the tracer does not model";
                        return;
                    }
                    Hits.Add((f.Flow, depth));
                    Execute(f, p, depth);
                    return;
                }
            if (Hits.Count == 0) Miss = table;
        }

        private int _resubmits;

        /// <summary>push/pop's stack (ofproto-dpif-xlate: one per translation, kept across resubmits).</summary>
        private readonly Stack<UInt128> _stack = new();

        private void Execute(Parsed f, OfPacket p, int depth)
        {
            int? gotoTable = null;
            Run(f.Acts, f.Flow, p, depth, ref gotoTable);
            if (Uncertain is not null) return;
            if (f.UnknownActs.Count > 0)
            {
                Uncertain = $"table {f.Flow.Table} priority {f.Flow.Priority}{At(f.Flow)}: action {Short(f.UnknownActs[0])} is not modelled";
                return;
            }
            if (gotoTable is { } t) Lookup(t, p, depth);
        }

        private void Run(List<Act> acts, OvsFlow flow, OfPacket p, int depth, ref int? gotoTable)
        {
            foreach (var a in acts)
            {
                if (Uncertain is not null) return;
                switch (a)
                {
                    case Output o:
                        if (o.From is { } from) Out(OfOutput.ToPort, (int)((Get(p, from.Field, from.Index) & from.Mask) >> from.Lo), null, p);
                        else if (o.Name is { } name) Out(OfOutput.ToPort, -1, name, p);
                        else if (o.Port == LocalPort) Out(OfOutput.Local, LocalPort, null, p);
                        else Out(OfOutput.ToPort, o.Port, null, p);
                        break;
                    case Reserved r: Out(r.Kind, -1, null, p); break;
                    case Resubmit rs:
                        {
                            int savedPort = p.InPort;
                            string? savedName = p.InPortName;
                            if (rs.Port is { } port) { p.InPort = port; p.InPortName = null; }
                            else if (rs.PortName is { } pn) { p.InPortName = pn; p.InPort = -1; }
                            // ofproto-dpif-xlate's xlate_recursively: only a resubmit to the same or an earlier table deepens
                            int target = rs.Table ?? (int)flow.Table;
                            Lookup(target, p, depth + (target <= flow.Table ? 1 : 0));
                            p.InPort = savedPort; p.InPortName = savedName;
                            break;
                        }
                    case Goto g: gotoTable = g.Table; break;
                    case Load l: Write(p, l.Dst, l.Value, l.MaskOverride ?? l.Dst.Mask); break;
                    case Move mv:
                        {
                            var bits = (Get(p, mv.Src.Field, mv.Src.Index) & mv.Src.Mask) >> mv.Src.Lo;
                            Write(p, mv.Dst, bits << mv.Dst.Lo, mv.Dst.Mask);
                            break;
                        }
                    case DecTtl:
                        if (p.DlType == 0x0800 && p.NwTtl <= 1) { Uncertain = $"table {flow.Table}{At(flow)}: dec_ttl of a packet with TTL {p.NwTtl} (Open vSwitch hands it to the controller as invalid_ttl)"; return; }
                        if (p.DlType == 0x0800) p.NwTtl--;
                        break;
                    case Push pu:
                        if (pu.Field.Field == F.InPort && p.InPort < 0) { Uncertain = $"table {flow.Table}{At(flow)}: push of in_port, which is not known for this packet"; return; }
                        _stack.Push((Get(p, pu.Field.Field, pu.Field.Index) & pu.Field.Mask) >> pu.Field.Lo);
                        break;
                    case Pop po:
                        if (_stack.Count == 0) { Uncertain = $"table {flow.Table}{At(flow)}: pop from an empty stack (Open vSwitch stops the translation there)"; return; }
                        {
                            var name = p.InPortName;
                            Write(p, po.Field, _stack.Pop() << po.Field.Lo, po.Field.Mask);
                            if (po.Field.Field == F.InPort && p.InPort == -1 + 0x10000) { p.InPort = -1; p.InPortName = name; }
                        }
                        break;
                    case CloneActs c:
                        {
                            if (c.Unknown.Count > 0) { Uncertain = $"table {flow.Table} priority {flow.Priority}{At(flow)}: action {Short(c.Unknown[0])} inside clone() is not modelled"; return; }
                            int? innerGoto = null;
                            Run(c.Acts, flow, p.Clone(), depth, ref innerGoto);
                            break;
                        }
                    case Vlan v:
                        if (!v.Push) p.VlanTci = 0;
                        else p.VlanTci = v.Vid is { } vid ? (p.VlanTci & 0xe000) | 0x1000 | vid : p.VlanTci | 0x1000;
                        break;
                }
            }
        }

        private void Out(string kind, int port, string? name, OfPacket p)
        {
            // OpenFlow never outputs a packet to the port it came in by unless told IN_PORT (xlate: "skipping output to input port")
            if (kind == OfOutput.ToPort && (port >= 0 && port == p.InPort || name is not null && p.InPortName is { } n && SameOfName(n, name))) return;
            Outputs.Add(new OfOutput(kind, port, name, p.Clone()));
        }
    }

    private static string At(OvsFlow f) => f.Source is { } s ? $" ({s})" : "";

    /// <summary>The packet for FLOW's frame entering by IN-PORT (an OpenFlow port number, -1 when unknown).</summary>
    public static OfPacket Packet(Frame frame, int inPort, string? inPortName, bool isReply)
    {
        var ip = frame.Ip;
        var p = new OfPacket
        {
            InPort = inPort, InPortName = inPortName, DlSrc = frame.SrcMac.Value, DlDst = frame.DstMac.Value,
            DlType = ip.IsV4 ? 0x0800 : 0x86dd,
        };
        if (ip.IsV4)
        {
            p.NwSrc = V4(ip.Source);
            p.NwDst = V4(ip.Destination);
        }
        p.NwProto = ip.Protocol switch { Protocols.Icmp => ip.IsV4 ? 1 : 58, Protocols.Tcp => 6, Protocols.Udp => 17, _ => 0 };
        if (ip.Protocol == Protocols.Icmp) { p.IcmpType = isReply ? 0 : 8; p.IcmpCode = 0; }
        else
        {
            p.TpSrc = ip.SourcePort is { } sp && !ip.SourcePortChosen ? sp : -1;
            p.TpDst = ip.DestinationPort ?? -1;
        }
        return p;
    }

    /// <summary>A broadcast ARP request (who-has TPA tell SPA) from SRC entering by IN-PORT.</summary>
    public static OfPacket ArpRequest(int inPort, string? inPortName, MacAddress src, IPAddress spa, IPAddress tpa) => new()
    {
        InPort = inPort, InPortName = inPortName, DlSrc = src.Value, DlDst = MacAddress.Broadcast.Value, DlType = 0x0806,
        ArpOp = 1, ArpSha = src.Value, ArpSpa = V4(spa), ArpTpa = V4(tpa), NwTtl = 0,
    };

    /// <summary>The packet an `ofproto/trace` "Flow:" line describes (`icmp,in_port=1,dl_src=…,nw_dst=…,icmp_type=8`);
    /// UNKNOWN names the fields it does not model.</summary>
    public static OfPacket PacketOf(string flowText, out List<string> unknown)
    {
        var p = new OfPacket { TpSrc = 0, TpDst = 0, IcmpType = 0, IcmpCode = 0, NwTtl = 0 };
        unknown = [];
        foreach (var item in flowText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parsed = new Parsed { Flow = new OvsFlow() };
            ParseMatch(item, parsed);
            if (parsed.UnknownMatch.Count > 0) { unknown.Add(item); continue; }
            foreach (var t in parsed.Tests)
                if (t.Name is { } n) p.InPortName = n;
                else Write(p, t.Field with { Lo = 0, Hi = Width(t.Field.Field) - 1 }, t.Value, t.Mask);
        }
        return p;
    }

    /// <summary>"198.18.2.46" of a packet field.</summary>
    public static IPAddress Ip(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
