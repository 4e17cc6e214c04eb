using System.Buffers;
using Microsoft.Win32.SafeHandles;
using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// The fast path for many snapshot files (a whole cluster's `collect` output): files are read as
/// UTF-8 into pooled buffers and parsed in parallel, then merged in the order given, exactly as
/// <see cref="InputLoader.Load"/> would merge them. Any other kind of input sends the whole lot to
/// <see cref="InputLoader.Load"/>.
/// </summary>
public static class SnapshotBulkLoader
{
    /// <summary>Loads and merges the inputs like <see cref="InputLoader.Load"/> — when every input is a
    /// snapshot file; otherwise (a text input, a directory, a missing path) it hands all of them to
    /// <see cref="InputLoader.Load"/>. A damaged snapshot is left out with a warning.</summary>
    public static Snapshot LoadMany(IReadOnlyList<string> specs, int maxParallelism = 0) =>
        TryLoadAll(specs, maxParallelism) ?? InputLoader.Load(specs);

    /// <summary>The merged snapshots, or null when some input is not a plain snapshot file. A damaged
    /// snapshot is left out with a warning (file:line); READS, when given, gets what each input gave.</summary>
    public static Snapshot? TryLoadAll(IReadOnlyList<string> specs, int maxParallelism = 0, List<InputRead>? reads = null)
    {
        var parts = new Snapshot?[specs.Count];
        var errors = new InputException?[specs.Count];
        int declined = 0;
        var po = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        var sharing = new RuleSharing();
        Parallel.For(0, specs.Count, po, (i, state) =>
        {
            try
            {
                parts[i] = LoadOne(specs[i], sharing);
                if (parts[i] is null) { Interlocked.Increment(ref declined); state.Stop(); }
            }
            catch (InputException e) { errors[i] = e; }
        });
        if (declined > 0) return null;
        var good = new List<Snapshot>(specs.Count);
        var damaged = new List<Warning>();
        for (int i = 0; i < specs.Count; i++)
        {
            var path = InputLoader.SplitSpec(specs[i]).Path;
            if (errors[i] is { } e)
            {
                damaged.Add(new Warning(e.Reason, new SourceRef(e.File, e.Line)));
                reads?.Add(new InputRead(path, null));
                continue;
            }
            var p = parts[i]!;
            good.Add(p);
            reads?.Add(new InputRead(path, $"{p.Hosts.Count} host{(p.Hosts.Count == 1 ? "" : "s")}, {p.Hosts.Sum(h => h.Namespaces.Count)} namespaces"));
        }
        var merged = Merge(good);
        merged.Warnings.InsertRange(0, damaged);
        return merged;
    }

    /// <summary>The files of a directory that are snapshot files, parsed in parallel: per file its snapshot, or the
    /// reason it is damaged, or neither when the file is something else (the caller reads it as before).</summary>
    public static (Snapshot? Snapshot, InputException? Damaged)[] ParseFiles(IReadOnlyList<string> paths, string? hostName, int maxParallelism = 0)
    {
        var result = new (Snapshot?, InputException?)[paths.Count];
        var po = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        var sharing = new RuleSharing();
        Parallel.For(0, paths.Count, po, i =>
        {
            try { result[i] = (LoadOne(hostName, paths[i], sharing), null); }
            catch (InputException e) { result[i] = (null, e); }
        });
        return result;
    }

    /// <summary>One snapshot file, or null when the input is something else.</summary>
    private static Snapshot? LoadOne(string spec, RuleSharing sharing)
    {
        var (hostName, path) = InputLoader.SplitSpec(spec);
        return LoadOne(hostName, path, sharing);
    }

    /// <param name="sharing">the load's shared firewall tables: every node's identical kube-proxy table is parsed once</param>
    private static Snapshot? LoadOne(string? hostName, string path, RuleSharing sharing)
    {
        if (!File.Exists(path) || FileKinds.Of(path) != FileKinds.Regular) return null; // the general loader says why
        SafeFileHandle handle;
        try { handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // the general loader reports it
        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            if (length > InputLoader.MaxTextBytes) return null;
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
            try
            {
                // the head says whether it is a snapshot: a large text file is not read twice
                int head = ReadAll(handle, buffer.AsSpan(0, (int)Math.Min(length, 4096)), 0);
                if (!LooksLikeSnapshot(buffer.AsSpan(0, head))) return null;
                int n = head + ReadAll(handle, buffer.AsSpan(head, (int)length - head), head);
                var utf8 = buffer.AsSpan(0, n);
                var snap = SnapshotJson.Deserialize(utf8, path, sharing);
                if (hostName is not null)
                {
                    if (snap.Hosts.Count != 1)
                        throw new InputException(path, 0, $"HOST= names one host, but the snapshot has {snap.Hosts.Count}");
                    snap.Hosts[0].Name = hostName;
                }
                return snap;
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
    }

    private static int ReadAll(SafeFileHandle handle, Span<byte> into, long fileOffset)
    {
        int total = 0;
        while (total < into.Length)
        {
            int n = RandomAccess.Read(handle, into[total..], fileOffset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A UTF-8 version of <see cref="SnapshotJson.LooksLikeSnapshot"/>: '{' first, "formatVersion" near the top.</summary>
    private static bool LooksLikeSnapshot(ReadOnlySpan<byte> utf8)
    {
        var head = utf8[..Math.Min(utf8.Length, 4096)];
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..];
        head = head.TrimStart(" \t\r\n"u8);
        return head.Length > 0 && head[0] == (byte)'{' && head.IndexOf("\"formatVersion\""u8) >= 0;
    }

    /// <summary><see cref="InputLoader.Merge"/> with a host index, in input order.</summary>
    private static Snapshot Merge(IReadOnlyList<Snapshot> parts)
    {
        var result = new Snapshot();
        var byName = new Dictionary<string, Host>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var h in part.Hosts)
            {
                if (byName.TryAdd(h.Name, h)) continue;
                var single = new Snapshot { Hosts = [h] };
                var into = new Snapshot { Hosts = [byName[h.Name]] };
                InputLoader.Merge(into, single);
            }
            result.Warnings.AddRange(part.Warnings);
            result.Hosts.AddRange(part.Hosts.Where(h => ReferenceEquals(byName[h.Name], h)));
        }
        return result;
    }
}
