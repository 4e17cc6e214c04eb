using System.Globalization;
using System.Net;
using System.Text.Json;

namespace NetSleuth.Forwarding;

/// <summary>
/// The nft text forms kube-proxy's nftables mode and NAT rules use, turned into the expressions `nft -j` gives (what
/// <see cref="NftText"/> alone does not read): concatenations (<c>ip daddr . meta l4proto . th dport</c>), set and map
/// references (<c>@cluster-ips</c>, <c>vmap @service-ips</c>), inline verdict maps (<c>numgen random mod 2 vmap { 0 : goto a, 1 : goto b }</c>),
/// <c>meta mark</c> with <c>&amp; | ^</c>, <c>meta mark set …</c>, <c>fib daddr type local</c>, <c>dnat to</c>, <c>snat to</c>,
/// <c>masquerade</c>, <c>redirect to</c>, <c>meta l4proto</c>, <c>ct state</c>, counters, comments and verdicts. A word it
/// does not know gives null: the rule stays uncertain.
/// </summary>
internal static class NftTextExpr
{
    public static JsonElement? ToExpr(string text)
    {
        var t = Tokens(text);
        if (t is null) return null;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var j = new Utf8JsonWriter(buffer))
        {
            j.WriteStartArray();
            int i = 0;
            while (i < t.Count)
            {
                if (!Statement(j, t, ref i)) return null;
            }
            j.WriteEndArray();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    /// <summary>Words, with { } , : split off (outside quotes).</summary>
    private static List<string>? Tokens(string text)
    {
        var list = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool q = false;
        void Flush() { if (sb.Length > 0) { list.Add(sb.ToString()); sb.Clear(); } }
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"') { q = !q; sb.Append(c); continue; }
            if (q) { sb.Append(c); continue; }
            if (c is ' ' or '\t') { Flush(); continue; }
            if (c is '{' or '}' or ',') { Flush(); list.Add(c.ToString()); continue; }
            sb.Append(c);
        }
        if (q) return null;
        Flush();
        return list;
    }

    private static string? At(List<string> t, int i) => i < t.Count ? t[i] : null;

