using System.Globalization;
using System.Text;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// The topology as inline SVG for the HTML report, laid out without Graphviz: hosts side by side
/// (wrapping into rows), each host's namespaces stacked inside it (root first), devices in a grid
/// inside their namespace. Edges are straight lines between device boxes; each packet path is an
/// overlay of numbered arrows from device to device, with the device it died at marked. Every device
/// carries an id ("d12") that the facts panel and the trace steps refer to.
/// </summary>
internal sealed class HtmlPicture
{
    private const int DevW = 180, DevH = 46, Gap = 16, NsPad = 12, NsTitle = 22, HostPad = 12, HostTitle = 28, HostGap = 48, Margin = 16;
    private const int MaxRowWidth = 1000;
    /// <summary>Pictures up to this wide are scaled to the page; wider ones keep their size and scroll.</summary>
    private const int FitWidth = 1600;

    private readonly Dictionary<DeviceRef, (double X, double Y)> _pos = [];
    private readonly Dictionary<DeviceRef, string> _ids = [];

    /// <summary>The id of each device drawn.</summary>
    public IReadOnlyDictionary<DeviceRef, string> Ids => _ids;
    public string Svg { get; private set; } = "";
    public int Width { get; private set; }
    public int Height { get; private set; }

    public static HtmlPicture Draw(TopologyView view, IReadOnlyList<HtmlPath> paths)
    {
        var p = new HtmlPicture();
        p.Layout(view, paths);
        return p;
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string H(string s) => HtmlText.Escape(s);

    private void Layout(TopologyView view, IReadOnlyList<HtmlPath> paths)
    {
        var body = new StringBuilder();
        var boxes = new StringBuilder();
        double x = Margin, y = Margin, rowH = 0, maxW = 0;
        int n = 0;
        // devices on a path come first in their namespace, in the order the packet meets them, so the arrows run along rows
        var rank = new Dictionary<DeviceRef, int>();
        foreach (var p in paths)
            foreach (var d in p.Devices) rank.TryAdd(d, rank.Count);
        // hosts a path crosses come first, in the order of the paths (the first path is the one shown)
        var hostRank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (d, r) in rank) hostRank.TryAdd(d.Host.Name, r);
        var hosts = rank.Count == 0 ? view.Hosts
            : view.Hosts.Select((h, i) => (h, i)).OrderBy(x => hostRank.TryGetValue(x.h.Host.Name, out var r) ? r : int.MaxValue).ThenBy(x => x.i).Select(x => x.h).ToList();
        foreach (var host in hosts)
        {
            // measure the namespaces first: the host is as wide as its widest namespace
            var sizes = new List<(NamespaceView Ns, int Cols, int Rows, double W, double H)>();
            foreach (var ns in host.Namespaces)
            {
                int count = ns.Devices.Count;
                int cols = count <= 3 ? Math.Max(count, 1) : Math.Min(4, (int)Math.Ceiling(Math.Sqrt(count)));
                int rows = Math.Max(1, (count + cols - 1) / cols);
                double w = NsPad * 2 + cols * DevW + (cols - 1) * Gap;
                double h = NsTitle + NsPad + (count == 0 ? 10 : rows * DevH + (rows - 1) * Gap) + NsPad;
                sizes.Add((ns, cols, rows, w, h));
            }
            double innerW = sizes.Count == 0 ? DevW : sizes.Max(s => s.W);
            double hostW = innerW + HostPad * 2;
            double hostH = HostTitle + sizes.Sum(s => s.H) + Math.Max(0, sizes.Count - 1) * Gap + HostPad;
            if (x > Margin && x + hostW > MaxRowWidth)
            {
                x = Margin;
                y += rowH + HostGap;
                rowH = 0;
            }
            boxes.Append($"<g class=\"host\"><rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(hostW)}\" height=\"{F(hostH)}\" rx=\"10\"/>");
            boxes.Append($"<text class=\"host-title\" x=\"{F(x + HostPad)}\" y=\"{F(y + 19)}\">host {H(host.Host.Name)}</text></g>\n");
            double ny = y + HostTitle;
            foreach (var (ns, cols, _, _, h) in sizes)
            {
                double nx = x + HostPad;
                boxes.Append($"<g class=\"ns{(ns.Ns.Ns.IsRoot ? " root" : "")}\"><rect x=\"{F(nx)}\" y=\"{F(ny)}\" width=\"{F(innerW)}\" height=\"{F(h)}\" rx=\"6\"/>");
                boxes.Append($"<text class=\"ns-title\" x=\"{F(nx + NsPad)}\" y=\"{F(ny + 16)}\">{H(Clip(ns.Title, (int)(innerW / 7)))}</text></g>\n");
                var ordered = rank.Count == 0 ? ns.Devices
                    : ns.Devices.Select((d, i) => (d, i)).OrderBy(x => rank.TryGetValue(x.d, out var r) ? r : int.MaxValue).ThenBy(x => x.i).Select(x => x.d).ToList();
                for (int i = 0; i < ordered.Count; i++)
                {
                    var d = ordered[i];
                    // along a path the rows snake (odd rows right to left), so each hop goes to a neighbouring box
                    int row = i / cols, col = rank.Count > 0 && row % 2 == 1 ? cols - 1 - i % cols : i % cols;
                    double dx = nx + NsPad + col * (DevW + Gap), dy = ny + NsTitle + NsPad + row * (DevH + Gap);
                    string id = "d" + n++.ToString(CultureInfo.InvariantCulture);
                    _ids[d] = id;
                    _pos[d] = (dx + DevW / 2.0, dy + DevH / 2.0);
                }
                ny += h + Gap;
            }
            x += hostW + HostGap;
            maxW = Math.Max(maxW, x - HostGap);
            rowH = Math.Max(rowH, hostH);
        }
        Width = (int)Math.Ceiling(maxW + Margin);
        Height = (int)Math.Ceiling(y + rowH + Margin);

        body.Append(boxes);
        Edges(body, view);
        for (int i = 0; i < paths.Count; i++) PathOverlay(body, paths[i], i);
        foreach (var (d, id) in _ids) Device(body, d, id, paths);
        for (int i = 0; i < paths.Count; i++) Badges(body, paths[i], i);

        Svg = $"<svg class=\"topo{(Width <= FitWidth ? " fit" : "")}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" style=\"max-width:{Width}px\" role=\"img\" aria-label=\"topology\">" +
              "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n" +
              body + "</svg>";
    }

