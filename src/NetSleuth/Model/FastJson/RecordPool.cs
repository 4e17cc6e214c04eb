namespace NetSleuth.Model.FastJson;

/// <summary>
/// Small records read once per file: when a load shares what it reads (<see cref="RuleSharing"/>), a record whose JSON
/// text an earlier record of the same type in the same file held (byte for byte) is that record, not a second copy.
/// Every pod namespace of a node lists the same `ip rule`s, the same loopback address, routes to the same gateway, the
/// same neighbour of it, the same qdiscs, sysctls and known sections: a node of 110 pods holds one of each instead of
/// 110. The JSON text decides everything the reader makes of it, so the shared record is the one a second parse would
/// give. Shared records are never changed: the loaded model is read only (a what-if edit works on a deep copy of its
/// host, <c>ModelCopy</c>, which is read without sharing), so they must not be either in the future.
/// Keys are (type, offset, length) in the file being read: no copy of the text is made. One pool per thread, emptied
/// between files (like <see cref="StringPool"/>).
/// </summary>
internal sealed unsafe class RecordPool : IEqualityComparer<RecordPool.Key>
{
    internal readonly record struct Key(Type Type, int Start, int Length, int Hash);

    private readonly Dictionary<Key, object> _records;
    private byte* _input;

    private RecordPool() => _records = new Dictionary<Key, object>(256, this);

    /// <summary>Records looked up and records given again (for tests and benchmarks).</summary>
    public int Lookups { get; private set; }
    public int Hits { get; private set; }

    [ThreadStatic] private static RecordPool? t_free;

    /// <summary>The calling thread's pool (empty), set to read INPUT (pinned by the caller while the pool is used).</summary>
    public static RecordPool Take(byte* input)
    {
        var p = t_free ?? new RecordPool();
        t_free = null;
        p._input = input;
        return p;
    }

    /// <summary>Gives the pool back to the thread, emptied (it keeps no record of the file alive).</summary>
    public static void Return(RecordPool pool)
    {
        pool._records.Clear();
        Array.Clear(pool._empty);
        pool._input = null;
        pool.Lookups = pool.Hits = 0;
        t_free = pool;
    }

    /// <summary>The key of the record of type T written at [START, START+LENGTH) of the input.</summary>
    public Key KeyOf<T>(int start, int length)
    {
        var h = new HashCode();
        h.AddBytes(new ReadOnlySpan<byte>(_input + start, length));
        return new Key(typeof(T), start, length, h.ToHashCode());
    }

    /// <summary>True when the record at the reader (an object or array) was read before in this file: KNOWN is it and the
    /// reader has moved past it. Else KEY is the one to <see cref="Add"/> the record under once it is parsed.</summary>
    public bool TryGetAt<T>(ref System.Text.Json.Utf8JsonReader r, out Key key, out T known) where T : class
    {
        long start = r.TokenStartIndex;
        var ahead = r; // a copy: skipping it leaves R where it is
        ahead.Skip();
        key = KeyOf<T>((int)start, (int)(ahead.BytesConsumed - start));
        if (!TryGet(key, out known)) return false;
        r = ahead;
        return true;
    }

    private bool TryGet<T>(Key key, out T record) where T : class
    {
        Lookups++;
        if (_records.TryGetValue(key, out var o))
        {
            Hits++;
            record = (T)o;
            return true;
        }
        record = null!;
        return false;
    }

    public void Add(Key key, object record) => _records.TryAdd(key, record);

    private object?[] _empty = new object?[8];
    private static int s_slots;
    private static class Slot<T> { public static readonly int Index = Interlocked.Increment(ref s_slots) - 1; }

    /// <summary>The file's one empty T (a list, a set, a map) for every record that has none: a model collection
    /// is made when first used, and a shared load's never is.</summary>
    public T Empty<T>() where T : class, new()
    {
        int i = Slot<T>.Index;
        if (i >= _empty.Length) Array.Resize(ref _empty, Math.Max(i + 1, _empty.Length * 2));
        return (T)(_empty[i] ??= new T());
    }

    public bool Equals(Key x, Key y) =>
        x.Hash == y.Hash && x.Length == y.Length && ReferenceEquals(x.Type, y.Type) &&
        (x.Start == y.Start || new ReadOnlySpan<byte>(_input + x.Start, x.Length).SequenceEqual(new ReadOnlySpan<byte>(_input + y.Start, y.Length)));

    public int GetHashCode(Key k) => k.Hash;
}
