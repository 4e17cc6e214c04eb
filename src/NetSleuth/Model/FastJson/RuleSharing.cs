using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace NetSleuth.Model;

/// <summary>
/// Identical firewall tables read once: the snapshot reader hashes the JSON text of each iptables table and nftables
/// ruleset (SHA-256 of its bytes, sources included) and, when an earlier file of the same load held exactly that text,
/// gives the namespace that table instead of parsing another copy. Every node of a cluster carries the same
/// kube-proxy nat table (5,000 Services: ~40,000 rules, ~88 MB parsed): shared, a thousand nodes hold one. The parsed
/// table is never changed after loading (a what-if edit works on a deep copy of its host, <c>ModelCopy</c>), so the
/// namespaces can share it; so do the evaluator's indexes built on it (<c>IptablesIndex</c>). One instance per load
/// (thread-safe: files are read in parallel).
/// </summary>
public sealed class RuleSharing
{
    /// <summary>Tables smaller than this (bytes of JSON) are parsed each time: sharing them saves little.</summary>
    public const int MinBytes = 4096;

    private readonly ConcurrentDictionary<(long, long, long, long), object> _tables = new();
    private long _parsed, _shared, _sharedBytes;

    /// <summary>Tables parsed (distinct contents) and tables given again instead of parsed.</summary>
    public long Parsed => Interlocked.Read(ref _parsed);
    public long Shared => Interlocked.Read(ref _shared);
    /// <summary>Small records looked up and found again within their file (<see cref="FastJson.RecordPool"/>).</summary>
    public long RecordLookups => Interlocked.Read(ref _recordLookups);
    public long RecordsShared => Interlocked.Read(ref _recordsShared);
    private long _recordLookups, _recordsShared;

    internal void CountRecords(int lookups, int hits)
    {
        Interlocked.Add(ref _recordLookups, lookups);
        Interlocked.Add(ref _recordsShared, hits);
    }

    /// <summary>Bytes of JSON not parsed again.</summary>
    public long SharedBytes => Interlocked.Read(ref _sharedBytes);

    internal static (long, long, long, long) Key(ReadOnlySpan<byte> json)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(json, h);
        var l = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(h);
        return (l[0], l[1], l[2], l[3]);
    }

    internal bool TryGet<T>((long, long, long, long) key, int bytes, out T table) where T : class
    {
        if (_tables.TryGetValue(key, out var o) && o is T t)
        {
            Interlocked.Increment(ref _shared);
            Interlocked.Add(ref _sharedBytes, bytes);
            table = t;
            return true;
        }
        table = null!;
        return false;
    }

    /// <summary>The table to use: THIS one, or the one another thread added for the same content meanwhile.</summary>
    internal T Add<T>((long, long, long, long) key, T table) where T : class
    {
        var kept = _tables.GetOrAdd(key, table);
        if (ReferenceEquals(kept, table)) Interlocked.Increment(ref _parsed);
        else Interlocked.Increment(ref _shared);
        return kept as T ?? table;
    }
}
