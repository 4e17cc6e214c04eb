using System.Text;
using NetSleuth.Diagnosis;
using NetSleuth.Forwarding;
using NetSleuth.Topology;

namespace NetSleuth.Render;

/// <summary>
/// The self-contained HTML report (diagnose, trace and topology `--format html`): one file with its
/// style and script inline and a Content-Security-Policy that forbids any fetch, so it opens offline
/// and can be attached to a ticket. The picture is drawn by <see cref="HtmlPicture"/> (no Graphviz);
/// a large input is drawn only around the broken paths, the rest listed collapsed.
/// </summary>
public static class HtmlReport
{
    /// <summary>Inputs up to this many devices are drawn whole; larger ones only around the paths.</summary>
    public const int FullPictureDevices = 300;
    /// <summary>The most devices drawn around the paths of a large input.</summary>
    public const int FocusPictureDevices = 400;
    /// <summary>The most broken paths drawn (one per finding, most severe first).</summary>
    public const int MaxPaths = 12;

    /// <summary>The diagnosis: the verdict, the picture with each broken path, the findings, the assumptions.</summary>
    public static string Diagnosis(DiagnosisReport report, Topology.Topology t, string? version = null)
    {
        var paths = new List<HtmlPath>();
        var pathOf = new Dictionary<Finding, int>();
        foreach (var f in report.Findings)
        {
            if (paths.Count >= MaxPaths) break;
            if (f.Trace is not { } ft || HtmlPath.Retrace(t, ft.From, ft.To) is not { } p) continue;
            pathOf[f] = paths.Count;
            paths.Add(p);
        }
        var sb = new StringBuilder(64 * 1024);
        int errors = report.Findings.Count(f => f.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Severity == Severity.Warning);
        int notes = report.Findings.Count - errors - warnings;
        Head(sb, "NetSleuth diagnosis");
        sb.Append("<header><h1>NetSleuth diagnosis</h1><p class=\"summary\">")
          .Append(H($"{Plural(report.Hosts.Count, "host")} ({string.Join(", ", report.Hosts.Take(8))}{(report.Hosts.Count > 8 ? ", …" : "")}): " +
                    $"{Plural(errors, "error")}, {Plural(warnings, "warning")}, {Plural(notes, "note")}; " +
                    (report.PathsPlanned > report.PathsChecked
                        ? $"{report.PathsChecked} of {Plural(report.PathsPlanned, "path")} traced before the time budget ran out, {report.PathsBroken} broken"
                        : $"{Plural(report.PathsChecked, "path")} traced, {report.PathsBroken} broken")))
          .Append("</p></header>\n");

        Verdict(sb, report, paths, pathOf);
        var (view, rest) = PictureView(t, paths);
        Where(sb, t, view, rest, paths, paths.Count > 0 ? "Where the packet dies" : "Topology");

        sb.Append("<section id=\"findings\"><h2>Findings, most severe first</h2>\n");
        if (report.Findings.Count == 0) sb.Append("<p>No problems found.</p>\n");
        for (int i = 0; i < report.Findings.Count; i++)
            FindingSection(sb, report.Findings[i], i, pathOf.TryGetValue(report.Findings[i], out var pi) ? pi : -1);
        sb.Append("</section>\n");

        var decide = report.Findings.SelectMany(f => f.Decide).Distinct().ToList();
        Assumptions(sb, view, paths, decide, report.InputWarnings.Select(w => w.ToString()).ToList());
        Foot(sb, version);
        return sb.ToString();
    }

