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

/// <summary>
/// The diagnosis as JSON: "formatVersion" first, then the report with its findings (ids stable,
/// severities as lower-case words). Text is escaped only where JSON requires it, so commands read as
/// they are ('+', quotes, '>', arrows and dashes stay themselves, not \uXXXX).
/// </summary>
public static class DiagnosisJson
{
    /// <summary>The version of this JSON's shape; raised when a field changes meaning or goes away.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Relaxed = new(DiagnosisJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Render(DiagnosisReport report)
    {
        var body = JsonSerializer.SerializeToNode(report, DiagnosisJsonContext.Default.DiagnosisReport)!.AsObject();
        var doc = new System.Text.Json.Nodes.JsonObject { ["formatVersion"] = FormatVersion };
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            doc[name] = value;
        }
        return doc.ToJsonString(Relaxed) + "\n";
    }
}
