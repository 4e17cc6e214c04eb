using System.Collections;

namespace NetSleuth.Model.Collections;

/// <summary>
/// A set of strings kept in ordinal order (what SortedSet&lt;string&gt; with StringComparer.Ordinal gave): one
/// array, looked up by binary search. Every namespace has one (<see cref="NetNamespace.Known"/>, a dozen
/// section names), where a tree costs a node object per entry. Enumeration is in order; changing the set
/// while enumerating it throws, as the tree did.
/// </summary>
public sealed class StringSet : ICollection<string>, IReadOnlyCollection<string>, ICollection
{
    private string[] _items = [];
    private int _count;
    private int _version;

    public StringSet() { }

    public StringSet(IEnumerable<string> items) => UnionWith(items);

    public int Count => _count;

    /// <summary>Adds ITEM; false when it is there already.</summary>
    public bool Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        int i = _count == 0 || string.CompareOrdinal(item, _items[_count - 1]) > 0 ? ~_count : IndexOf(item);
        if (i >= 0) return false;
        i = ~i;
        if (_count == _items.Length) Array.Resize(ref _items, _count == 0 ? 4 : _count * 2);
        if (i < _count) Array.Copy(_items, i, _items, i + 1, _count - i);
        _items[i] = item;
        _count++;
        _version++;
        return true;
    }

    public void UnionWith(IEnumerable<string> items)
    {
        foreach (var s in items) Add(s);
    }

    public bool Contains(string item) => IndexOf(item) >= 0;

    public bool Remove(string item)
    {
        int i = IndexOf(item);
        if (i < 0) return false;
        _count--;
        Array.Copy(_items, i + 1, _items, i, _count - i);
        _items[_count] = null!;
        _version++;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_items, 0, _count);
        _count = 0;
        _version++;
    }

    /// <summary>Adds ITEMS: when the set is empty and they are in strictly ascending order (as a snapshot writes
    /// them), into an array of exactly their size; else one at a time.</summary>
    internal void SetAll(ReadOnlySpan<string> items)
    {
        bool ordered = _count == 0;
        for (int i = 1; ordered && i < items.Length; i++) ordered = string.CompareOrdinal(items[i - 1], items[i]) < 0;
        if (!ordered)
        {
            foreach (var s in items) Add(s);
            return;
        }
        if (items.Length == 0) return;
        _items = items.ToArray();
        _count = items.Length;
        _version++;
    }

    public Enumerator GetEnumerator() => new(this);

    private int IndexOf(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Array.BinarySearch(_items, 0, _count, item, StringComparer.Ordinal);
    }

    public struct Enumerator : IEnumerator<string>
    {
        private readonly StringSet _set;
        private readonly int _version;
        private int _index;

        internal Enumerator(StringSet set)
        {
            _set = set;
            _version = set._version;
            _index = -1;
        }

        public readonly string Current => _set._items[_index];
        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_version != _set._version) throw new InvalidOperationException("the set was changed while it was gone through");
            return ++_index < _set._count;
        }

        public void Reset() => _index = -1;
        public readonly void Dispose() { }
    }

    bool ICollection<string>.IsReadOnly => false;
    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => this;
    void ICollection<string>.Add(string item) => Add(item);
    public void CopyTo(string[] array, int arrayIndex) => Array.Copy(_items, 0, array, arrayIndex, _count);
    void ICollection.CopyTo(Array array, int index) => Array.Copy(_items, 0, array, index, _count);
    IEnumerator<string> IEnumerable<string>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
