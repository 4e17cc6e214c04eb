using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>
/// Commands that recreate a VXLAN device with another VNI or port (the kernel cannot change either in
/// place): delete it, add it in its underlay namespace, move it back, and restore MAC, MTU, addresses,
/// state, routes and the tc redirects that pointed at it.
/// </summary>
internal static class VxlanRecreate
{
    private static string S(int n) => n.ToString(CultureInfo.InvariantCulture);

    public static List<FixStep> Steps(DeviceRef d, NsRef? underlay, uint? vni = null, int? port = null)
    {
        var vx = d.Link.Vxlan!;
        var ns = d.Namespace;
        var u = underlay ?? ns;
        var steps = new List<FixStep>();
        var add = new List<string> { "link", "add", d.Link.Name };
        if (d.Link.Mtu is { } mtu) add.AddRange(["mtu", S(mtu)]);
        add.AddRange(["type", "vxlan", "id", (vni ?? vx.Vni ?? 0).ToString(CultureInfo.InvariantCulture)]);
        if (vx.Remote is { } r) add.AddRange(["remote", r.ToString()]);
        if (vx.Group is { } g) add.AddRange(["group", g.ToString()]);
        if (vx.Local is { } l) add.AddRange(["local", l.ToString()]);
        if (vx.UnderlayDevice is { } dev) add.AddRange(["dev", dev]);
        add.AddRange(["dstport", S(port ?? vx.DstPort ?? 8472)]);
        if (vx.Learning == false) add.Add("nolearning");
        if (vx.Ttl is { } ttl && ttl > 0) add.AddRange(["ttl", S(ttl)]);

        var first = new List<string> { NsCommand.Ip(ns, "link", "del", "dev", d.Link.Name) };
        if (u.Ns == ns.Ns)
        {
            first.Add(NsCommand.Ip(ns, [.. add]));
            steps.Add(NsCommand.Step(ns, first));
        }
        else
        {
            steps.Add(NsCommand.Step(ns, first));
            steps.Add(NsCommand.Step(u, [NsCommand.Ip(u, [.. add]),
                NsCommand.Ip(u, "link", "set", "dev", d.Link.Name, "netns", NsCommand.NetnsArg(ns))]));
        }
        var after = DeviceRestore.Commands(d);
        steps.Add(NsCommand.Step(ns, after));
        return steps;
    }

    /// <summary>`tc filter add` words for a match-all filter whose actions are mirred only; null for anything else.</summary>
    public static string[]? FilterArgs(TcFilter f)
    {
        if (f.MatchesAll != true || f.Actions.Count == 0 || f.Actions.Any(a => a.Kind != "mirred" || a.TargetDevice is null)) return null;
        var w = new List<string> { "filter", "add", "dev", f.Device, "parent", f.Direction == "ingress" ? "ffff:" : f.Parent ?? "root" };
        if (f.Pref is { } p) w.AddRange(["pref", S(p)]);
        w.AddRange(["protocol", f.Protocol ?? "all", "u32", "match", "u32", "0", "0"]);
        foreach (var a in f.Actions)
            w.AddRange(["action", "mirred", a.MirredDirection ?? "egress", a.MirredAction ?? "redirect", "dev", a.TargetDevice!]);
        return [.. w];
    }
}
