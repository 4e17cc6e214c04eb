using System.Globalization;
using System.Text;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// Graphviz DOT, laid out like a person draws it: hosts side by side as clusters with their
/// namespaces nested inside, pod namespaces on top, the root namespace below them, the underlay
/// (shared subnets) at the bottom and the tunnel across between hosts. Unresolved ends are red
/// dashed edges to a "?" node saying why; the legend lists every assumption.
/// </summary>
public static class DotTopologyRenderer
{
    public static string Render(TopologyView v)
    {
        var w = new DotWriter(v);
        return w.Write();
    }

    private sealed class DotWriter(TopologyView v)
    {
        private readonly StringBuilder _sb = new();
        private readonly HashSet<DeviceRef> _underlay = UnderlayDevices(v);
        private readonly Dictionary<Edge, string> _q = QuestionIds(v);

        /// <summary>"?" node ids in drawing order: each host's own unresolved ends, then those leaving a host.</summary>
        private static Dictionary<Edge, string> QuestionIds(TopologyView v)
        {
            var order = v.Hosts.SelectMany(h => v.Unresolved.Where(e => e.From.Host == h.Host && !LeavesHost(e)))
                .Concat(v.Unresolved.Where(LeavesHost));
            var ids = new Dictionary<Edge, string>(ReferenceEqualityComparer.Instance);
            foreach (var e in order) ids[e] = "q" + ids.Count.ToString(CultureInfo.InvariantCulture);
            return ids;
        }

