using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace NetSleuth.Model.FastJson;

/// <summary>
/// Shares the strings of one file: looked up by their ASCII bytes as they stand in the JSON (no
/// char copy, no second hash), made once. Open addressing over a power-of-two table. Addresses and prefixes
/// are cached by their text too, so a repeated one is parsed once (and is one object).
/// One pool serves one thread's files one after another (<see cref="Clear"/> between them): its table
/// is not made again for every file.
/// </summary>
internal sealed class StringPool
{
    private string?[] _strings = new string?[1024];
    private object?[] _tags = new object?[1024];
    private int[] _hashes = new int[1024];
    private int _count;

    /// <summary>The pooled string with these ASCII bytes (the caller checks they are ASCII).</summary>
    public string Get(ReadOnlySpan<byte> ascii)
    {
        int i = Find(ascii); // first: it may grow the table (then _strings is another array)
        return _strings[i]!;
    }

    [ThreadStatic] private static StringPool? t_free;

    /// <summary>The calling thread's pool (empty), or a new one when it is in use.</summary>
    public static StringPool Take()
    {
        var p = t_free ?? new StringPool();
        t_free = null;
        return p;
    }

    /// <summary>Gives the pool back to the thread for its next file, emptied (the file's strings are not kept alive by it).</summary>
    public static void Return(StringPool pool)
    {
        pool.Clear();
        t_free = pool;
    }

    /// <summary>Texts of at most this many bytes (an IPv4 address or prefix) are cached without making a string of them.</summary>
    public const int MaxShort = 24;
    private readonly Dictionary<(ulong, ulong, ulong, int), System.Net.IPAddress> _addresses = [];
    private readonly Dictionary<(ulong, ulong, ulong, int), IpPrefix> _prefixes = [];

    /// <summary>The cache slot of the address written as ASCII (null until the caller sets it).</summary>
    public ref System.Net.IPAddress? Address(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxShort) return ref System.Runtime.CompilerServices.Unsafe.As<object?, System.Net.IPAddress?>(ref Tag(ascii, AddressTag));
        return ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_addresses, Key(ascii), out _)!;
    }

    /// <summary>The cache slot of the prefix written as ASCII; EXISTS: it has been set.</summary>
    public ref IpPrefix Prefix(ReadOnlySpan<byte> ascii, out bool exists)
    {
        if (ascii.Length <= MaxShort)
            return ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_prefixes, Key(ascii), out exists);
        // longer (IPv6): boxed in the string's tag
        ref object? tag = ref Tag(ascii, PrefixTag);
        tag ??= new StrongBox<IpPrefix>();
        var box = (StrongBox<IpPrefix>)tag;
        exists = box.Value.Address is not null;
        return ref box.Value;
    }

    private static (ulong, ulong, ulong, int) Key(ReadOnlySpan<byte> ascii)
    {
        Span<byte> key = stackalloc byte[MaxShort];
        key.Clear();
        ascii.CopyTo(key);
        return (BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(key[16..]), ascii.Length);
    }

    private const int AddressTag = 0, PrefixTag = 1;

    /// <summary>The tag slot (of one kind) of the pooled string with these ASCII bytes.</summary>
    private ref object? Tag(ReadOnlySpan<byte> ascii, int kind)
    {
        int i = Find(ascii);
        _tags[i] ??= new object?[2];
        return ref ((object?[])_tags[i]!)[kind];
    }

    /// <summary>Forgets every string and tag, keeping the table (the next file's strings are its own).</summary>
    public void Clear()
    {
        _addresses.Clear();
        _prefixes.Clear();
        if (_count == 0) return;
        Array.Clear(_strings);
        Array.Clear(_tags);
        _count = 0;
    }

    private int Find(ReadOnlySpan<byte> ascii)
    {
        int hash = Hash(ascii);
        int mask = _strings.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            var s = _strings[i];
            if (s is null)
            {
                if ((_count + 1) * 2 > _strings.Length)
                {
                    Grow();
                    return Find(ascii);
                }
                _strings[i] = Encoding.Latin1.GetString(ascii);
                _hashes[i] = hash;
                _count++;
                return i;
            }
            if (_hashes[i] == hash && s.Length == ascii.Length && Ascii.Equals(ascii, s)) return i;
        }
    }

    private void Grow()
    {
        var strings = _strings;
        var tags = _tags;
        var hashes = _hashes;
        _strings = new string?[strings.Length * 2];
        _tags = new object?[strings.Length * 2];
        _hashes = new int[strings.Length * 2];
        int mask = _strings.Length - 1;
        for (int j = 0; j < strings.Length; j++)
        {
            if (strings[j] is not { } s) continue;
            int i = hashes[j] & mask;
            while (_strings[i] is not null) i = (i + 1) & mask;
            _strings[i] = s;
            _tags[i] = tags[j];
            _hashes[i] = hashes[j];
        }
    }

    /// <summary>A fast multiplicative hash, 8 bytes at a time (keys are short and need not resist attacks: one file's own strings).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> b)
    {
        ulong h = (ulong)b.Length * 0x9E3779B97F4A7C15UL;
        while (b.Length >= 8)
        {
            h = (BitOperations.RotateLeft(h, 23) ^ BinaryPrimitives.ReadUInt64LittleEndian(b)) * 0x9E3779B97F4A7C15UL;
            b = b[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < b.Length; i++) tail |= (ulong)b[i] << (8 * i);
        h = (BitOperations.RotateLeft(h, 23) ^ tail) * 0x9E3779B97F4A7C15UL;
        return (int)(h ^ (h >> 29));
    }
}
