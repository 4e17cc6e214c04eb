using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace NetSleuth.Model.FastJson;

/// <summary>
/// Shares the strings of one file: looked up by their ASCII bytes as they stand in the JSON (no
/// char copy, no second hash), made once. Open addressing over a power-of-two table.
/// </summary>
internal sealed class StringPool
{
    private string?[] _strings = new string?[1024];
    private int[] _hashes = new int[1024];
    private int _count;

    /// <summary>The pooled string with these ASCII bytes (the caller checks they are ASCII).</summary>
    public string Get(ReadOnlySpan<byte> ascii)
    {
        int hash = Hash(ascii);
        int mask = _strings.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            var s = _strings[i];
            if (s is null)
            {
                s = Encoding.Latin1.GetString(ascii);
                _strings[i] = s;
                _hashes[i] = hash;
                if (++_count * 2 > _strings.Length) Grow();
                return s;
            }
            if (_hashes[i] == hash && s.Length == ascii.Length && Ascii.Equals(ascii, s)) return s;
        }
    }

    private void Grow()
    {
        var strings = _strings;
        var hashes = _hashes;
        _strings = new string?[strings.Length * 2];
        _hashes = new int[strings.Length * 2];
        int mask = _strings.Length - 1;
        for (int j = 0; j < strings.Length; j++)
        {
            if (strings[j] is not { } s) continue;
            int i = hashes[j] & mask;
            while (_strings[i] is not null) i = (i + 1) & mask;
            _strings[i] = s;
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
