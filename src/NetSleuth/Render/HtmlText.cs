using System.Text;

namespace NetSleuth.Render;

/// <summary>Escaping for the HTML report: every string from the model goes through here (interface names are user input).</summary>
public static class HtmlText
{
    /// <summary>Escapes &amp; &lt; &gt; " ' so the text is safe in element content and in quoted attributes.</summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        int i = s.AsSpan().IndexOfAny("&<>\"'\0");
        if (i < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        sb.Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Escapes the text and shows each `command` in it as code with a copy button.</summary>
    public static string WithCommands(string s)
    {
        var parts = s.Split('`');
        if (parts.Length < 3) return Escape(s);
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            // an odd part between two backticks is a command; a trailing unmatched backtick stays text
            if (i % 2 == 1 && i < parts.Length - 1)
                sb.Append("<code class=\"cmd\">").Append(Escape(parts[i])).Append("</code>");
            else
                sb.Append(Escape(i % 2 == 1 ? "`" + parts[i] : parts[i]));
        }
        return sb.ToString();
    }
}
