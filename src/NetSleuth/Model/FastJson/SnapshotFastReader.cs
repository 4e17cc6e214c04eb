using System.Text.Json;

namespace NetSleuth.Model.FastJson;

/// <summary>
/// A hand-rolled (generated) reader of snapshot JSON: straight from UTF-8 into the model, with
/// repeated strings and source references shared within a file. It handles exactly the properties
/// the model had when it was generated; anything else (an unknown property, an unexpected token,
/// a missing required property) makes it give up, and <see cref="SnapshotJson"/> reads the file with
/// System.Text.Json instead — which also produces the error messages. Same result, ~2–3× faster.
/// </summary>
internal static partial class SnapshotFastReader
{
    /// <summary>The snapshot, or null when the fast path does not apply (the caller then uses System.Text.Json).</summary>
    public static Snapshot? TryRead(ReadOnlySpan<byte> utf8) => TryRead(utf8, null);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte})"/>; with SHARING, a firewall table whose JSON text an earlier
    /// file of the load held is that file's table (<see cref="RuleSharing"/>).</summary>
    public static unsafe Snapshot? TryRead(ReadOnlySpan<byte> utf8, RuleSharing? sharing)
    {
        var r = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var strings = StringPool.Take();
        RecordPool? records = null;
        try
        {
            if (!r.Read()) return null;
            fixed (byte* input = utf8)
            {
                // a load that shares tables shares a file's repeated small records too; a lone read (a what-if copy) does not
                if (sharing is not null) records = RecordPool.Take(input);
                var snap = ReadSnapshot(ref r, new Ctx { Strings = strings, Sharing = sharing, Records = records, Input = input, InputLength = utf8.Length });
                if (records is not null) sharing!.CountRecords(records.Lookups, records.Hits);
                return r.Read() ? null : snap; // trailing content: let the full parser judge
            }
        }
        catch (Exception e) when (e is FastReaderBail or JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a token-type mismatch in a Get* call
            LastBail = $"byte {r.TokenStartIndex} ({r.TokenType}): {e.GetType().Name}";
            return null;
        }
        finally
        {
            StringPool.Return(strings);
            if (records is not null) RecordPool.Return(records);
        }
    }

    private static IptablesTable? ReadIptablesTable(ref Utf8JsonReader r, Ctx c) =>
        Shared(ref r, c, static (ref Utf8JsonReader x, Ctx y) => ReadIptablesTableParsed(ref x, y));

    private static NftRuleset? ReadNftRuleset(ref Utf8JsonReader r, Ctx c) =>
        Shared(ref r, c, static (ref Utf8JsonReader x, Ctx y) => ReadNftRulesetParsed(ref x, y));

    internal delegate T? Parse<T>(ref Utf8JsonReader r, Ctx c);

    /// <summary>The object at the reader: the one parsed earlier from the same JSON text when the load shares tables,
    /// else parsed here (and offered for sharing).</summary>
    private static unsafe T? Shared<T>(ref Utf8JsonReader r, Ctx c, Parse<T> parse) where T : class
    {
        if (c.Sharing is not { } sharing || c.Input is null || r.TokenType != JsonTokenType.StartObject) return parse(ref r, c);
        long start = r.TokenStartIndex;
        var ahead = r; // a copy: skipping it leaves R where it is
        ahead.Skip();
        long end = ahead.BytesConsumed;
        if (end > c.InputLength) return parse(ref r, c);
        if (end - start < RuleSharing.MinBytes) return Pooled(ref r, c, parse); // small (an empty ruleset): shared within the file
        var text = new ReadOnlySpan<byte>(c.Input + start, (int)(end - start));
        var key = RuleSharing.Key(text);
        if (sharing.TryGet<T>(key, text.Length, out var known)) { r = ahead; return known; }
        var parsed = parse(ref r, c);
        return parsed is null ? null : sharing.Add(key, parsed);
    }

    /// <summary>The record at the reader: the one read earlier in this file from the same JSON text when the load shares
    /// records (<see cref="RecordPool"/>), else parsed here (and kept for the next one).</summary>
    internal static T? Pooled<T>(ref Utf8JsonReader r, Ctx c, Parse<T> parse) where T : class
    {
        if (c.Records is not { } pool || r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return parse(ref r, c);
        if (pool.TryGetAt<T>(ref r, out var key, out var known)) return known;
        var parsed = parse(ref r, c);
        if (parsed is not null) pool.Add(key, parsed);
        return parsed;
    }

    /// <summary>Where the last read gave up (for tests and benchmarks).</summary>
    [ThreadStatic] internal static string? LastBail;
}

/// <summary>Thrown inside the fast reader to hand the file to System.Text.Json.</summary>
internal sealed class FastReaderBail : Exception;

/// <summary>Per-file state: a string pool and shared source references.</summary>
internal sealed class Ctx
{
    /// <summary>Longer strings (messages, rule texts) are rarely repeated: made each time.</summary>
    public const int MaxPooled = 96;
    private readonly Dictionary<(string, int), SourceRef> _sources = [];

    /// <summary>The thread's string pool, cleared (<see cref="StringPool.Take"/>).</summary>
    public required StringPool Strings { get; init; }

    /// <summary>The load's shared tables (null: every table parsed).</summary>
    public RuleSharing? Sharing { get; init; }
    /// <summary>The file's shared small records (null: every record parsed).</summary>
    public RecordPool? Records { get; init; }
    /// <summary>The whole input (pinned while the file is read), for hashing a table's text.</summary>
    public unsafe byte* Input { get; init; }
    public int InputLength { get; init; }

    private SourceRef? _last;

    public SourceRef Source(string file, int line)
    {
        // facts of one output come one after another, with the same (pooled) file string
        if (_last is { } last && ReferenceEquals(last.File, file) && last.Line == line) return last;
        if (!_sources.TryGetValue((file, line), out var s)) _sources[(file, line)] = s = new SourceRef(file, line);
        return _last = s;
    }
}