    /// <summary>One trace: the verdict, the picture with the packet's path (and the reply's), each step.</summary>
    public static string Trace(TraceResult result, Topology.Topology t, string? version = null)
    {
        var r = result.Request;
        string from = r.Host + (r.Namespace is null ? "" : ":" + r.Namespace) + (r.Device is null ? "" : ":" + r.Device);
        var paths = new List<HtmlPath> { HtmlPath.From(t, $"{from} → {r.Destination}", result.Forward) };
        if (result.Reply is { } reply) paths.Add(HtmlPath.From(t, $"reply {r.Destination} → {from}", reply));
        var sb = new StringBuilder(32 * 1024);
        Head(sb, $"NetSleuth trace {from} → {r.Destination}");
        sb.Append("<header><h1>NetSleuth trace</h1><p class=\"summary\">")
          .Append(H($"{result.Forward.Flow.Protocol} {result.Forward.Flow.Source} → {result.Forward.Flow.Destination}, {result.Forward.Flow.Size} bytes, from {from}"))
          .Append("</p></header>\n");
        var bad = !result.Forward.Delivered ? paths[0] : paths.Count > 1 && !paths[1].Trace.Delivered ? paths[1] : null;
        if (bad is null)
            sb.Append("<section class=\"verdict ok\"><p class=\"big\">Delivered").Append(result.Reply is null ? "" : " both ways").Append(".</p></section>\n");
        else
        {
            sb.Append("<section class=\"verdict err\"><p class=\"big\">");
            DiesAt(sb, bad);
            sb.Append("</p>");
            if (bad.Trace.Missing is { } m)
                sb.Append("<p>To decide, ").Append(HtmlText.WithCommands(m.ToString())).Append("</p>");
            sb.Append("</section>\n");
        }
        var (view, rest) = PictureView(t, paths);
        Where(sb, t, view, rest, paths, bad is null ? "The path" : "Where the packet dies");
        Assumptions(sb, view, paths, [], []);
        Foot(sb, version);
        return sb.ToString();
    }

    /// <summary>The topology (or the part a focus kept) with its assumptions.</summary>
    public static string Topology(TopologyView view, string? version = null)
    {
        var sb = new StringBuilder(32 * 1024);
        int devices = view.Hosts.Sum(h => h.Namespaces.Sum(n => n.Devices.Count));
        Head(sb, "NetSleuth topology");
        sb.Append("<header><h1>NetSleuth topology</h1><p class=\"summary\">")
          .Append(H($"{Plural(view.Hosts.Count, "host")}, {Plural(view.Hosts.Sum(h => h.Namespaces.Count), "namespace")}, {Plural(devices, "device")}" +
                    (view.Focus is { } f ? $"; focus {f.Spec}" + (f.Notes.Count > 0 ? $" ({string.Join("; ", f.Notes)})" : "") : "")))
          .Append("</p></header>\n");
        if (devices > FocusPictureDevices)
        {
            sb.Append("<section class=\"verdict warn\"><p>").Append(H($"{Plural(devices, "device")} are too many to draw in one picture: "))
              .Append("narrow it with <code>--focus IP</code> or <code>--focus HOST:NETNS:DEVICE</code> (what a packet to that address or device can touch).</p></section>\n");
            Where(sb, view.Topology, null, view.Hosts.Select(h => h.Host.Name).ToList(), [], "Hosts");
        }
        else Where(sb, view.Topology, view, [], [], "Topology");
        Assumptions(sb, view, [], [], []);
        Foot(sb, version);
        return sb.ToString();
    }

