using System.Text;
using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// One named set or map of `nft list ruleset`, joined onto one line:
/// <code>
/// map service-ips { type ipv4_addr . inet_proto . inet_service : verdict; comment "…"; elements = { 10.96.0.10 . tcp . 53 : goto service-…, … } }
/// set cluster-ips { type ipv4_addr; flags interval; elements = { 10.96.0.1, 10.96.0.10 } }
/// </code>
/// Each element keeps its key as printed ("10.96.0.10 . tcp . 53") and, in a map, its value ("goto service-…").
/// </summary>
internal static class NftSetText
{
    public static NftSet? Parse(string text, NftTable table, SourceRef at)
    {
        text = text.Trim();
        int open = text.IndexOf('{');
        int close = text.LastIndexOf('}');
        if (open < 0 || close < open) return null;
        var head = text[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (head.Length < 2) return null;
        var set = new NftSet { Family = table.Family, Table = table.Name, Name = Unquote(head[1]), Source = at };
        var body = text[(open + 1)..close];
        int el = body.IndexOf("elements = {", StringComparison.Ordinal);
        var props = el >= 0 ? body[..el] : body;
        foreach (var part in props.Split([';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // "type A . B : verdict" possibly followed by other words on the same line when joined
            int t = part.IndexOf("type ", StringComparison.Ordinal);
            if (t < 0) continue;
            var type = part[(t + 5)..];
            foreach (var stop in new[] { " flags ", " comment ", " size ", " timeout ", " policy ", " counter" })
            {
                int x = type.IndexOf(stop, StringComparison.Ordinal);
                if (x >= 0) type = type[..x];
            }
            int colon = type.IndexOf(" : ", StringComparison.Ordinal);
            if (colon >= 0) { set.Type = type[..colon].Trim(); set.MapType = type[(colon + 3)..].Trim(); }
            else set.Type = type.Trim();
        }
        if (head[0] == "map" && set.MapType is null) return null;
        if (el >= 0)
        {
            int start = el + "elements = {".Length;
            int depth = 1, i = start;
            bool q = false;
            for (; i < body.Length && depth > 0; i++)
            {
                if (body[i] == '"') q = !q;
                else if (!q && body[i] == '{') depth++;
                else if (!q && body[i] == '}') depth--;
            }
            if (depth != 0) return null;
            foreach (var e in TopLevel(body[start..(i - 1)]))
            {
                var item = StripComment(e);
                if (item.Length == 0) continue;
                int c = set.MapType is null ? -1 : item.IndexOf(" : ", StringComparison.Ordinal);
                var element = c < 0
                    ? new NftElement { Key = Words(item) }
                    : new NftElement { Key = Words(item[..c]), Value = Words(item[(c + 3)..]) };
                int cm = e.IndexOf("comment \"", StringComparison.Ordinal);
                if (cm >= 0 && e.IndexOf('"', cm + 9) is var end and > 0) element.Comment = e[(cm + 9)..end];
                set.Elements.Add(element);
            }
        }
        return set;
    }

    /// <summary>Splits on commas that are not inside quotes or braces.</summary>
    internal static List<string> TopLevel(string s)
    {
        var list = new List<string>();
        var sb = new StringBuilder();
        int depth = 0;
        bool q = false;
        foreach (var ch in s)
        {
            if (ch == '"') q = !q;
            if (!q && ch == '{') depth++;
            if (!q && ch == '}') depth--;
            if (!q && depth == 0 && ch == ',') { list.Add(sb.ToString().Trim()); sb.Clear(); continue; }
            sb.Append(ch);
        }
        if (sb.ToString().Trim().Length > 0) list.Add(sb.ToString().Trim());
        return list;
    }

    /// <summary>An element without its comment "…", timeout, expires and counter words.</summary>
    private static string StripComment(string e)
    {
        var sb = new StringBuilder();
        var w = Words(e).Split(' ');
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] == "comment" && i + 1 < w.Length)
            {
                // a quoted comment may hold spaces
                i++;
                if (w[i].StartsWith('"')) while (!w[i].EndsWith('"') || w[i].Length == 1) { if (++i >= w.Length) break; }
                continue;
            }
            if (w[i] is "timeout" or "expires" && i + 1 < w.Length) { i++; continue; }
            if (w[i] == "counter" && i + 4 < w.Length && w[i + 1] == "packets") { i += 4; continue; }
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(w[i]);
        }
        return sb.ToString();
    }

    private static string Words(string s) => string.Join(' ', s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
}
