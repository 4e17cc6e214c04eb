using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetSleuth.Model;

/// <summary>An address with a prefix length, e.g. 198.18.2.0/23 or fe80::/64. Prints as "addr/len".</summary>
/// <remarks>The address keeps its host bits (an interface address 198.18.2.46/23 stays that); use
/// <see cref="Network"/> for the masked form.</remarks>
[JsonConverter(typeof(IpPrefixJsonConverter))]
public readonly record struct IpPrefix(IPAddress Address, int Length)
{
    public AddressFamily Family => Address.AddressFamily;
    public bool IsV4 => Address.AddressFamily == AddressFamily.InterNetwork;
    public int MaxLength => IsV4 ? 32 : 128;
    public bool IsDefault => Length == 0;

    public static IpPrefix DefaultV4 => new(IPAddress.Any, 0);
    public static IpPrefix DefaultV6 => new(IPAddress.IPv6Any, 0);

    public static IpPrefix Host(IPAddress a) => new(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);

    /// <summary>The prefix with host bits cleared.</summary>
    public IpPrefix Network => new(Mask(Address, Length), Length);

    public bool Contains(IPAddress a)
    {
        if (a.AddressFamily != Address.AddressFamily) return false;
        // compared in place: the tracer asks this for every route of every lookup
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        if (!a.TryWriteBytes(x, out int n) || !Address.TryWriteBytes(y, out _)) return Mask(a, Length).Equals(Mask(Address, Length));
        int full = Math.Min(Length / 8, n);
        if (!x[..full].SequenceEqual(y[..full])) return false;
        int bits = Length - full * 8;
        if (bits <= 0 || full >= n) return true;
        byte m = (byte)(0xFF << (8 - bits));
        return (x[full] & m) == (y[full] & m);
    }

    public bool Contains(IpPrefix other) => other.Length >= Length && Contains(other.Address);

    /// <summary>Parses "a.b.c.d/n", "a:b::/n", a bare address (host prefix) and "default" (v4 unless told).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IpPrefix prefix, AddressFamily defaultFamily = AddressFamily.InterNetwork)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text is "default" or "any" or "all")
        {
            prefix = defaultFamily == AddressFamily.InterNetworkV6 ? DefaultV6 : DefaultV4;
            return true;
        }
        int slash = text.IndexOf('/');
        var addrText = slash < 0 ? text : text[..slash];
        // strip a zone id ("fe80::1%eth0")
        int pct = addrText.IndexOf('%');
        if (pct >= 0) addrText = addrText[..pct];
        if (!IPAddress.TryParse(addrText, out var addr)) return false;
        if (addr.AddressFamily == AddressFamily.InterNetwork && addrText.Count(c => c == '.') != 3) return false;
        int max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int len = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out len) || len < 0 || len > max)) return false;
        if (addr.AddressFamily == AddressFamily.InterNetworkV6 && addr.ScopeId != 0) addr = new IPAddress(addr.GetAddressBytes());
        prefix = new IpPrefix(addr, len);
        return true;
    }

    /// <summary>Parses the canonical form <see cref="ToString"/> writes ("a.b.c.d/n", "x::/n") from UTF-8
    /// without allocating strings; false for anything else (the caller falls back to <see cref="TryParse(string?, out IpPrefix, AddressFamily)"/>).</summary>
    internal static bool TryParseCanonical(ReadOnlySpan<byte> utf8, out IpPrefix prefix)
    {
        prefix = default;
        int slash = utf8.IndexOf((byte)'/');
        if (slash <= 0 || slash == utf8.Length - 1 || utf8.Length - slash > 4) return false;
        int len = 0;
        foreach (byte b in utf8[(slash + 1)..])
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            len = len * 10 + (b - '0');
        }
        var addr = utf8[..slash];
        bool v4 = addr.IndexOf((byte)':') < 0;
        if (v4 && addr.Count((byte)'.') != 3) return false;
        if (addr.IndexOf((byte)'%') >= 0 || !IPAddress.TryParse(addr, out var a)) return false;
        if (len > (v4 ? 32 : 128) || (a.AddressFamily == AddressFamily.InterNetwork) != v4) return false;
        prefix = new IpPrefix(a, len);
        return true;
    }

    public static IpPrefix Parse(string text) =>
        TryParse(text, out var p) ? p : throw new FormatException($"not an IP prefix: '{text}'");

    public static IPAddress Mask(IPAddress a, int length)
    {
        var bytes = a.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bits = Math.Clamp(length - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }

    public override string ToString() => $"{Address}/{Length}";

    /// <summary>How iproute2 prints a route destination: "default", a bare host address, or addr/len.</summary>
    public string ToRouteString() => Length == 0 ? "default" : Length == MaxLength ? Address.ToString() : ToString();
}

internal sealed class IpPrefixJsonConverter : JsonConverter<IpPrefix>
{
    public override IpPrefix Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // fast path: "a.b.c.d/n" or "x:y::/n" straight from the UTF-8 bytes (snapshots hold millions)
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped &&
            IpPrefix.TryParseCanonical(reader.ValueSpan, out var fast))
            return fast;
        var s = reader.GetString();
        return IpPrefix.TryParse(s, out var p) ? p : throw new JsonException($"not an IP prefix: '{s}'");
    }

    public override void Write(Utf8JsonWriter writer, IpPrefix value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}

/// <summary>Serialises <see cref="IPAddress"/> as its canonical text.</summary>
public sealed class IpAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped &&
            IPAddress.TryParse(reader.ValueSpan, out var fast))
            return fast;
        var s = reader.GetString();
        return s is null ? null : IPAddress.TryParse(s, out var a) ? a : throw new JsonException($"not an IP address: '{s}'");
    }

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
