using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace NetSleuth.Collect.Netlink;

/// <summary>
/// The netlink attributes (struct nlattr: u16 length, u16 type, value, padded to 4) of one message or
/// one nested attribute, indexed by type as iproute2's parse_rtattr does: the last one of a type wins,
/// <see cref="All"/> keeps repeated ones in order. Values are views into the message, never copied.
/// </summary>
internal sealed class NlAttrs
{
    private readonly byte[] _buf;
    private readonly Dictionary<int, (int Off, int Len)> _at = [];
    private readonly List<(int Type, int Off, int Len)> _all = [];

    private NlAttrs(byte[] buf) => _buf = buf;

    /// <summary>The attributes in <paramref name="buf"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    public static NlAttrs Parse(byte[] buf, int start, int end)
    {
        var a = new NlAttrs(buf);
        int p = start;
        while (p + 4 <= end)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(p));
            int type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(p + 2)) & 0x3FFF;
            if (len < 4 || p + len > end) break;
            a._at[type] = (p + 4, len - 4);
            a._all.Add((type, p + 4, len - 4));
            p += (len + 3) & ~3;
        }
        return a;
    }

    /// <summary>The attributes after a family header of <paramref name="headerLength"/> bytes (aligned to 4).</summary>
    public static NlAttrs AfterHeader(byte[] msg, int headerLength) => Parse(msg, Math.Min(msg.Length, (headerLength + 3) & ~3), msg.Length);

    public bool Has(int type) => _at.ContainsKey(type);

    public ReadOnlySpan<byte> this[int type] => _at.TryGetValue(type, out var r) ? _buf.AsSpan(r.Off, r.Len) : default;

    public int Length(int type) => _at.TryGetValue(type, out var r) ? r.Len : -1;

    /// <summary>A copy of one attribute's value; null when absent.</summary>
    public byte[]? Raw(int type) => Has(type) ? this[type].ToArray() : null;

    public NlAttrs? Nested(int type) => _at.TryGetValue(type, out var r) ? Parse(_buf, r.Off, r.Off + r.Len) : null;

    /// <summary>Every attribute in order, repeated types included: (type, nested view).</summary>
    public IEnumerable<(int Type, NlAttrs Value, int Length)> All() =>
        _all.Select(x => (x.Type, Parse(_buf, x.Off, x.Off + x.Len), x.Len));

    /// <summary>The raw bytes of every attribute of <paramref name="type"/>, in order.</summary>
    public IEnumerable<byte[]> Each(int type) => _all.Where(x => x.Type == type).Select(x => _buf.AsSpan(x.Off, x.Len).ToArray());

    public byte? U8(int type) => Length(type) >= 1 ? this[type][0] : null;
    public ushort? U16(int type) => Length(type) >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(this[type]) : null;
    public ushort? Be16(int type) => Length(type) >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(this[type]) : null;
    public uint? U32(int type) => Length(type) >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(this[type]) : null;
    public int? S32(int type) => Length(type) >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(this[type]) : null;

    /// <summary>A NUL-terminated string attribute.</summary>
    public string? Str(int type) => Has(type) ? Text(this[type]) : null;

    /// <summary>The text of a NUL-terminated string value.</summary>
    public static string Text(ReadOnlySpan<byte> v)
    {
        int nul = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? v : v[..nul]);
    }

    public static string Text(byte[] v) => Text(v.AsSpan());

    /// <summary>An IPv4 (4 bytes) or IPv6 (16 bytes) address attribute; null otherwise.</summary>
    public IPAddress? Ip(int type) => Length(type) is 4 or 16 ? new IPAddress(this[type]) : null;
}
