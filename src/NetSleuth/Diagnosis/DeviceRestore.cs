using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>
/// After a device is deleted and made again: the commands that give it back what the model shows —
/// MAC, addresses, state, the routes through it, its tc qdiscs and filters, and the filters elsewhere
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
}
