using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>Evidence lines for the model's objects, each with the input line it came from.</summary>
internal static class Ev
{
    private static string? NsName(NsRef ns) => ns.Ns.IsRoot ? null : ns.Ns.DisplayName;

    public static Evidence Device(DeviceRef d, string? note = null) =>
        new(d.Host.Name, NsName(d.Namespace), "device", Describe(d.Link) + (note is null ? "" : " — " + note), d.Link.Source);

    public static string Describe(Link l)
    {
        var parts = new List<string> { l.Name };
        if (l.Kind is { } k)
        {
            var detail = k;
            if (l.Vxlan is { } vx)
                detail += $" id {vx.Vni?.ToString() ?? "?"}" + (vx.Remote is null ? "" : $" remote {vx.Remote}") +
                    (vx.Local is null ? "" : $" local {vx.Local}") + $" dstport {vx.DstPort?.ToString() ?? "?"}";
            parts.Add($"({detail})");
        }
        if (l.Mac is { } mac) parts.Add($"mac {mac}");
        if (l.Mtu is { } mtu) parts.Add($"mtu {mtu}");
        parts.Add(l.Flags.Count == 0 && l.OperState is null ? "state unknown" : l.IsUp ? (l.HasCarrier ? "UP" : "UP NO-CARRIER") : "DOWN");
        if (l.IsPromiscuous) parts.Add("PROMISC");
        if (l.Master is { } m) parts.Add($"master {m}");
        return string.Join(' ', parts);
    }

    public static Evidence Neighbor(NsRef ns, Neighbor n) =>
        new(ns.Host.Name, NsName(ns), "neighbour", n.ToString(), n.Source);

    public static Evidence Route(NsRef ns, Route r) =>
        new(ns.Host.Name, NsName(ns), "route", r.ToString(), r.Source);

    public static Evidence Rule(NsRef ns, Rule r) =>
        new(ns.Host.Name, NsName(ns), "rule", r.ToString(), r.Source);

    public static Evidence Filter(NsRef ns, TcFilter f)
    {
        var acts = string.Join(", ", f.Actions.Select(a => a.Kind == "mirred"
            ? $"mirred {a.MirredDirection ?? "egress"} {a.MirredAction ?? "redirect"} dev {a.TargetDevice}" : a.Kind));
        return new(ns.Host.Name, NsName(ns), "tc filter", $"dev {f.Device} {f.Direction} {f.Kind ?? "filter"}" + (acts.Length > 0 ? $": {acts}" : ""), f.Source);
    }

    public static Evidence Address(DeviceRef d, IfAddress a) =>
        new(d.Host.Name, NsName(d.Namespace), "address", $"{a.Prefix} dev {d.Link.Name}", a.Source ?? d.Link.Source);

    public static Evidence Sysctl(NsRef ns, string key, string? value) =>
        new(ns.Host.Name, NsName(ns), "sysctl", $"{key} = {value ?? "(not in the input)"}", null);

    public static Evidence Text(NsRef ns, string kind, string text, SourceRef? source = null) =>
        new(ns.Host.Name, NsName(ns), kind, text, source);
}
