using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace NetSleuth.Model.Collections;

/// <summary>
/// A string → string dictionary kept in ordinal key order (what SortedDictionary&lt;string, string&gt; with
/// StringComparer.Ordinal gave): two arrays, looked up by binary search. The model holds hundreds of thousands
/// of these (every namespace's sysctls, every OVS interface's options and ids, mostly empty or small), where a
/// tree costs a node object per entry and three objects when empty. Keys arrive in order when a snapshot is
/// read (appended at the end); an insertion elsewhere shifts the arrays (tables hold hundreds at most).
/// Enumeration is in key order; changing the map while enumerating it throws, as the tree did.
/// </summary>
public sealed class StringMap : IDictionary<string, string>, IReadOnlyDictionary<string, string>, ICollection
{
    private string[] _keys = [];
    private string[] _values = [];
    private int _count;
    private int _version;

    public StringMap() { }

    /// <summary>A copy of <paramref name="entries"/> (any order; a later duplicate key replaces the earlier value).</summary>
    public StringMap(IEnumerable<KeyValuePair<string, string>> entries)
    {
        foreach (var (k, v) in entries) this[k] = v;
    }

    public int Count => _count;

    public string this[string key]
    {
        get => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"'{key}' is not in the map");
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            // in order (a snapshot being read): after the last key
            if (_count == 0 || string.CompareOrdinal(key, _keys[_count - 1]) > 0) { Insert(_count, key, value); return; }
            int i = IndexOf(key);
            if (i >= 0) { _values[i] = value; _version++; }
            else Insert(~i, key, value);
        }
    }

    /// <summary>Adds a new key; throws when it is there already (as a dictionary does).</summary>
    public void Add(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        int i = _count == 0 || string.CompareOrdinal(key, _keys[_count - 1]) > 0 ? ~_count : IndexOf(key);
        if (i >= 0) throw new ArgumentException($"'{key}' is in the map already", nameof(key));
        Insert(~i, key, value);
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        int i = IndexOf(key);
        if (i < 0) { value = null; return false; }
        value = _values[i];
        return true;
    }

    public bool Remove(string key)
    {
        int i = IndexOf(key);
        if (i < 0) return false;
        _count--;
        Array.Copy(_keys, i + 1, _keys, i, _count - i);
        Array.Copy(_values, i + 1, _values, i, _count - i);
        _keys[_count] = null!;
        _values[_count] = null!;
        _version++;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_keys, 0, _count);
        Array.Clear(_values, 0, _count);
        _count = 0;
        _version++;
    }

    /// <summary>The keys in order (a copy: the map may be changed while they are gone through).</summary>
    public IReadOnlyList<string> Keys => _keys.AsSpan(0, _count).ToArray();
    /// <summary>The values in key order (a copy).</summary>
    public IReadOnlyList<string> Values => _values.AsSpan(0, _count).ToArray();

    public Enumerator GetEnumerator() => new(this);

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Array.BinarySearch(_keys, 0, _count, key, StringComparer.Ordinal);
    }

    private void Insert(int at, string key, string value)
    {
        if (_count == _keys.Length)
        {
            int size = _count == 0 ? 4 : _count * 2;
            Array.Resize(ref _keys, size);
            Array.Resize(ref _values, size);
        }
        if (at < _count)
        {
            Array.Copy(_keys, at, _keys, at + 1, _count - at);
            Array.Copy(_values, at, _values, at + 1, _count - at);
        }
        _keys[at] = key;
        _values[at] = value;
        _count++;
        _version++;
    }

    /// <summary>Adds these entries (KEYS and VALUES side by side): when the map is empty and the keys are in strictly
    /// ascending order (as a snapshot writes them), into arrays of exactly their size; else one at a time (a later
    /// duplicate replaces the earlier value, as the indexer does).</summary>
    internal void SetAll(ReadOnlySpan<string> keys, ReadOnlySpan<string> values)
    {
        bool ordered = _count == 0;
        for (int i = 1; ordered && i < keys.Length; i++) ordered = string.CompareOrdinal(keys[i - 1], keys[i]) < 0;
        if (!ordered)
        {
            for (int i = 0; i < keys.Length; i++) this[keys[i]] = values[i];
            return;
        }
        if (keys.Length == 0) return;
        _keys = keys.ToArray();
        _values = values.ToArray();
        _count = keys.Length;
        _version++;
    }

    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly StringMap _map;
        private readonly int _version;
        private int _index;

        internal Enumerator(StringMap map)
        {
            _map = map;
            _version = map._version;
            _index = -1;
        }

        public readonly KeyValuePair<string, string> Current => new(_map._keys[_index], _map._values[_index]);
        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_version != _map._version) throw new InvalidOperationException("the map was changed while it was gone through");
            return ++_index < _map._count;
        }

        public void Reset() => _index = -1;
        public readonly void Dispose() { }
    }

    ICollection<string> IDictionary<string, string>.Keys => _keys.AsSpan(0, _count).ToArray();
    ICollection<string> IDictionary<string, string>.Values => _values.AsSpan(0, _count).ToArray();
    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;
    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;
    bool ICollection<KeyValuePair<string, string>>.IsReadOnly => false;
    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => this;

    void ICollection<KeyValuePair<string, string>>.Add(KeyValuePair<string, string> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<string, string>>.Contains(KeyValuePair<string, string> item) =>
        TryGetValue(item.Key, out var v) && v == item.Value;

    bool ICollection<KeyValuePair<string, string>>.Remove(KeyValuePair<string, string> item) =>
        TryGetValue(item.Key, out var v) && v == item.Value && Remove(item.Key);

    void ICollection<KeyValuePair<string, string>>.CopyTo(KeyValuePair<string, string>[] array, int arrayIndex)
    {
        for (int i = 0; i < _count; i++) array[arrayIndex + i] = new(_keys[i], _values[i]);
    }

    void ICollection.CopyTo(Array array, int index)
    {
        for (int i = 0; i < _count; i++) array.SetValue(new KeyValuePair<string, string>(_keys[i], _values[i]), index + i);
    }

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
