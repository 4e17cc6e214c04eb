using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #4: devices glued together by tc mirred (pod eth0 ⇄ tunnel) need a redirect in each
/// direction. A redirect E → T without T → E back (or with T → somewhere else) gives one-way traffic.
/// A redirect to a device that is not in the namespace is reported too (row 17 when the device sits
/// in another namespace of the host).
/// </summary>
internal sealed class MirredRedirectCheck : ICheck
{
    public string Id => "tc-redirect-missing, tc-redirect-target-missing";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        foreach (var ns in ctx.Namespaces)
        {
            if (ns.Ns.Filters.Count == 0) continue;
            foreach (var f in ns.Ns.Filters)
            {
                if (f.Direction != "ingress" || f.MatchesAll != true) continue;
                if (ctx.Topology.Device(ns, f.Device) is not { } e) continue;
                foreach (var a in f.Actions)
                {
                    if (a.Kind != "mirred" || a.MirredAction != "redirect" || a.TargetDevice is not { } target) continue;
                    var t = ctx.Topology.Device(ns, target);
                    if (t is null) { yield return Missing(ctx, ns, f, e, target); continue; }
                    if (!IsGlue(e, t)) continue;
                    if (Back(ctx, t) is var (back, backFilter) && back == e.Link.Name) continue;
                    yield return OneWay(ns, f, e, t, Back(ctx, t));
                }
            }
        }
    }

    /// <summary>Pairs that carry traffic both ways: a tunnel or a veth/tap on either side (an ifb only ever takes one way).</summary>
    private static bool IsGlue(DeviceRef e, DeviceRef t) =>
        t.Link.Kind != LinkKinds.Ifb && e.Link.Kind != LinkKinds.Ifb &&
        (t.Link.Kind is LinkKinds.Vxlan or LinkKinds.Geneve || e.Link.Kind is LinkKinds.Vxlan or LinkKinds.Geneve ||
         (t.Link.Kind is LinkKinds.Veth or LinkKinds.Tun && e.Link.Kind is LinkKinds.Veth or LinkKinds.Tun));

    private static (string Target, TcFilter Filter)? Back(DiagnosisContext ctx, DeviceRef t)
    {
        foreach (var f in t.Ns.Filters)
        {
            if (f.Device != t.Link.Name || f.Direction != "ingress" || f.MatchesAll != true) continue;
            foreach (var a in f.Actions)
                if (a.Kind == "mirred" && a.MirredAction == "redirect" && a.TargetDevice is { } x) return (x, f);
        }
        return null;
    }

    private Finding OneWay(NsRef ns, TcFilter f, DeviceRef e, DeviceRef t, (string Target, TcFilter Filter)? wrong)
    {
        var commands = new List<string>();
        bool hasIngress = ns.Ns.Qdiscs.Any(q => q.Device == t.Link.Name && q.Kind is "ingress" or "clsact");
        if (!ns.Ns.IsKnown(Sections.Tc) || !hasIngress) commands.Add(NsCommand.Tc(ns, "qdisc", "replace", "dev", t.Link.Name, "ingress"));
        if (wrong is { Filter.Pref: { } pref })
            commands.Add(NsCommand.Tc(ns, "filter", "del", "dev", t.Link.Name, "parent", "ffff:", "pref", pref.ToString(CultureInfo.InvariantCulture)));
        commands.Add(NsCommand.Tc(ns, "filter", "add", "dev", t.Link.Name, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
            "action", "mirred", "egress", "redirect", "dev", e.Link.Name));
        var evidence = new List<Evidence> { Ev.Filter(ns, f), Ev.Device(t, wrong is null ? "no ingress redirect back" : $"ingress redirects to {wrong.Value.Target}") };
        if (wrong is { } w) evidence.Add(Ev.Filter(ns, w.Filter));
        return new Finding
        {
            Id = wrong is null ? "tc-redirect-missing" : "tc-redirect-wrong",
            Severity = Severity.Error,
            Title = wrong is null
                ? $"{ns}: tc redirects {e.Link.Name} → {t.Link.Name}, but nothing redirects {t.Link.Name} → {e.Link.Name}"
                : $"{ns}: {t.Link.Name}'s ingress redirect goes to {wrong.Value.Target}, not back to {e.Link.Name}",
            Explanation = $"Every frame arriving on {e.Link.Name} is redirected out of {t.Link.Name}, so the two devices act as one link. " +
                $"Frames arriving on {t.Link.Name} (the replies) " + (wrong is null ? "have no redirect and go to " + ns + "'s own stack, where nothing expects them"
                    : $"are sent to {wrong.Value.Target}") +
                $": traffic flows one way only. Add the redirect from {t.Link.Name}'s ingress back to {e.Link.Name}.",
            Evidence = evidence,
            Fix = [NsCommand.Step(ns, commands)],
            RootCause = $"tc:{t.Key}",
            Devices = [t, e],
        };
    }

    private static Finding Missing(DiagnosisContext ctx, NsRef ns, TcFilter f, DeviceRef e, string target)
    {
        var elsewhere = ns.Host.Namespaces.Where(n => n != ns.Ns).Select(n => ctx.Topology.Device(ns.Host, n, target)).FirstOrDefault(x => x is not null);
        if (elsewhere is not null)
        {
            var other = elsewhere.Namespace;
            var inNs = ns.Ns.Name ?? (ns.Ns.IsRoot ? "1" : "PID");
            return new Finding
            {
                Id = "device-wrong-namespace",
                Severity = Severity.Error,
                Title = $"{ns}: tc redirects {e.Link.Name} to {target}, which is in {other}, not here",
                Explanation = $"The redirect's target {target} is not a device of {ns}; a device of that name is in {other}. " +
                    "tc mirred only reaches devices of its own namespace, so the frames are dropped. Move the device where the design expects it.",
                Evidence = [Ev.Filter(ns, f), Ev.Device(elsewhere)],
                Fix = [NsCommand.Step(other, [NsCommand.Ip(other, "link", "set", "dev", target, "netns", inNs)]),
                       NsCommand.Step(ns, [NsCommand.Ip(ns, "link", "set", "dev", target, "up")])],
                RootCause = $"ns:{elsewhere.Key}",
                Devices = [elsewhere, e],
            };
        }
        return new Finding
        {
            Id = "tc-redirect-target-missing",
            Severity = Severity.Error,
            Title = $"{ns}: tc redirects {e.Link.Name} to {target}, which does not exist",
            Explanation = $"Every frame arriving on {e.Link.Name} is redirected to {target}, but {ns} has no such device (nor does any namespace of {ns.Host.Name} in the input): the frames are dropped.",
            Evidence = [Ev.Filter(ns, f), Ev.Device(e)],
            Decide = [DiagnosisContext.Need(ns, "ip -d link show", $"shows whether {target} exists under another name")],
            RootCause = $"tc:{e.Key}",
            Devices = [e],
        };
    }
}
