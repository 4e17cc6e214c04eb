using System.Text.Json;
using System.Text.Json.Serialization;
using NetSleuth.Diagnosis;

namespace NetSleuth.Render;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(DiagnosisReport))]
internal sealed partial class DiagnosisJsonContext : JsonSerializerContext;

/// <summary>The diagnosis as JSON: the report with its findings (ids stable, severities as lower-case words).</summary>
public static class DiagnosisJson
{
    public static string Render(DiagnosisReport report) =>
        JsonSerializer.Serialize(report, DiagnosisJsonContext.Default.DiagnosisReport) + "\n";
}
