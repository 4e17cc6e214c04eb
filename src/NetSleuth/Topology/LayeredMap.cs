using System.Collections;
using System.Runtime.InteropServices;

namespace NetSleuth.Topology;

/// <summary>
/// A map of the topology's indexes. A full link's is a plain dictionary; a re-linked topology's (<see cref="Relinker"/>)
/// holds only the entries its re-link set or removed and reads every other key from its original's, which is frozen and
/// never changes: a verified fix costs the entries it changes, not a copy of indexes with hundreds of thousands of
/// entries. The original is always a full link (a re-linked topology is not re-linked again).
/// </summary>
internal sealed class LayeredMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>> where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _own;
    private readonly Dictionary<TKey, TValue>? _base;
    /// <summary>Keys of the base removed here (a key set here again is in <see cref="_own"/>, which is read first).</summary>
    private readonly HashSet<TKey>? _gone;

    public LayeredMap(int capacity = 0, IEqualityComparer<TKey>? comparer = null) => _own = new(capacity, comparer);

    /// <summary>A map over <paramref name="under"/> (a full link's), empty of its own.</summary>
    public LayeredMap(LayeredMap<TKey, TValue> under)
    {
        if (under._base is not null) throw new InvalidOperationException("a layered map over a layered map");
        _own = new(under._own.Comparer);
        _base = under._own;
        _gone = new(under._own.Comparer);
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        if (_own.TryGetValue(key, out value!)) return true;
        if (_base is not null && !_gone!.Contains(key) && _base.TryGetValue(key, out value!)) return true;
        value = default!;
        return false;
    }

    /// <summary>Entries of this layer (all of them in a full link's map).</summary>
    public int OwnCount => _own.Count;

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key.ToString());
        set => _own[key] = value;
    }

    public bool TryAdd(TKey key, TValue value)
    {
        if (ContainsKey(key)) return false;
        _own[key] = value;
        return true;
    }

    public void Remove(TKey key)
    {
        _own.Remove(key);
        _gone?.Add(key);
    }

    /// <summary>The slot of the key in this layer, holding the base's value when only the base had one (default when
    /// neither had: <paramref name="exists"/> false).</summary>
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_own, key, out exists);
        if (!exists && _base is not null && !_gone!.Contains(key) && _base.TryGetValue(key, out var under))
        {
            slot = under;
            exists = true;
        }
        return ref slot!;
    }

    public IEnumerable<TKey> Keys => this.Select(kv => kv.Key);

    /// <summary>This layer's entries, then the base's it neither replaced nor removed.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        foreach (var kv in _own) yield return kv;
        if (_base is null) yield break;
        foreach (var kv in _base)
            if (!_own.ContainsKey(kv.Key) && !_gone!.Contains(kv.Key)) yield return kv;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