    /// <summary>
    /// What to draw: the whole topology when it is small; else the devices on the paths, what a packet to
    /// each path's destination can touch (<see cref="Focus"/>) on the hosts the paths visit, and the
    /// failing devices' namespaces. Returns the hosts left out, for the collapsed list.
    /// </summary>
    internal static (TopologyView? View, List<string> Others) PictureView(Topology.Topology t, IReadOnlyList<HtmlPath> paths)
    {
        int total = 0;
        foreach (var host in t.Hosts)
            foreach (var ns in host.Namespaces) total += ns.Links.Count;
        if (total <= FullPictureDevices) return (TopologyView.Create(t), []);
        var keep = new HashSet<DeviceRef>();
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in paths)
            foreach (var d in p.Devices) { keep.Add(d); hosts.Add(d.Host.Name); }
        foreach (var p in paths)
        {
            if (p.Failing is { } f)
                foreach (var l in f.Ns.Links)
                    if (keep.Count < FocusPictureDevices && t.Device(f.Host, f.Ns, l.Name) is { } d) keep.Add(d);
        }
        foreach (var p in paths)
        {
            FocusResult focus;
            try { focus = Focus.Select(t, p.Trace.Flow.Destination.ToString()); }
            catch (FocusException) { continue; }
            foreach (var d in focus.Devices)
                if (keep.Count < FocusPictureDevices && hosts.Contains(d.Host.Name)) keep.Add(d);
        }
        var rest = t.Hosts.Where(h => !hosts.Contains(h.Name)).Select(h => h.Name).ToList();
        if (keep.Count == 0) return (null, rest);
        var view = TopologyView.Create(t, new FocusResult("the broken paths", keep, []));
        return (view, rest);
    }

    private static void Verdict(StringBuilder sb, DiagnosisReport report, List<HtmlPath> paths, Dictionary<Finding, int> pathOf)
    {
        var top = report.Findings.FirstOrDefault();
        if (top is null || top.Severity != Severity.Error)
        {
            sb.Append("<section class=\"verdict ").Append(top is null ? "ok" : "warn").Append("\"><p class=\"big\">")
              .Append(top is null ? "No problems found" : "No broken path; see the findings below")
              .Append(H($": {Plural(report.PathsChecked, "path")} traced, {report.PathsBroken} broken.")).Append("</p></section>\n");
            return;
        }
        sb.Append("<section class=\"verdict err\" id=\"verdict\">");
        if (pathOf.TryGetValue(top, out var pi))
        {
            sb.Append("<p class=\"big\">");
            DiesAt(sb, paths[pi]);
            sb.Append("</p>");
        }
        sb.Append("<p><strong>Cause</strong> (<span class=\"fid\">").Append(H(top.Id)).Append("</span>): ").Append(H(top.Title)).Append("</p>");
        foreach (var step in top.Fix)
            FixBlock(sb, step, "What to run");
        if (top.Fix.Count == 0 && top.Decide.Count > 0)
            foreach (var d in top.Decide) DecideBlock(sb, d);
        if (report.Findings.Count(f => f.Severity == Severity.Error) > 1)
            sb.Append("<p class=\"note\">").Append(H($"{Plural(report.Findings.Count(f => f.Severity == Severity.Error), "error")} in all: see the findings below.")).Append("</p>");
        sb.Append("</section>\n");
    }

    private static void DiesAt(StringBuilder sb, HtmlPath p)
    {
        sb.Append("The packet ").Append(H(p.Label)).Append(' ');
        if (p.Trace.Delivered) { sb.Append("is delivered."); return; }
        sb.Append("dies at <code>").Append(H(p.Failing?.ToString() ?? p.Trace.At ?? p.Trace.Hops.LastOrDefault()?.Node ?? "?")).Append("</code>: ")
          .Append(H(p.Trace.Disposition.ToString())).Append(" — ").Append(H(p.Trace.Reason));
    }

    private static void FixBlock(StringBuilder sb, FixStep step, string heading)
    {
        sb.Append("<div class=\"fix\"><h4>").Append(H(heading)).Append(" on host ").Append(H(step.Host))
          .Append(step.Namespace is null ? "" : ", namespace " + H(step.Namespace)).Append(":</h4>");
        sb.Append("<pre class=\"cmds\">");
        foreach (var c in step.Commands) sb.Append(H(c)).Append('\n');
        sb.Append("</pre>");
        if (step.Note is { } note) sb.Append("<p class=\"note\">").Append(H(note)).Append("</p>");
        sb.Append("</div>");
    }

    private static void DecideBlock(StringBuilder sb, Diagnosis.MissingInput d)
    {
        sb.Append("<div class=\"decide\"><h4>To decide, run on host ").Append(H(d.Host))
          .Append(d.Namespace is null ? "" : ", namespace " + H(d.Namespace)).Append(":</h4><pre class=\"cmds\">")
          .Append(H(d.Command)).Append("</pre><p class=\"note\">").Append(H(d.Why)).Append("</p></div>");
    }

    private static void Where(StringBuilder sb, Topology.Topology t, TopologyView? view, List<string> rest, List<HtmlPath> paths, string heading)
    {
        sb.Append("<section id=\"where\"><h2>").Append(H(heading)).Append("</h2>\n<div class=\"layout\"><div class=\"picture\">");
        HtmlPicture? pic = null;
        if (paths.Count > 1)
        {
            sb.Append("<div class=\"pathbar noprint\" role=\"group\" aria-label=\"path shown\">");
            for (int i = 0; i < paths.Count; i++)
                sb.Append($"<button type=\"button\" data-path=\"{i}\" class=\"{(i == 0 ? "active" : "")}\" aria-pressed=\"{(i == 0 ? "true" : "false")}\">")
                  .Append(H(paths[i].Label)).Append("</button>");
            sb.Append("</div>");
        }
        if (view is not null)
        {
            pic = HtmlPicture.Draw(view, paths);
            sb.Append("<div class=\"svgbox\">").Append(pic.Svg).Append("</div>\n");
            sb.Append("<div class=\"legend\">");
            if (paths.Count > 0) sb.Append("<span><i class=\"p\"></i>the packet's path, hop by hop (numbered)</span><span><i class=\"f\"></i> where it dies</span>");
            sb.Append("<span><i></i>veth / bridge port</span><span><i class=\"t\"></i>VXLAN tunnel</span><span><i class=\"r\"></i>tc redirect, shared subnet</span>")
              .Append("<span>dashed box: device down</span><span class=\"noprint\">hover or click a device for its facts</span></div>\n");
            if (view.Focus is not null && rest.Count > 0)
                sb.Append("<p class=\"note\">").Append(H($"Large input: only the devices around the broken paths are drawn ({Plural(pic.Ids.Count, "device")})."))
                  .Append("</p>");
        }
        else sb.Append("<p class=\"note\">Nothing to draw.</p>");
        if (rest.Count > 0)
        {
            sb.Append("<details class=\"panel\"><summary>").Append(H($"{Plural(rest.Count, "other host")} not drawn")).Append("</summary><p class=\"mono\">")
              .Append(H(string.Join(", ", rest))).Append("</p></details>");
        }
        sb.Append("</div>\n<div class=\"side\">");
        sb.Append("<div class=\"panel facts\" id=\"facts\" hidden></div>");
        for (int i = 0; i < paths.Count; i++) TraceList(sb, t, paths[i], i, pic);
        sb.Append("</div></div>\n");
        if (pic is not null) Facts(sb, t, pic);
        sb.Append("</section>\n");
    }

    private static void TraceList(StringBuilder sb, Topology.Topology t, HtmlPath p, int index, HtmlPicture? pic)
    {
        sb.Append($"<div class=\"panel trace{(index == 0 ? "" : " hidden")}\" data-path=\"{index}\"><h3>")
          .Append(H(p.Label)).Append(": ").Append(H(p.Trace.Disposition.ToString())).Append("</h3><ol class=\"trace\">");
        var lastStep = p.Trace.FinalStep;
        foreach (var hop in p.Trace.Hops)
        {
            var ns = HtmlPath.ResolveNs(t, hop.Host, hop.Namespace);
            sb.Append("<li><div class=\"node\">").Append(H(hop.Node)).Append("</div><ol>");
            foreach (var step in hop.Steps)
            {
                string? dev = null;
                if (pic is not null)
                    foreach (var d in HtmlPath.StepDevices(t, ns, step))
                        if (pic.Ids.TryGetValue(d, out var id)) { dev = id; break; }
                bool fail = !p.Trace.Delivered && ReferenceEquals(step, lastStep);
                if (fail && dev is null && p.Failing is { } fd && pic is not null && pic.Ids.TryGetValue(fd, out var fid)) dev = fid;
                string cls = fail ? "fail" : step.Assumption is not null ? "assumed" : "";
                sb.Append("<li").Append(cls.Length > 0 ? $" class=\"{cls}\"" : "").Append(dev is null ? "" : $" data-dev=\"{dev}\"").Append('>')
                  .Append(fail ? "✖ " : "").Append(HtmlText.WithCommands(step.Text));
                if (step.Evidence is { } ev) sb.Append(" <span class=\"src\">[").Append(H(ev.ToString())).Append("]</span>");
                if (step.Assumption is { } a) sb.Append(" <span class=\"note\">(assumed: ").Append(HtmlText.WithCommands(a)).Append(")</span>");
                sb.Append("</li>");
            }
            sb.Append("</ol></li>");
        }
        sb.Append("</ol>");
        if (p.Trace.Missing is { } m) sb.Append("<p>To decide: ").Append(HtmlText.WithCommands(m.ToString())).Append("</p>");
        sb.Append("</div>\n");
    }

    /// <summary>Each drawn device's facts, hidden; the script shows them in the panel on hover or click.</summary>
    private static void Facts(StringBuilder sb, Topology.Topology t, HtmlPicture pic)
    {
        sb.Append("<div class=\"noprint\" hidden>");
        foreach (var (d, id) in pic.Ids)
        {
            var l = d.Link;
            sb.Append("<div id=\"f-").Append(id).Append("\"><h3><code>").Append(H(l.Name)).Append("</code> on ").Append(H(d.Host.Name))
              .Append(d.Ns.IsRoot ? ", root namespace" : ", netns " + H(d.Ns.DisplayName)).Append("</h3><table>");
            Row(sb, "device", DeviceText.Details(l), l.Source?.ToString());
            if (l.Master is { } master) Row(sb, "master", master, null);
            foreach (var a in l.Addresses) Row(sb, "address", a.Prefix + (a.Scope is { } s ? " scope " + s : ""), a.Source?.ToString());
            int routes = 0;
            foreach (var r in d.Ns.Routes)
                if (r.Device == l.Name && routes++ < 10) Row(sb, "route", r.ToString(), r.Source?.ToString());
            int neigh = 0;
            foreach (var n in d.Ns.Neighbors)
                if (n.Device == l.Name && neigh++ < 10) Row(sb, "neighbour", n.ToString(), n.Source?.ToString());
            int edges = 0;
            foreach (var e in t.EdgesFrom(d))
                if (edges++ < 10) Row(sb, DeviceText.Relation(e.Kind), "→ " + (e.To?.ToString() ?? "? (not in the input)") + " " + e.Label, null);
            foreach (var e in t.EdgesTo(d))
                if (edges++ < 10) Row(sb, DeviceText.Relation(e.Kind), "← " + e.From + " " + e.Label, null);
            sb.Append("</table></div>\n");
        }
        sb.Append("</div>\n");
    }

    private static void Row(StringBuilder sb, string what, string text, string? source)
    {
        sb.Append("<tr><th>").Append(H(what)).Append("</th><td><span class=\"mono\">").Append(H(text)).Append("</span>");
        if (source is not null) sb.Append(" <span class=\"src\">[").Append(H(source)).Append("]</span>");
        sb.Append("</td></tr>");
    }

    private static void FindingSection(StringBuilder sb, Finding f, int index, int path)
    {
        string sev = f.Severity.ToString().ToLowerInvariant();
        bool open = index < 10 && f.Severity != Severity.Info;
        sb.Append($"<details class=\"finding {sev}\" id=\"finding-{index}\"{(open ? " open" : "")}><summary><span class=\"sev {sev}\">{sev}</span>")
          .Append("<span class=\"title\">").Append(H(f.Title)).Append("</span> <span class=\"fid\">").Append(H(f.Id)).Append("</span></summary>\n");
        sb.Append("<p>").Append(HtmlText.WithCommands(f.Explanation)).Append("</p>");
        if (f.Evidence.Count > 0)
        {
            sb.Append("<h4>Evidence</h4><table class=\"ev\"><tr><th>where</th><th>what</th><th>object</th><th>input line</th></tr>");
            foreach (var e in f.Evidence)
                sb.Append("<tr><td class=\"mono\">").Append(H(e.Where)).Append("</td><td>").Append(H(e.Kind)).Append("</td><td class=\"mono\">")
                  .Append(H(e.Text)).Append("</td><td class=\"src\">").Append(H(e.Source?.ToString() ?? "")).Append("</td></tr>");
            sb.Append("</table>");
        }
        if (f.BrokenPaths.Count > 0)
        {
            sb.Append("<p><strong>Broken paths:</strong> <span class=\"mono\">").Append(H(string.Join(", ", f.BrokenPaths.Take(10)))).Append("</span>");
            if (f.BrokenPaths.Count > 10)
                sb.Append(" <details><summary>").Append(H($"and {f.BrokenPaths.Count - 10} more")).Append("</summary><p class=\"mono\">")
                  .Append(H(string.Join(", ", f.BrokenPaths.Skip(10)))).Append("</p></details>");
            if (path >= 0) sb.Append($" <a href=\"#where\" class=\"show-path noprint\" data-show=\"{path}\">show on the picture</a>");
            sb.Append("</p>");
        }
        foreach (var step in f.Fix) FixBlock(sb, step, "Fix");
        if (f.Verification is { } v) sb.Append("<p class=\"note verify\">Fix ").Append(H(v.Summary())).Append("</p>");
        foreach (var d in f.Decide) DecideBlock(sb, d);
        if (f.Trace is { } tr)
        {
            sb.Append("<details><summary>").Append(H($"Trace {tr.From} → {tr.To}: {tr.Disposition}")).Append("</summary><pre>");
            foreach (var h in tr.Hops) sb.Append(H(h)).Append('\n');
            sb.Append("</pre></details>");
        }
        if (f.AlsoSeenAs.Count > 0) sb.Append("<p class=\"note\">Same cause also found by: ").Append(H(string.Join(", ", f.AlsoSeenAs))).Append("</p>");
        sb.Append("</details>\n");
    }

    private static void Assumptions(StringBuilder sb, TopologyView? view, List<HtmlPath> paths, List<Diagnosis.MissingInput> decide, List<string> warnings)
    {
        var fromTraces = new List<(string Node, string Text)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in paths)
        {
            foreach (var hop in p.Trace.Hops)
                foreach (var s in hop.Steps)
                    if (s.Assumption is { } a && seen.Add(hop.Node + "\0" + a)) fromTraces.Add((hop.Node, a));
            foreach (var a in p.Trace.Assumptions)
                if (seen.Add("\0" + a)) fromTraces.Add(("", a));
            if (p.Trace.Missing is { } m && seen.Add("\0" + m)) fromTraces.Add(("", m.ToString()));
        }
        var topo = view?.Assumptions ?? [];
        sb.Append("<section id=\"assumptions\"><h2>Assumptions and missing inputs</h2>\n");
        if (topo.Count == 0 && fromTraces.Count == 0 && decide.Count == 0 && warnings.Count == 0)
        {
            sb.Append("<p>None: the input decided everything shown.</p></section>\n");
            return;
        }
        if (decide.Count > 0)
        {
            sb.Append("<h3>Commands whose output would decide what the input leaves open</h3>");
            foreach (var d in decide) DecideBlock(sb, d);
        }
        if (fromTraces.Count > 0)
        {
            sb.Append("<h3>What the traces assumed</h3><ul class=\"plain\">");
            foreach (var (node, text) in fromTraces)
                sb.Append("<li>").Append(node.Length > 0 ? "<span class=\"mono\">" + H(node) + "</span>: " : "").Append(HtmlText.WithCommands(text)).Append("</li>");
            sb.Append("</ul>");
        }
        if (topo.Count > 0)
        {
            sb.Append("<h3>What the topology assumed</h3><ul class=\"plain\">");
            foreach (var a in topo)
                sb.Append("<li>").Append(HtmlText.WithCommands(a.ToString())).Append(a.Source is { } s ? " <span class=\"src\">[" + H(s.ToString()) + "]</span>" : "").Append("</li>");
            sb.Append("</ul>");
        }
        if (warnings.Count > 0)
        {
            sb.Append("<details><summary>").Append(H($"{Plural(warnings.Count, "input warning")}: the model may be incomplete where they point")).Append("</summary><ul class=\"plain\">");
            foreach (var w in warnings.Take(500)) sb.Append("<li class=\"mono\">").Append(H(w)).Append("</li>");
            if (warnings.Count > 500) sb.Append("<li>").Append(H($"and {warnings.Count - 500} more")).Append("</li>");
            sb.Append("</ul></details>");
        }
        sb.Append("</section>\n");
    }

    private static void Head(StringBuilder sb, string title)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(HtmlAssets.ContentSecurityPolicy).Append("\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\">")
          .Append("<title>").Append(H(title)).Append("</title>\n<style>").Append(HtmlAssets.Css).Append("</style></head>\n<body>\n");
    }

    private static void Foot(StringBuilder sb, string? version)
    {
        sb.Append("<footer>Generated by netsleuth").Append(version is null ? "" : " " + H(version))
          .Append(". Every fact names the input file and line it came from; hover or click a device in the picture for its facts.</footer>\n");
        sb.Append("<script>").Append(HtmlAssets.Js).Append("</script>\n</body></html>\n");
    }

    private static string H(string? s) => HtmlText.Escape(s);
    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
