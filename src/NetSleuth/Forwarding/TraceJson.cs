using System.Text.Json;
using System.Text.Json.Serialization;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    Converters = [typeof(IpAddressJsonConverter)])]
[JsonSerializable(typeof(TraceResult))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;

/// <summary>Writes trace results as JSON (source-generated, AOT-safe).</summary>
public static class TraceJson
{
    /// <summary>The same options with arrows and other text characters written as themselves, not \uXXXX.</summary>
    private static readonly TraceJsonContext Readable = new(new JsonSerializerOptions(TraceJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(TraceResult result) =>
        JsonSerializer.Serialize(result, Readable.TraceResult) + "\n";
}