        public string Write()
        {
            _sb.Append("digraph topology {\n");
            _sb.Append("  graph [rankdir=TB, newrank=true, compound=true, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.55, labeljust=l");
            _sb.Append(", labelloc=b, label=").Append(Html(Legend())).Append("];\n");
            _sb.Append("  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10, margin=\"0.12,0.05\"];\n");
            _sb.Append("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
            for (int hi = 0; hi < v.Hosts.Count; hi++)
            {
                var h = v.Hosts[hi];
                _sb.Append("  subgraph cluster_h").Append(hi).Append(" {\n");
                _sb.Append("    label=").Append(Html($"<b>{Esc(h.Host.Name)}</b>")).Append("; labelloc=t; style=\"rounded,bold\"; color=\"#555555\"; fontsize=14;\n");
                // pod namespaces declared before the root one: dot then draws the root namespace on the
                // host's outer side and the pods towards the next host, which keeps the hosts in input order
                foreach (var ni in Enumerable.Range(0, h.Namespaces.Count).OrderBy(i => h.Namespaces[i].Ns.Ns.IsRoot ? 1 : 0).ThenByDescending(i => i))
                {
                    var ns = h.Namespaces[ni];
                    if (ns.Devices.Count == 0) continue;
                    _sb.Append("    subgraph cluster_h").Append(hi).Append("_n").Append(ni).Append(" {\n");
                    _sb.Append("      label=").Append(Quote(ns.Title)).Append("; labelloc=t; style=\"rounded,filled\"; color=\"#bbbbbb\"; fillcolor=")
                        .Append(ns.Ns.Ns.IsRoot ? "\"#f2f2f2\"" : "\"#fff4dd\"").Append(";\n");
                    foreach (var d in ns.Devices) _sb.Append("      ").Append(Node(d)).Append('\n');
                    _sb.Append("    }\n");
                }
                // unresolved ends inside this host (a veth peer, a master): the "?" stays in the host
                foreach (var e in v.Unresolved.Where(e => e.From.Host == h.Host && !LeavesHost(e)))
                    _sb.Append("    ").Append(QuestionNode(e)).Append('\n');
                _sb.Append("  }\n");
            }
            foreach (var e in v.Unresolved.Where(LeavesHost))
                _sb.Append("  ").Append(QuestionNode(e)).Append('\n');
            for (int si = 0; si < v.Segments.Count; si++)
            {
                var s = v.Segments[si];
                _sb.Append("  seg").Append(si).Append(" [shape=box, style=\"filled\", fillcolor=\"#e3f2e1\", color=\"#2e7d32\", penwidth=2, label=")
                    .Append(Html($"<b>{Esc(s.Subnet.ToString())}</b><br/><font point-size=\"9\">shared subnet (assumed one L2 segment)</font>")).Append("];\n");
            }
            WriteEdges();
            WriteRanks();
            _sb.Append("}\n");
            return _sb.ToString();
        }

        private void WriteEdges()
        {
            var tails = new HashSet<DeviceRef>();
            foreach (var e in v.Edges)
            {
                var style = Style(e);
                if (e.To is null)
                {
                    _sb.Append("  ").Append(Id(e.From)).Append(" -> ").Append(_q[e]).Append(" [")
                        .Append("style=dashed, color=\"#c62828\", fontcolor=\"#c62828\", label=").Append(Quote(e.Label)).Append("];\n");
                    continue;
                }
                // edges point down the page: pod namespaces → root namespace → underlay
                bool flip = e.Kind == EdgeKind.Tunnel ? HostIndex(e.From) > HostIndex(e.To) :
                    Level(e.From) > Level(e.To) ||
                    // a veth inside one level: the end that is a bridge port goes below, next to its bridge
                    (e.Kind == EdgeKind.Veth && Level(e.From) == Level(e.To) && e.From.Link.Master is not null && e.To.Link.Master is null);
                var (a, b) = flip ? (e.To, e.From) : (e.From, e.To);
                if (e.Kind is not (EdgeKind.Tunnel or EdgeKind.Underlay)) tails.Add(a);
                _sb.Append("  ").Append(Id(a)).Append(" -> ").Append(Id(b)).Append(" [").Append(style);
                if (flip && !style.Contains("dir=", StringComparison.Ordinal)) _sb.Append(", dir=back");
                if (e.Assumption is not null) _sb.Append(", style=dashed");
                _sb.Append("];\n");
            }
            // the underlay at the bottom: devices of the root namespace with nothing below them hang above it
            foreach (var h in v.Hosts)
            {
                var devices = h.Namespaces.Where(n => n.Ns.Ns.IsRoot).SelectMany(n => n.Devices).ToList();
                if (devices.FirstOrDefault(_underlay.Contains) is not { } bottom) continue;
                foreach (var d in devices.Where(d => !_underlay.Contains(d) && !tails.Contains(d)))
                    _sb.Append("  ").Append(Id(d)).Append(" -> ").Append(Id(bottom)).Append(" [style=invis];\n");
            }
            for (int si = 0; si < v.Segments.Count; si++)
                foreach (var m in v.Segments[si].Members)
                    _sb.Append("  ").Append(Id(m)).Append(" -> seg").Append(si).Append(" [dir=none, color=\"#2e7d32\", penwidth=2];\n");
        }

        private static string Style(Edge e) => e.Kind switch
        {
            EdgeKind.Veth => "dir=none, penwidth=2, color=\"#333333\"",
            EdgeKind.BridgePort => "arrowhead=dot, color=\"#1565c0\"",
            EdgeKind.OvsPort => $"arrowhead=dot, color=\"#1565c0\", label={Quote(e.Label)}",
            EdgeKind.OvsPatch => $"dir=both, style=dashed, color=\"#1565c0\", label={Quote(e.Label)}",
            EdgeKind.OvsTunnel => $"dir=both, color=\"#6a1b9a\", fontcolor=\"#6a1b9a\", penwidth=3, label={Quote(e.Label)}",
            EdgeKind.Master or EdgeKind.Parent => $"arrowhead=dot, color=\"#777777\", label={Quote(e.Label)}",
            EdgeKind.TcRedirect => $"color=\"#e65100\", fontcolor=\"#e65100\", penwidth=1.6, label={Quote(e.Label)}",
            EdgeKind.TcMirror => $"color=\"#e65100\", fontcolor=\"#e65100\", style=dashed, label={Quote(e.Label)}",
            // a constraint: the far end one row lower, so the tunnel runs across near the top (a flat
            // edge would be drawn twice by dot 2.43 next to the flat mirred edges of a pod namespace)
            EdgeKind.Tunnel => $"dir=both, color=\"#6a1b9a\", fontcolor=\"#6a1b9a\", penwidth=3, label={Quote(e.Label)}",
            EdgeKind.TunnelUnderlay => $"style=dotted, color=\"#6a1b9a\", fontcolor=\"#6a1b9a\", label={Quote(e.Label)}",
            EdgeKind.Underlay => $"dir=none, constraint=false, color=\"#2e7d32\", fontcolor=\"#2e7d32\", penwidth=2, label={Quote(e.Label)}",
            _ => $"label={Quote(e.Label)}",
        };

        private void WriteRanks()
        {
            // the two ends of each tunnel side by side; the underlay at the bottom
            // a pod namespace is one row (its devices side by side), so it sits above the root namespace
            foreach (var ns in v.Hosts.SelectMany(h => h.Namespaces).Where(n => !n.Ns.Ns.IsRoot && n.Devices.Count > 1))
                _sb.Append("  { rank=same; ").Append(string.Join("; ", ns.Devices.Select(Id))).Append("; }\n");
            // (an invisible edge through the underlay row keeps the hosts in input order, left to right)
            // an unresolved tunnel end sits beside its device, where the far host would be
            foreach (var e in v.Unresolved.Where(e => e.Kind == EdgeKind.Tunnel))
                _sb.Append("  { rank=same; ").Append(Id(e.From)).Append("; ").Append(_q[e]).Append("; }\n");
            var under = v.Hosts.SelectMany(h => h.Namespaces).SelectMany(n => n.Devices).Where(_underlay.Contains).ToList();
            if (under.Count > 1) _sb.Append("  { rank=same; ").Append(string.Join(" -> ", under.Select(Id))).Append(" [style=invis]; }\n");
        }

        /// <summary>The graph's label, under the drawing: focus, edge key, assumptions.</summary>
        private string Legend()
        {
            var kinds = v.Edges.Select(e => e.Kind).Distinct().OrderBy(k => k).ToList();
            var sb = new StringBuilder("<table border=\"1\" color=\"#bbbbbb\" bgcolor=\"#fffde7\" cellborder=\"0\" cellspacing=\"1\" cellpadding=\"2\">");
            if (v.Focus is { } f)
            {
                sb.Append("<tr><td align=\"left\"><b>focus ").Append(Esc(f.Spec)).Append("</b></td></tr>");
                foreach (var n in f.Notes) sb.Append("<tr><td align=\"left\"><font point-size=\"9\">").Append(Esc(n)).Append("</font></td></tr>");
            }
            sb.Append("<tr><td align=\"left\"><font point-size=\"10\"><b>edges</b></font></td></tr>");
            foreach (var k in kinds) sb.Append("<tr><td align=\"left\"><font point-size=\"9\" color=\"").Append(Color(k)).Append("\">").Append(Esc(LegendText(k))).Append("</font></td></tr>");
            if (v.Unresolved.Any()) sb.Append("<tr><td align=\"left\"><font point-size=\"9\" color=\"#c62828\">red dashed to ?: an end the input does not show (why in the box)</font></td></tr>");
            if (v.Segments.Count > 0) sb.Append("<tr><td align=\"left\"><font point-size=\"9\" color=\"#2e7d32\">green box: shared subnet between hosts</font></td></tr>");
            if (v.Assumptions.Count > 0 || v.HiddenAssumptions > 0)
            {
                sb.Append("<tr><td align=\"left\"><font point-size=\"10\"><b>assumptions and unresolved ends</b></font></td></tr>");
                foreach (var a in v.Assumptions)
                    foreach (var (line, i) in Wrap("• " + a, 100).Select((l, i) => (l, i)))
                        sb.Append("<tr><td align=\"left\"><font point-size=\"9\">").Append(i == 0 ? "" : "&nbsp;&nbsp;").Append(Esc(line)).Append("</font></td></tr>");
                if (v.HiddenAssumptions > 0)
                    sb.Append("<tr><td align=\"left\"><font point-size=\"9\">(").Append(v.HiddenAssumptions).Append(" more about devices outside the focus)</font></td></tr>");
            }
            sb.Append("</table>");
            return sb.ToString();
        }

        private static string LegendText(EdgeKind k) => k switch
        {
            EdgeKind.Veth => "thick black line: veth pair",
            EdgeKind.BridgePort => "blue, dot at the bridge: bridge port",
            EdgeKind.OvsPort => "blue, dot at the bridge: Open vSwitch port",
            EdgeKind.OvsPatch => "blue dashed: Open vSwitch patch ports joining two bridges",
            EdgeKind.OvsTunnel => "thick purple: Open vSwitch tunnel port between hosts",
            EdgeKind.Master => "grey, dot at the master: bond/vrf slave",
            EdgeKind.Parent => "grey, dot at the parent: vlan/macvlan parent",
            EdgeKind.TcRedirect => "orange arrow: tc mirred redirect (filter hook → target)",
            EdgeKind.TcMirror => "orange dashed: tc mirred mirror",
            EdgeKind.Tunnel => "thick purple: VXLAN tunnel between hosts",
            EdgeKind.TunnelUnderlay => "purple dotted: where the tunnel's UDP socket sends from",
            EdgeKind.Underlay => "green: underlay between hosts",
            _ => k.ToString(),
        };

        private static string Color(EdgeKind k) => k switch
        {
            EdgeKind.Veth => "#333333",
            EdgeKind.BridgePort or EdgeKind.OvsPort or EdgeKind.OvsPatch => "#1565c0",
            EdgeKind.TcRedirect or EdgeKind.TcMirror => "#e65100",
            EdgeKind.Tunnel or EdgeKind.TunnelUnderlay or EdgeKind.OvsTunnel => "#6a1b9a",
            EdgeKind.Underlay => "#2e7d32",
            _ => "#777777",
        };

        private string Node(DeviceRef d)
        {
            var l = d.Link;
            var lines = new List<string>();
            var first = new List<string> { DeviceText.Kind(l) };
            if (l.Mtu is { } mtu) first.Add($"mtu {mtu}");
            if (DeviceText.State(l) is { } st) first.Add(st);
            lines.Add(string.Join(" · ", first));
            if (l.Mac is { } mac && !mac.IsZero) lines.Add(mac.ToString());
            if (l.Vxlan is { } vx)
                lines.Add($"vni {vx.Vni?.ToString(CultureInfo.InvariantCulture) ?? "?"} → {vx.Remote?.ToString() ?? vx.Group?.ToString() ?? "?"}:{vx.DstPort ?? TunnelLinker.DefaultPort}");
            lines.AddRange(DeviceText.Addresses(l));
            var label = $"<b>{Esc(l.Name)}</b><br/><font point-size=\"9\">{string.Join("<br/>", lines.Select(Esc))}</font>";
            var fill = l.Kind switch
            {
                "veth" => "#fffde7",
                "bridge" or "openvswitch" => "#e3f0fb",
                "vxlan" or "geneve" => "#f3e5f5",
                null => "#e8f5e9",
                _ => "#ffffff",
            };
            var style = l.IsUp ? "rounded,filled" : "rounded,filled,dashed";
            return $"{Id(d)} [label={Html(label)}, fillcolor=\"{fill}\", style=\"{style}\"];";
        }

        private string QuestionNode(Edge e)
        {
            var why = e.Assumption ?? "far end not in the input";
            var text = string.Join("<br/>", Wrap(why, 38).Select(Esc));
            return $"{_q[e]} [shape=box, style=\"dashed,rounded\", color=\"#c62828\", fontcolor=\"#c62828\", label={Html($"<b>?</b><br/><font point-size=\"9\">{text}</font>")}];";
        }

        private static bool LeavesHost(Edge e) => e.Kind is EdgeKind.Tunnel or EdgeKind.Underlay;

        private int HostIndex(DeviceRef d)
        {
            for (int i = 0; i < v.Hosts.Count; i++)
                if (v.Hosts[i].Host == d.Host) return i;
            return v.Hosts.Count;
        }

        private int Level(DeviceRef d) => !d.Ns.IsRoot ? 0 : _underlay.Contains(d) ? 2 : 1;

        private static HashSet<DeviceRef> UnderlayDevices(TopologyView v)
        {
            var set = v.Segments.SelectMany(s => s.Members).ToHashSet();
            foreach (var e in v.Edges)
            {
                if (e.Kind == EdgeKind.TunnelUnderlay && e.To is { } to && to.Ns.IsRoot) set.Add(to);
                if (e.Kind == EdgeKind.Underlay) { set.Add(e.From); if (e.To is not null) set.Add(e.To); }
            }
            return set;
        }
    }

    internal static string Id(DeviceRef d) => Quote(d.Key);

    internal static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Html(string inner) => "<" + inner + ">";

    internal static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>Greedy word wrap at <paramref name="width"/> characters.</summary>
    internal static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
