using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetSleuth.Model;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    Converters = [typeof(IpAddressJsonConverter)])]
[JsonSerializable(typeof(Snapshot))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;

/// <summary>Reads and writes snapshot files (docs/snapshot-format.md). Writing leaves out what reading
/// gives back anyway (<see cref="LeanJson"/>): empty lists, false flags, fields equal to the model's
/// defaults; reading takes both that and the full form older versions wrote.</summary>
public static class SnapshotJson
{
    public static string Serialize(Snapshot snapshot) => Serialize(snapshot, indented: true);

    public static void Write(Snapshot snapshot, Stream stream) => Write(snapshot, stream, indented: true);

    /// <summary>Compact (one-line) output is about half the size and faster to read back; same content.</summary>
    public static string Serialize(Snapshot snapshot, bool indented) =>
        JsonSerializer.Serialize(snapshot, LeanJson.Writer(indented));

    public static void Write(Snapshot snapshot, Stream stream, bool indented) =>
        JsonSerializer.Serialize(stream, snapshot, LeanJson.Writer(indented));

    /// <summary>Every field written, defaults and empty lists included (the form before the lean writer; tests compare models with it).</summary>
    internal static string SerializeFull(Snapshot snapshot) =>
        JsonSerializer.Serialize(snapshot, CompactContext.Value.Snapshot);

    private static readonly Lazy<SnapshotJsonContext> CompactContext = new(() =>
        new SnapshotJsonContext(new JsonSerializerOptions(SnapshotJsonContext.Default.Options) { WriteIndented = false }));

    /// <summary>Parses a snapshot; a malformed one raises <see cref="InputException"/> naming file and line.</summary>
    public static Snapshot Deserialize(string json, string fileName)
    {
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            int n = System.Text.Encoding.UTF8.GetBytes(json, utf8);
            return Deserialize(utf8.AsSpan(0, n), fileName);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(utf8); }
    }

    /// <summary>Parses a snapshot from UTF-8 bytes (no string of the whole file is made); errors as <see cref="Deserialize(string, string)"/>.
    /// The generated fast reader (FastJson/) goes first; whatever it does not handle goes to System.Text.Json.</summary>
    public static Snapshot Deserialize(ReadOnlySpan<byte> utf8Json, string fileName) => Deserialize(utf8Json, fileName, null);

    /// <summary>As <see cref="Deserialize(ReadOnlySpan{byte}, string)"/>; with SHARING, firewall tables identical to
    /// ones an earlier file of the same load held are that file's (read once, <see cref="RuleSharing"/>).</summary>
    public static Snapshot Deserialize(ReadOnlySpan<byte> utf8Json, string fileName, RuleSharing? sharing)
    {
        try
        {
            var snapshot = (UseFastReader ? FastJson.SnapshotFastReader.TryRead(utf8Json, sharing) : null)
                ?? JsonSerializer.Deserialize(utf8Json, LeanJson.Reader)
                ?? throw new InputException(fileName, 1, "empty snapshot");
            if (snapshot.FormatVersion > Snapshot.CurrentFormatVersion)
                throw new InputException(fileName, 1,
                    $"snapshot format {snapshot.FormatVersion} is newer than this netsleuth understands ({Snapshot.CurrentFormatVersion})");
            return snapshot;
        }
        catch (JsonException e)
        {
            throw new InputException(fileName, (int)(e.LineNumber ?? 0) + 1, "not a valid snapshot: " + Readable(e));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or OverflowException
                                       or NotSupportedException or IndexOutOfRangeException or KeyNotFoundException)
        {
            // a value the model's types refuse (a converter or the fast reader): no .NET names in the message
            throw new InputException(fileName, 0, "not a valid snapshot: " + (e is FormatException or OverflowException ? e.Message : "a value of the wrong form"));
        }
    }

    /// <summary>The parser's message without .NET type names: "a value of the wrong type at $.hosts[0]…".</summary>
    private static string Readable(JsonException e)
    {
        var m = FirstSentence(e.Message);
        if (m.Contains("could not be converted to", StringComparison.Ordinal) || m.Contains("System.", StringComparison.Ordinal) ||
            m.Contains("NetSleuth.", StringComparison.Ordinal))
            return "a value of the wrong type" + (string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path}");
        return m;
    }

    /// <summary>False only to measure or test the System.Text.Json path on its own: per thread, so that a test that sets it
    /// does not turn the fast reader off under the tests running beside it (which then saw no record shared, now and then).</summary>
    internal static bool UseFastReader { get => !t_stjOnly; set => t_stjOnly = !value; }

    [ThreadStatic] private static bool t_stjOnly;

    public static Snapshot Load(string path) => Deserialize(File.ReadAllText(path), path);

    /// <summary>True when the text looks like a snapshot file (a JSON object with "formatVersion" and "hosts").</summary>
    public static bool LooksLikeSnapshot(ReadOnlySpan<char> head)
    {
        var t = head.TrimStart();
        return t.StartsWith("{") && t.Contains("\"formatVersion\"", StringComparison.Ordinal);
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}

/// <summary>Bad input the user gave: reported as "file:line: message", exit code 2.</summary>
public sealed class InputException(string file, int line, string message)
    : Exception(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    /// <summary>The message without the file and line.</summary>
    public string Reason { get; } = message;
}
