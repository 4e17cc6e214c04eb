using System.Text;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// A compact tree for terminals: host → namespace → device, and under each device its relations
/// ("—" both ways, "→" out, "←" in), then the shared subnets and every assumption / unresolved end.
/// <code>
/// worker
///   netns wkpod
///     eth0  veth 0a:58:0a:84:02:2e mtu 1500 198.18.2.46/23
///       — veth  worker:8b7266486ea2861
///       → tc redirect (ingress → egress redirect)  worker:wkpod:vxlan1
/// </code>
/// </summary>
public static class TextTopologyRenderer
{
    public static string Render(TopologyView v)
    {
        var sb = new StringBuilder();
        if (v.Focus is { } f)
        {
            sb.Append("focus ").Append(f.Spec).Append('\n');
            foreach (var n in f.Notes) sb.Append("  ").Append(n).Append('\n');
            sb.Append('\n');
        }
        // each device's edges (either end), in the view's order, gathered once
        var byDevice = new Dictionary<DeviceRef, List<Edge>>();
        foreach (var e in v.Edges)
            foreach (var end in e.To is null || e.To == e.From ? [e.From] : new[] { e.From, e.To })
            {
                if (!byDevice.TryGetValue(end, out var l)) byDevice[end] = l = [];
                l.Add(e);
            }
        foreach (var h in v.Hosts)
        {
            sb.Append(h.Host.Name).Append('\n');
            foreach (var ns in h.Namespaces)
            {
                sb.Append("  ").Append(ns.Title).Append(ns.Devices.Count == 0 ? "  (no devices)" : "").Append('\n');
                int width = ns.Devices.Count == 0 ? 0 : ns.Devices.Max(d => d.Link.Name.Length);
                foreach (var d in ns.Devices)
                {
                    sb.Append("    ").Append(d.Link.Name.PadRight(width)).Append("  ").Append(DeviceText.Details(d.Link)).Append('\n');
                    foreach (var line in Relations(v, d, byDevice.TryGetValue(d, out var l) ? l : [])) sb.Append("      ").Append(line).Append('\n');
                }
            }
        }
        if (v.Segments.Count > 0)
        {
            sb.Append("\nshared subnets (assumed one L2 segment each)\n");
            foreach (var s in v.Segments)
                sb.Append("  ").Append(s.Subnet).Append("  ").Append(string.Join(", ", s.Members.Select(m => m.ToString()))).Append('\n');
        }
        AppendAssumptions(sb, v);
        return sb.ToString();
    }

    private static IEnumerable<string> Relations(TopologyView v, DeviceRef d, List<Edge> edges)
    {
        foreach (var e in edges)
        {
            bool symmetric = e.Kind is EdgeKind.Veth or EdgeKind.Tunnel or EdgeKind.Underlay;
            if (e.From == d)
                yield return $"{(symmetric ? "—" : "→")} {Describe(e)}  {e.To?.ToString() ?? "? (unresolved: " + (e.Assumption ?? "far end not in the input") + ")"}";
            else if (e.To == d)
                yield return $"{(symmetric ? "—" : "←")} {Describe(e)}  {e.From}";
        }
        if (v.Segments.FirstOrDefault(s => s.Members.Contains(d)) is { } seg)
        {
            var others = seg.Members.Where(m => m != d).Select(m => m.ToString()).ToList();
            yield return $"— underlay {seg.Subnet}  {(others.Count == 0 ? "(no other member shown)" : string.Join(", ", others))}";
        }
    }

    private static string Describe(Edge e)
    {
        var rel = DeviceText.Relation(e.Kind);
        return e.Label == rel || e.Kind == EdgeKind.Veth ? rel : $"{rel} ({e.Label})";
    }

    private static void AppendAssumptions(StringBuilder sb, TopologyView v)
    {
        if (v.Assumptions.Count == 0 && v.HiddenAssumptions == 0) return;
        sb.Append("\nassumptions and unresolved ends\n");
        foreach (var a in v.Assumptions)
        {
            sb.Append("  - ").Append(a);
            if (a.Source is { } src) sb.Append("  [").Append(src).Append(']');
            sb.Append('\n');
        }
        if (v.HiddenAssumptions > 0)
            sb.Append("  (").Append(v.HiddenAssumptions).Append(" more about devices outside the focus)\n");
    }
}