    private static bool Statement(Utf8JsonWriter j, List<string> t, ref int i)
    {
        var w = t[i];
        switch (w)
        {
            case "counter":
                Null(j, "counter");
                i++;
                if (At(t, i) == "packets") i += 4;
                return true;
            case "comment":
                i = t.Count; // the comment ends the rule
                return true;
            case "accept" or "drop" or "return" or "continue" or "notrack":
                Null(j, w); i++; return true;
            case "reject":
                Null(j, "reject"); i = t.Count; return true; // "reject with icmp …"
            case "jump" or "goto":
                if (At(t, i + 1) is not { } target) return false;
                j.WriteStartObject(); j.WriteStartObject(w); j.WriteString("target", target); j.WriteEndObject(); j.WriteEndObject();
                i += 2; return true;
            case "masquerade":
            {
                i++;
                var flags = new List<string>();
                int? port = null;
                while (At(t, i) is "fully-random" or "random" or "persistent") flags.Add(t[i++]);
                if (At(t, i) == "to" && At(t, i + 1) is { } tp && tp.StartsWith(':'))
                {
                    if (!int.TryParse(tp.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var pv)) return false;
                    port = pv; i += 2;
                }
                j.WriteStartObject();
                j.WriteStartObject("masquerade");
                if (port is { } p) j.WriteNumber("port", p);
                if (flags.Count > 0) { j.WriteStartArray("flags"); foreach (var f in flags) j.WriteStringValue(f); j.WriteEndArray(); }
                j.WriteEndObject();
                j.WriteEndObject();
                return true;
            }
            case "dnat" or "snat" or "redirect":
            {
                i++;
                if (At(t, i) is "ip") i++;
                if (At(t, i) != "to") { if (w != "redirect") return false; Null(j, "redirect"); return true; }
                var spec = At(t, i + 1);
                if (spec is null) return false;
                i += 2;
                while (At(t, i) is "fully-random" or "random" or "persistent") i++;
                if (!NetSleuth.Forwarding.Nat.TryParseTarget(spec, out var addr, out var port, out var range)) return false;
                j.WriteStartObject();
                j.WriteStartObject(w);
                if (addr is not null) j.WriteString("addr", addr.ToString());
                if (port is { } pv) j.WriteNumber("port", pv);
                if (range is not null) j.WriteString("range", range);
                j.WriteEndObject();
                j.WriteEndObject();
                return true;
            }
            case "meta" or "ct" when At(t, i + 1) == "mark" && At(t, i + 2) == "set":
            {
                var key = w;
                i += 3;
                j.WriteStartObject();
                j.WriteStartObject("mangle");
                j.WritePropertyName("key");
                Keyed(j, key, "mark");
                j.WritePropertyName("value");
                if (!Operand(j, t, ref i)) return false;
                j.WriteEndObject();
                j.WriteEndObject();
                return true;
            }
        }
        // a match or a map lookup: left [. left]… then vmap X or [op] right
        var save = i;
        var left = new System.Buffers.ArrayBufferWriter<byte>();
        using (var lj = new Utf8JsonWriter(left))
        {
            if (!Operand(lj, t, ref i)) { i = save; return false; }
            if (At(t, i) == ".")
            {
                // rewrite as a concatenation
                lj.Flush();
                lj.Reset();
                left.Clear();
                i = save;
                lj.WriteStartObject();
                lj.WriteStartArray("concat");
                if (!Operand(lj, t, ref i)) return false;
                while (At(t, i) == ".")
                {
                    i++;
                    if (!Operand(lj, t, ref i)) return false;
                }
                lj.WriteEndArray();
                lj.WriteEndObject();
            }
        }
        var leftJson = System.Text.Encoding.UTF8.GetString(left.WrittenSpan);
        if (At(t, i) == "vmap")
        {
            i++;
            j.WriteStartObject();
            j.WriteStartObject("vmap");
            j.WritePropertyName("key");
            j.WriteRawValue(leftJson);
            j.WritePropertyName("data");
            if (At(t, i) is { } name && name.StartsWith('@')) { j.WriteStringValue(name); i++; }
            else if (At(t, i) == "{")
            {
                i++;
                j.WriteStartObject();
                j.WriteStartArray("set");
                while (At(t, i) is { } k && k != "}")
                {
                    if (k == ",") { i++; continue; }
                    if (At(t, i + 1) != ":" ) return false;
                    j.WriteStartArray();
                    WriteValue(j, k);
                    i += 2;
                    var v = At(t, i);
                    if (v is "goto" or "jump" && At(t, i + 1) is { } target)
                    {
                        j.WriteStartObject(); j.WriteStartObject(v); j.WriteString("target", target); j.WriteEndObject(); j.WriteEndObject();
                        i += 2;
                    }
                    else if (v is "accept" or "drop" or "return" or "continue") { Null(j, v); i++; }
                    else return false;
                    j.WriteEndArray();
                }
                if (At(t, i) != "}") return false;
                i++;
                j.WriteEndArray();
                j.WriteEndObject();
            }
            else return false;
            j.WriteEndObject();
            j.WriteEndObject();
            return true;
        }
        string op = "==";
        if (At(t, i) is "==" or "!=" or "eq" or "ne") { op = t[i] is "!=" or "ne" ? "!=" : "=="; i++; }
        if (At(t, i) is not { } right) return false;
        j.WriteStartObject();
        j.WriteStartObject("match");
        j.WriteString("op", op);
        j.WritePropertyName("left");
        j.WriteRawValue(leftJson);
        j.WritePropertyName("right");
        if (right == "{")
        {
            i++;
            j.WriteStartObject();
            j.WriteStartArray("set");
            while (At(t, i) is { } v && v != "}") { if (v != ",") WriteValue(j, v); i++; }
            if (At(t, i) != "}") return false;
            j.WriteEndArray();
            j.WriteEndObject();
        }
        else if (At(t, i + 1) == ",")
        {
            j.WriteStartArray();
            WriteValue(j, right);
            i++;
            while (At(t, i) == "," && At(t, i + 1) is { } more) { WriteValue(j, more); i += 2; }
            j.WriteEndArray();
        }
        else { WriteValue(j, right); i++; }
        j.WriteEndObject();
        j.WriteEndObject();
        return true;
    }

