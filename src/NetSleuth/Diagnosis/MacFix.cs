using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>Commands that give a device another MAC: link down, address, link up, and the routes the link-down removed.</summary>
internal static class MacFix
{
    public static (FixStep Step, IReadOnlyList<Route> Restored) For(DeviceRef b, MacAddress mac)
    {
        var ns = b.Namespace;
        var commands = new List<string>
        {
            NsCommand.Ip(ns, "link", "set", "dev", b.Link.Name, "down"),
            NsCommand.Ip(ns, "link", "set", "dev", b.Link.Name, "address", mac.ToString()),
            NsCommand.Ip(ns, "link", "set", "dev", b.Link.Name, "up"),
        };
        var restored = RoutesThrough(b);
        foreach (var r in restored) commands.Add(NsCommand.Ip(ns, NsCommand.RouteArgs(r)));
        return (NsCommand.Step(ns, commands), restored);
    }

    /// <summary>Routes a link-down of the device removes and the kernel does not put back on link up (all but the connected ones).</summary>
    public static List<Route> RoutesThrough(DeviceRef b) =>
        b.Ns.Routes.Where(r => r.Device == b.Link.Name && r.Table != RouteTables.Local && r.Protocol != "kernel" &&
            r.Type is RouteTypes.Unicast && !r.Flags.Contains("linkdown")).ToList();
}
