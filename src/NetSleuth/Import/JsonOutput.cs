using System.Text;
using System.Text.Json;

namespace NetSleuth.Import;

/// <summary>Parses a command's JSON output; bad JSON becomes a warning naming the line, never an exception.</summary>
internal static class JsonOutput
{
    public static JsonDocument? Parse(CommandOutput output, ImportLog log, string what)
    {
        // Encoding.UTF8 replaces unpaired surrogates (damaged text) instead of throwing
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', output.Lines));
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            log.Warn(output, (int)Math.Min(e.LineNumber ?? 0, Math.Max(0, output.Lines.Count - 1)), $"{what}: not valid JSON: " + e.Message.Split(" Path:")[0]);
            return null;
        }
    }
}