    /// <summary>One left-hand expression (or a mangle value): payload, meta, ct, numgen, fib, with an optional &amp; | ^ NUMBER.</summary>
    private static bool Operand(Utf8JsonWriter j, List<string> t, ref int i)
    {
        var w = At(t, i);
        var next = At(t, i + 1);
        var start = new System.Buffers.ArrayBufferWriter<byte>();
        string? basic = null;
        switch (w)
        {
            case "ip" when next is "saddr" or "daddr" or "protocol":
            case "tcp" or "udp" or "th" or "sctp" when next is "dport" or "sport":
                basic = $"{{\"payload\":{{\"protocol\":\"{w}\",\"field\":\"{next}\"}}}}"; i += 2; break;
            case "meta" when next is "l4proto" or "mark" or "iifname" or "oifname" or "nfproto" or "iif" or "oif":
                basic = $"{{\"meta\":{{\"key\":\"{(next is "iif" or "oif" ? next + "name" : next)}\"}}}}"; i += 2; break;
            case "iifname" or "oifname" or "iif" or "oif" or "l4proto" or "mark" or "nfproto":
                basic = $"{{\"meta\":{{\"key\":\"{(w is "iif" or "oif" ? w + "name" : w)}\"}}}}"; i += 1; break;
            case "ct" when next is "state" or "mark" or "status":
                basic = $"{{\"ct\":{{\"key\":\"{next}\"}}}}"; i += 2; break;
            case "numgen" when next is "random" or "inc" && At(t, i + 2) == "mod" &&
                               int.TryParse(At(t, i + 3), NumberStyles.None, CultureInfo.InvariantCulture, out var mod):
                int offset = 0;
                i += 4;
                if (At(t, i) == "offset" && int.TryParse(At(t, i + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var off)) { offset = off; i += 2; }
                basic = $"{{\"numgen\":{{\"mode\":\"{next}\",\"mod\":{mod},\"offset\":{offset}}}}}"; break;
            case "fib" when next is "daddr" or "saddr" && At(t, i + 2) == "type":
                basic = $"{{\"fib\":{{\"result\":\"type\",\"flags\":[\"{next}\"]}}}}"; i += 3; break;
            default:
                return false;
        }
        if (At(t, i) is "&" or "|" or "^" && At(t, i + 1) is { } n && MarkValue.TryParse(n, out var num))
        {
            j.WriteStartObject();
            j.WriteStartArray(t[i]);
            j.WriteRawValue(basic);
            j.WriteNumberValue(num);
            j.WriteEndArray();
            j.WriteEndObject();
            i += 2;
            return true;
        }
        j.WriteRawValue(basic);
        return true;
    }

    private static void Keyed(Utf8JsonWriter j, string kind, string key)
    {
        j.WriteStartObject(); j.WriteStartObject(kind); j.WriteString("key", key); j.WriteEndObject(); j.WriteEndObject();
    }

    /// <summary>A right-hand value as nft -j writes it: a number, a prefix object, or a string (address, name, @set).</summary>
    private static void WriteValue(Utf8JsonWriter j, string v)
    {
        v = v.Trim('"');
        if (MarkValue.TryParse(v, out var n)) { j.WriteNumberValue(n); return; }
        int slash = v.IndexOf('/');
        if (slash > 0 && IPAddress.TryParse(v[..slash], out var a) &&
            int.TryParse(v.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var len))
        {
            j.WriteStartObject(); j.WriteStartObject("prefix"); j.WriteString("addr", a.ToString()); j.WriteNumber("len", len); j.WriteEndObject(); j.WriteEndObject();
            return;
        }
        j.WriteStringValue(v);
    }

    private static void Null(Utf8JsonWriter j, string name)
    {
        j.WriteStartObject(); j.WriteNull(name); j.WriteEndObject();
    }
}
