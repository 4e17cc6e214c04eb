using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetSleuth.Model;

/// <summary>An Ethernet (EUI-48) address; prints as lower-case "aa:bb:cc:dd:ee:ff".</summary>
[JsonConverter(typeof(MacAddressJsonConverter))]
public readonly record struct MacAddress(ulong Value) : IComparable<MacAddress>
{
    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);
    public static readonly MacAddress Zero = new(0);

    public bool IsBroadcast => Value == Broadcast.Value;
    /// <summary>Group bit (I/G) of the first octet: broadcast and multicast.</summary>
    public bool IsMulticast => ((Value >> 40) & 1) == 1;
    public bool IsZero => Value == 0;

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"not a MAC address: '{text}'");

    /// <summary>Accepts "aa:bb:cc:dd:ee:ff", "aa-bb-…", and one-digit octets as arp prints ("0:a:58:…").</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac) =>
        TryParse(text.AsSpan(), out mac);

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        text = text.Trim();
        if (text.IsEmpty) return false;
        ulong value = 0;
        int octets = 0;
        while (!text.IsEmpty)
        {
            int sep = text.IndexOfAny(':', '-');
            var part = sep < 0 ? text : text[..sep];
            if (part.Length is < 1 or > 2 ||
                !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                return false;
            value = (value << 8) | b;
            octets++;
            if (sep < 0) break;
            text = text[(sep + 1)..];
            if (text.IsEmpty) return false;
        }
        if (octets != 6) return false;
        mac = new MacAddress(value);
        return true;
    }

    /// <summary>The canonical "aa:bb:cc:dd:ee:ff" (either case) from UTF-8, without allocating; false for other forms.</summary>
    internal static bool TryParseCanonical(ReadOnlySpan<byte> utf8, out MacAddress mac)
    {
        mac = default;
        if (utf8.Length != 17) return false;
        ulong value = 0;
        for (int i = 0; i < 17; i++)
        {
            byte c = utf8[i];
            if (i % 3 == 2)
            {
                if (c != ':') return false;
                continue;
            }
            int d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            value = (value << 4) | (uint)d;
        }
        mac = new MacAddress(value);
        return true;
    }

    public int CompareTo(MacAddress other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(17, Value, static (span, v) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(v >> (8 * (5 - i)));
            span[i * 3] = hex[b >> 4];
            span[i * 3 + 1] = hex[b & 0xF];
            if (i < 5) span[i * 3 + 2] = ':';
        }
    });
}

internal sealed class MacAddressJsonConverter : JsonConverter<MacAddress>
{
    public override MacAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped &&
            MacAddress.TryParseCanonical(reader.ValueSpan, out var fast))
            return fast;
        var s = reader.GetString();
        return MacAddress.TryParse(s, out var mac) ? mac : throw new JsonException($"not a MAC address: '{s}'");
    }

    public override void Write(Utf8JsonWriter writer, MacAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
