using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// Reading helpers for the JSON that iproute2, nft and ovs-vsctl print. A batch run
/// (`ip -j -batch -`) prints one JSON value per command, one after another; <see cref="Split"/>
/// returns them in order.
/// </summary>
internal static class JsonValues
{
    /// <summary>The JSON values in <paramref name="text"/>, in order. Null with a reason when the text is not JSON
    /// (an old iproute2 printing text, an error message).</summary>
    public static List<JsonElement>? Split(string text, out string? error)
    {
        error = null;
        var values = new List<JsonElement>();
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty) return values;
        if (trimmed[0] is not ('[' or '{'))
        {
            error = "output is not JSON (starts with '" + FirstLine(trimmed.ToString()) + "')";
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                using var doc = JsonDocument.ParseValue(ref reader);
                values.Add(doc.RootElement.Clone());
            }
        }
        catch (JsonException e)
        {
            error = $"invalid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:")[0]}";
            return null;
        }
        return values;
    }

    public static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        var line = nl < 0 ? s : s[..nl];
        return line.Length > 60 ? line[..60] + "…" : line;
    }

    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        } : null;

    public static int? Int(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)) return n;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        return null;
    }

    /// <summary>An unsigned 32-bit value (a rule priority, a table id): null when absent or out of range.</summary>
    public static uint? UInt(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt32(out uint n)) return n;
        if (v.ValueKind == JsonValueKind.String && uint.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n)) return n;
        return null;
    }

    public static long? Long(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)) return n;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        return null;
    }

    /// <summary>A "0x1f" or decimal number as iproute2 prints fwmarks.</summary>
    public static uint? Hex(this JsonElement e, string name)
    {
        var s = e.Str(name);
        if (s is null) return null;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        return uint.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    public static bool? Bool(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetInt32(out int n) ? n != 0 : null,
            _ => null,
        };
    }

    /// <summary>True when the key is present (iproute2 prints flags such as "not", "router" as key: null).</summary>
    public static bool Has(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out _);

    public static JsonElement? Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? v : null;

    public static List<string> Strings(this JsonElement e, string name)
    {
        var list = new List<string>();
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array)
            foreach (var x in v.EnumerateArray())
                if (x.ValueKind == JsonValueKind.String) list.Add(x.GetString()!);
        return list;
    }

    public static IEnumerable<JsonElement> Items(this JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : [];
}
