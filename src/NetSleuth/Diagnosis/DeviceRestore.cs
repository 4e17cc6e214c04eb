using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>
/// After a device is deleted and made again: the commands that give it back what the model shows —
/// MAC, addresses, state, the routes through it, its permanent neighbours and static VXLAN FDB entries, its tc qdiscs and filters, and the filters elsewhere
/// in its namespace that redirected to it (a mirred target does not come back with a new device).
/// </summary>
internal static class DeviceRestore
{
    public static List<string> Commands(DeviceRef d)
    {
        var ns = d.Namespace;
        var after = new List<string>();
        if (d.Link.Mac is { } mac) after.Add(NsCommand.Ip(ns, "link", "set", "dev", d.Link.Name, "address", mac.ToString()));
        foreach (var a in d.Link.Addresses.Where(DiagnosisContext.IsGlobal))
            after.Add(NsCommand.Ip(ns, "addr", "add", a.Prefix.ToString(), "dev", d.Link.Name));
        if (d.Link.IsUp) after.Add(NsCommand.Ip(ns, "link", "set", "dev", d.Link.Name, "up"));
        foreach (var route in MacFix.RoutesThrough(d)) after.Add(NsCommand.Ip(ns, NsCommand.RouteArgs(route)));
        foreach (var n in d.Ns.Neighbors.Where(n => n.Device == d.Link.Name && n.Mac is not null && n.State.Contains("PERMANENT")))
            after.Add(NsCommand.Ip(ns, "neigh", "replace", n.Address.ToString(), "lladdr", n.Mac!.Value.ToString(), "dev", d.Link.Name, "nud", "permanent"));
        if (d.Link.Kind == LinkKinds.Vxlan)
            foreach (var f in d.Ns.Fdb.Where(f => f.Device == d.Link.Name && f.Dst is not null && (f.Master is null || f.Flags.Contains("self"))))
                if (FdbArgs(d, f) is { } args) after.Add(NsCommand.Bridge(ns, args));
        foreach (var q in d.Ns.Qdiscs.Where(q => q.Device == d.Link.Name && q.Kind is "ingress" or "clsact"))
            after.Add(NsCommand.Tc(ns, "qdisc", "add", "dev", d.Link.Name, q.Kind));
        foreach (var f in d.Ns.Filters)
        {
            bool own = f.Device == d.Link.Name;
            bool toIt = f.Actions.Any(a => a.Kind == "mirred" && a.TargetDevice == d.Link.Name);
            if (!own && !toIt) continue;
            if (VxlanRecreate.FilterArgs(f) is not { } args) continue;
            if (!own && f.Pref is { } pref)
                after.Add(NsCommand.Tc(ns, "filter", "del", "dev", f.Device, "parent", f.Parent ?? "ffff:", "pref", pref.ToString(CultureInfo.InvariantCulture)));
            after.Add(NsCommand.Tc(ns, args));
        }
        return after;
    }

    /// <summary>`bridge fdb append` words that put a static VXLAN FDB entry back; null for learnt entries and for the one `remote` makes.</summary>
    private static string[]? FdbArgs(DeviceRef d, FdbEntry f)
    {
        if (f.Mac.IsZero && d.Link.Vxlan?.Remote is { } remote && remote.Equals(f.Dst)) return null;
        string? state = f.Flags.Contains("permanent") ? "permanent" : f.Flags.Contains("static") ? "static" : null;
        if (state is null) return null;
        var w = new List<string> { "fdb", "append", f.Mac.ToString(), "dev", d.Link.Name, "dst", f.Dst!.ToString() };
        if (f.Vni is { } vni) w.AddRange(["vni", vni.ToString(CultureInfo.InvariantCulture)]);
        if (f.Port is { } port) w.AddRange(["port", port.ToString(CultureInfo.InvariantCulture)]);
        w.AddRange(["self", state]);
        return [.. w];
    }
}
