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
    public static Snapshot? TryRead(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!r.Read()) return null;
            var snap = ReadSnapshot(ref r, new Ctx());
            return r.Read() ? null : snap; // trailing content: let the full parser judge
        }
        catch (Exception e) when (e is FastReaderBail or JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a token-type mismatch in a Get* call
            LastBail = $"byte {r.TokenStartIndex} ({r.TokenType}): {e.GetType().Name}";
            return null;
        }
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

    public StringPool Strings { get; } = new();

    private SourceRef? _last;

    public SourceRef Source(string file, int line)
    {
        // facts of one output come one after another, with the same (pooled) file string
        if (_last is { } last && ReferenceEquals(last.File, file) && last.Line == line) return last;
        if (!_sources.TryGetValue((file, line), out var s)) _sources[(file, line)] = s = new SourceRef(file, line);
        return _last = s;
    }
}