    private void Edges(StringBuilder sb, TopologyView view)
    {
        var drawn = new HashSet<(DeviceRef, DeviceRef, EdgeKind)>();
        sb.Append("<g class=\"edges\">");
        foreach (var e in view.Edges)
        {
            if (e.To is not { } to || !_pos.ContainsKey(e.From) || !_pos.ContainsKey(to)) continue;
            if (drawn.Contains((to, e.From, e.Kind)) || !drawn.Add((e.From, to, e.Kind))) continue;
            var (x1, y1, x2, y2) = Line(e.From, to);
            string kind = e.Kind.ToString().ToLowerInvariant();
            sb.Append($"<line class=\"edge {kind}\" x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\"><title>{H(DeviceText.Relation(e.Kind))}: {H(e.From.ToString())} – {H(to.ToString())} ({H(e.Label)})</title></line>");
            if (e.Kind is EdgeKind.Tunnel or EdgeKind.TcRedirect)
                sb.Append($"<text class=\"edge-label\" x=\"{F((x1 + x2) / 2 + 4)}\" y=\"{F((y1 + y2) / 2 - 4)}\">{H(DeviceText.Relation(e.Kind))}</text>");
        }
        foreach (var s in view.Segments)
            for (int i = 1; i < s.Members.Count; i++)
            {
                if (!_pos.ContainsKey(s.Members[i - 1]) || !_pos.ContainsKey(s.Members[i])) continue;
                var (x1, y1, x2, y2) = Line(s.Members[i - 1], s.Members[i]);
                sb.Append($"<line class=\"edge segment\" x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\"><title>shared subnet {H(s.Subnet.ToString())} (assumed one L2 segment)</title></line>");
                if (i == 1) sb.Append($"<text class=\"edge-label\" x=\"{F((x1 + x2) / 2 + 4)}\" y=\"{F((y1 + y2) / 2 + 14)}\">{H(s.Subnet.ToString())}</text>");
            }
        sb.Append("</g>\n");
    }

