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
    public static string Serialize(TraceResult result) =>
        JsonSerializer.Serialize(result, TraceJsonContext.Default.TraceResult) + "\n";
}
