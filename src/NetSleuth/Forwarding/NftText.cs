using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// An nft rule as `nft list ruleset` prints it ("ip saddr 198.18.0.0/24 udp dport 4789 counter drop") turned
/// into the expressions `nft -j` would give, so <see cref="NftEval"/> evaluates text and JSON input alike.
/// Understood: ip saddr/daddr/protocol (==, !=), tcp/udp/th dport/sport (a number), meta l4proto,
/// iifname/oifname (iif/oif read as names), ct state, counter, comment, accept/drop/reject/return/continue,
/// jump/goto. Anything else gives null: the rule stays uncertain.
/// </summary>
internal static class NftText
{
    private static readonly ConditionalWeakTable<NftRule, Box> Cache = new();

    private sealed record Box(JsonElement? Expr);

    /// <summary>The rule's expressions: its `nft -j` ones when present, else its text translated (once per rule); null when neither is understood.</summary>
    public static JsonElement? Expr(NftRule rule)
    {
        if (rule.Expr is { ValueKind: JsonValueKind.Array } e) return e;
        if (rule.Text is not { } text) return null;
        return Cache.GetValue(rule, _ => new Box(ToExpr(text) ?? NftTextExpr.ToExpr(text))).Expr;
    }

    /// <summary>The `nft -j` "expr" array for a rule's text; null when a word is not understood.</summary>
    public static JsonElement? ToExpr(string text)
    {
        var w = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var j = new Utf8JsonWriter(buffer))
        {
            j.WriteStartArray();
            for (int i = 0; i < w.Length; i++)
            {
                string? next = i + 1 < w.Length ? w[i + 1] : null;
                switch (w[i])
                {
                    case "ip" when next is "saddr" or "daddr" or "protocol":
                    case "udp" or "tcp" or "th" when next is "dport" or "sport":
                    {
                        var (op, value, used) = Value(w, i + 2);
                        if (value is null) return null;
                        bool addr = next is "saddr" or "daddr";
                        IpPrefix pfx = default;
                        int port = 0;
                        if (addr && !IpPrefix.TryParse(value, out pfx)) return null;
                        bool number = !addr && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out port);
                        if (!addr && !number && next != "protocol") return null;
                        StartMatch(j, op);
                        j.WriteStartObject("payload");
                        j.WriteString("protocol", w[i]);
                        j.WriteString("field", next);
                        j.WriteEndObject();
                        j.WriteEndObject(); // left
                        if (addr && value.Contains('/'))
                        {
                            j.WriteStartObject("right");
                            j.WriteStartObject("prefix");
                            j.WriteString("addr", pfx.Address.ToString());
                            j.WriteNumber("len", pfx.Length);
                            j.WriteEndObject();
                            j.WriteEndObject();
                        }
                        else if (number) j.WriteNumber("right", port);
                        else j.WriteString("right", value);
                        EndMatch(j);
                        i += 1 + used;
                        break;
                    }
                    case "meta" when next is "l4proto" or "iifname" or "oifname":
                    case "iifname" or "oifname" or "iif" or "oif":
                    {
                        string key = w[i] == "meta" ? next! : w[i].EndsWith("name", StringComparison.Ordinal) ? w[i] : w[i] + "name";
                        int at = w[i] == "meta" ? i + 2 : i + 1;
                        var (op, value, used) = Value(w, at);
                        if (value is null) return null;
                        StartMatch(j, op);
                        j.WriteStartObject("meta");
                        j.WriteString("key", key);
                        j.WriteEndObject();
                        j.WriteEndObject();
                        j.WriteString("right", value.Trim('"'));
                        EndMatch(j);
                        i = at + used - 1;
                        break;
                    }
                    case "ct" when next == "state":
                    {
                        var (op, value, used) = Value(w, i + 2);
                        if (value is null) return null;
                        StartMatch(j, op == "==" ? "in" : op);
                        j.WriteStartObject("ct");
                        j.WriteString("key", "state");
                        j.WriteEndObject();
                        j.WriteEndObject();
                        j.WriteStartArray("right");
                        foreach (var st in value.Split(',', StringSplitOptions.RemoveEmptyEntries)) j.WriteStringValue(st);
                        j.WriteEndArray();
                        EndMatch(j);
                        i += 1 + used;
                        break;
                    }
                    case "counter":
                        Statement(j, "counter");
                        if (next == "packets") i += 4; // "packets N bytes M"
                        break;
                    case "accept" or "drop" or "return" or "continue":
                        Statement(j, w[i]);
                        break;
                    case "reject":
                        Statement(j, "reject");
                        i = w.Length; // "reject with icmp …"
                        break;
                    case "jump" or "goto" when next is not null:
                        j.WriteStartObject();
                        j.WriteStartObject(w[i]);
                        j.WriteString("target", next);
                        j.WriteEndObject();
                        j.WriteEndObject();
                        i++;
                        break;
                    case "comment":
                        i = w.Length;
                        break;
                    default:
                        return null;
                }
            }
            j.WriteEndArray();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    /// <summary>The operator (== unless "!=" comes first) and the value after it; used = words read.</summary>
    private static (string Op, string? Value, int Used) Value(string[] w, int at)
    {
        if (at < w.Length && w[at] == "!=") return ("!=", at + 1 < w.Length ? w[at + 1] : null, 2);
        if (at < w.Length && w[at] == "==") return ("==", at + 1 < w.Length ? w[at + 1] : null, 2);
        return ("==", at < w.Length ? w[at] : null, 1);
    }

    /// <summary>Opens {"match":{"op":…,"left":{ — the caller writes the left expression, closes it, and writes "right".</summary>
    private static void StartMatch(Utf8JsonWriter j, string op)
    {
        j.WriteStartObject();
        j.WriteStartObject("match");
        j.WriteString("op", op);
        j.WriteStartObject("left");
    }

    private static void EndMatch(Utf8JsonWriter j)
    {
        j.WriteEndObject();
        j.WriteEndObject();
    }

    private static void Statement(Utf8JsonWriter j, string name)
    {
        j.WriteStartObject();
        j.WriteNull(name);
        j.WriteEndObject();
    }
}