    private void PathOverlay(StringBuilder sb, HtmlPath path, int index)
    {
        string fail = path.Failing is { } fd && _ids.TryGetValue(fd, out var fid) ? $" data-fail=\"{fid}\"" : "";
        sb.Append($"<g class=\"path{(index == 0 ? " active" : "")}\" data-path=\"{index}\"{fail}>");
        for (int i = 1; i < path.Devices.Count; i++)
        {
            var a = path.Devices[i - 1];
            var b = path.Devices[i];
            if (!_pos.ContainsKey(a) || !_pos.ContainsKey(b)) continue;
            var (x1, y1, x2, y2) = Line(a, b);
            sb.Append($"<line class=\"hop\" x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" marker-end=\"url(#arrow)\"><title>hop {i}: {H(a.ToString())} → {H(b.ToString())}</title></line>");
        }
        if (path.Failing is { } f && _pos.TryGetValue(f, out var c))
        {
            sb.Append($"<rect class=\"failmark\" x=\"{F(c.X - DevW / 2.0 - 5)}\" y=\"{F(c.Y - DevH / 2.0 - 5)}\" width=\"{DevW + 10}\" height=\"{DevH + 10}\" rx=\"8\"/>");
            sb.Append($"<text class=\"fail-label\" x=\"{F(c.X - DevW / 2.0)}\" y=\"{F(c.Y + DevH / 2.0 + 18)}\">✖ the packet dies here</text>");
        }
        sb.Append("</g>\n");
    }

    private void Badges(StringBuilder sb, HtmlPath path, int index)
    {
        sb.Append($"<g class=\"path badges{(index == 0 ? " active" : "")}\" data-path=\"{index}\">");
        var seen = new HashSet<DeviceRef>();
        for (int i = 0; i < path.Devices.Count; i++)
        {
            var d = path.Devices[i];
            if (!seen.Add(d) || !_pos.TryGetValue(d, out var c)) continue;
            double bx = c.X - DevW / 2.0, by = c.Y - DevH / 2.0;
            sb.Append($"<circle class=\"badge\" cx=\"{F(bx)}\" cy=\"{F(by)}\" r=\"10\"/><text class=\"badge-n\" x=\"{F(bx)}\" y=\"{F(by + 4)}\">{i + 1}</text>");
        }
        sb.Append("</g>\n");
    }

    private void Device(StringBuilder sb, DeviceRef d, string id, IReadOnlyList<HtmlPath> paths)
    {
        var (cx, cy) = _pos[d];
        double x = cx - DevW / 2.0, y = cy - DevH / 2.0;
        var l = d.Link;
        string cls = "dev";
        if (DeviceText.State(l) is not null) cls += " down";
        for (int i = 0; i < paths.Count; i++)
            if (paths[i].Failing?.Equals(d) == true) { cls += " failing"; break; }
        var second = DeviceText.Kind(l) + (DeviceText.Addresses(l).FirstOrDefault() is { } a ? " " + a : l.Vxlan?.Vni is { } vni ? $" vni {vni}" : "");
        sb.Append($"<g class=\"{cls}\" id=\"{id}\" data-dev=\"{id}\" tabindex=\"0\"><title>{H(d.ToString())}\n{H(DeviceText.Details(l))}{(l.Source is { } src ? "\n" + H(src.ToString()) : "")}</title>");
        sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{DevW}\" height=\"{DevH}\" rx=\"5\"/>");
        sb.Append($"<text class=\"dev-name\" x=\"{F(x + 10)}\" y=\"{F(y + 19)}\">{H(Clip(l.Name, 22))}</text>");
        sb.Append($"<text class=\"dev-info\" x=\"{F(x + 10)}\" y=\"{F(y + 36)}\">{H(Clip(second, 28))}</text></g>\n");
    }

    /// <summary>The line between two device boxes, from border to border.</summary>
    private (double, double, double, double) Line(DeviceRef a, DeviceRef b)
    {
        var (ax, ay) = _pos[a];
        var (bx, by) = _pos[b];
        double dx = bx - ax, dy = by - ay;
        if (Math.Abs(dx) < 0.1 && Math.Abs(dy) < 0.1) return (ax, ay, bx, by);
        double t = Math.Min(Math.Abs(dx) < 1e-6 ? double.MaxValue : DevW / 2.0 / Math.Abs(dx), Math.Abs(dy) < 1e-6 ? double.MaxValue : DevH / 2.0 / Math.Abs(dy));
        return (ax + dx * t, ay + dy * t, bx - dx * t, by - dy * t);
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..Math.Max(1, max - 1)] + "…";
}
