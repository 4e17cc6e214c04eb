using System.Globalization;
using System.Text;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// A Mermaid flowchart: hosts and namespaces as nested subgraphs, devices as nodes, relations as
/// links styled by kind (veth ---, bridge port --o, tc redirect ==>, tunnel &lt;-.-&gt;, underlay ---),
/// unresolved ends as dashed links to a "?" node, assumptions as comment lines (%%).
/// </summary>
public static class MermaidTopologyRenderer
{
    public static string Render(TopologyView v)
    {
        var sb = new StringBuilder("flowchart TB\n");
        if (v.Focus is { } f) sb.Append("  %% focus ").Append(f.Spec).Append('\n');
        var ids = new Dictionary<DeviceRef, string>();
        int n = 0;
        for (int hi = 0; hi < v.Hosts.Count; hi++)
        {
            var h = v.Hosts[hi];
            sb.Append("  subgraph h").Append(hi).Append("[\"").Append(Esc(h.Host.Name)).Append("\"]\n");
            for (int ni = 0; ni < h.Namespaces.Count; ni++)
            {
                var ns = h.Namespaces[ni];
                if (ns.Devices.Count == 0) continue;
                sb.Append("    subgraph h").Append(hi).Append('n').Append(ni).Append("[\"").Append(Esc(ns.Title)).Append("\"]\n");
                foreach (var d in ns.Devices)
                {
                    var id = "d" + (n++).ToString(CultureInfo.InvariantCulture);
                    ids[d] = id;
                    sb.Append("      ").Append(id).Append("[\"").Append(Label(d)).Append("\"]\n");
                }
                sb.Append("    end\n");
            }
            sb.Append("  end\n");
        }
        for (int si = 0; si < v.Segments.Count; si++)
            sb.Append("  seg").Append(si).Append("[(\"").Append(v.Segments[si].Subnet).Append("<br/>shared subnet\")]\n");

        int q = 0;
        var classes = new List<(string Class, int Link)>();
        int link = 0;
        foreach (var e in v.Edges)
        {
            if (e.To is null)
            {
                var qid = "q" + (q++).ToString(CultureInfo.InvariantCulture);
                sb.Append("  ").Append(qid).Append("{{\"?<br/>").Append(Esc(e.Assumption ?? "far end not in the input")).Append("\"}}\n");
                sb.Append("  ").Append(ids[e.From]).Append(" -.->|\"").Append(Esc(e.Label)).Append("\"| ").Append(qid).Append('\n');
                classes.Add(("unresolved", link++));
                continue;
            }
            sb.Append("  ").Append(ids[e.From]).Append(' ').Append(Arrow(e)).Append(' ').Append(ids[e.To]).Append('\n');
            classes.Add((e.Kind.ToString(), link++));
        }
        for (int si = 0; si < v.Segments.Count; si++)
            foreach (var m in v.Segments[si].Members)
            {
                sb.Append("  ").Append(ids[m]).Append(" --- seg").Append(si.ToString(CultureInfo.InvariantCulture)).Append('\n');
                classes.Add((nameof(EdgeKind.Underlay), link++));
            }
        foreach (var group in classes.GroupBy(c => c.Class).OrderBy(g => g.Key, StringComparer.Ordinal))
            if (LinkStyle(group.Key) is { } style)
                sb.Append("  linkStyle ").Append(string.Join(',', group.Select(c => c.Link))).Append(' ').Append(style).Append('\n');
        foreach (var a in v.Assumptions) sb.Append("  %% assumption: ").Append(a.ToString().Replace('\n', ' ')).Append('\n');
        return sb.ToString();
    }

    private static string Arrow(Edge e)
    {
        var label = e.Kind is EdgeKind.Veth or EdgeKind.BridgePort ? null : Esc(e.Label);
        string Wrap(string arrow) => label is null ? arrow : $"{arrow}|\"{label}\"|";
        return e.Kind switch
        {
            EdgeKind.Veth => Wrap("---"),
            EdgeKind.BridgePort or EdgeKind.OvsPort or EdgeKind.Master or EdgeKind.Parent => Wrap("--o"),
            EdgeKind.TcRedirect => Wrap("==>"),
            EdgeKind.TcMirror => Wrap("-.->"),
            EdgeKind.Tunnel or EdgeKind.OvsTunnel => Wrap("<-.->"),
            EdgeKind.OvsPatch => Wrap("<-->"),
            EdgeKind.TunnelUnderlay => Wrap("-.-"),
            _ => Wrap("---"),
        };
    }

    private static string? LinkStyle(string kind) => kind switch
    {
        nameof(EdgeKind.Veth) => "stroke:#333,stroke-width:2px",
        nameof(EdgeKind.BridgePort) or nameof(EdgeKind.OvsPort) => "stroke:#1565c0",
        nameof(EdgeKind.TcRedirect) or nameof(EdgeKind.TcMirror) => "stroke:#e65100,stroke-width:2px",
        nameof(EdgeKind.Tunnel) => "stroke:#6a1b9a,stroke-width:3px",
        nameof(EdgeKind.TunnelUnderlay) => "stroke:#6a1b9a",
        nameof(EdgeKind.Underlay) => "stroke:#2e7d32,stroke-width:2px",
        "unresolved" => "stroke:#c62828,stroke-dasharray:4",
        _ => null,
    };

    private static string Label(DeviceRef d)
    {
        var l = d.Link;
        var parts = new List<string> { $"<b>{Esc(l.Name)}</b>", Esc(DeviceText.Kind(l) + (l.Mtu is { } m ? $" mtu {m}" : "") + (DeviceText.State(l) is { } s ? " " + s : "")) };
        if (l.Mac is { } mac && !mac.IsZero) parts.Add(mac.ToString());
        parts.AddRange(DeviceText.Addresses(l).Select(Esc));
        return string.Join("<br/>", parts);
    }

    /// <summary>Mermaid labels are quoted; quotes and the characters it reads as markup become entities.</summary>
    private static string Esc(string s) => s.Replace("\"", "#quot;", StringComparison.Ordinal)
        .Replace("<", "#60;", StringComparison.Ordinal).Replace(">", "#62;", StringComparison.Ordinal);
}
