using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Util;

namespace NetSleuth.Diagnosis;

/// <summary>
/// Fix commands that run inside a given namespace, shell-quoted: `ip -n NAME …` / `tc -n NAME …` for
/// a named namespace (also a lab host's root stand-in), plain `ip …` in a machine's root namespace,
/// `nsenter -t PID -n …` for an unnamed container namespace with a known process.
/// </summary>
internal static class NsCommand
{
    public static string Ip(NsRef ns, params string[] args) => Tool(ns, "ip", args);

    public static string Tc(NsRef ns, params string[] args) => Tool(ns, "tc", args);

    /// <summary>`bridge` (iproute2's, which takes `-n NAME` like ip and tc).</summary>
    public static string Bridge(NsRef ns, params string[] args) => Tool(ns, "bridge", args);

    /// <summary>Any other program (sysctl, iptables, nft) run in the namespace.</summary>
    public static string Exec(NsRef ns, params string[] args)
    {
        if (ns.Ns.Name is { } name) return Shell.Join(["ip", "netns", "exec", name, .. args]);
        if (ns.Ns.IsRoot) return Shell.Join(args);
        return Shell.Join([.. Nsenter(ns), .. args]);
    }

    /// <summary>The namespace as the finding's FixStep names it (null = root).</summary>
    public static string? Label(NsRef ns) => ns.Ns.IsRoot && ns.Ns.Name is null ? null : ns.Ns.DisplayName;

    /// <summary>A note for steps whose namespace can only be entered by a process id that the input lacks.</summary>
    public static string? Note(NsRef ns) =>
        ns.Ns.Name is null && !ns.Ns.IsRoot && ns.Ns.Processes.Count == 0
            ? $"namespace {ns.Ns.Id} has no name and the input names no process in it: replace PID by one (`lsns -t net` on {ns.Host.Name})"
            : null;

    public static FixStep Step(NsRef ns, IReadOnlyList<string> commands, string? note = null) =>
        new(ns.Host.Name, Label(ns), commands, note ?? Note(ns));

    private static string Tool(NsRef ns, string tool, string[] args)
    {
        if (ns.Ns.Name is { } name) return Shell.Join([tool, "-n", name, .. args]);
        if (ns.Ns.IsRoot) return Shell.Join([tool, .. args]);
        return Shell.Join([.. Nsenter(ns), tool, .. args]);
    }

    private static string[] Nsenter(NsRef ns)
    {
        var pid = ns.Ns.Processes.Count > 0 ? ns.Ns.Processes[0].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "PID";
        return ["nsenter", "-t", pid, "-n"];
    }

    /// <summary>The word `ip link … netns X` takes for the namespace: its name, else the id of a process in it (iproute2
    /// takes either), else the placeholder PID that leaves the fix unverified.</summary>
    public static string NetnsArg(NsRef ns) =>
        ns.Ns.Name ?? (ns.Ns.Processes.Count > 0 ? ns.Ns.Processes[0].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "PID");

    /// <summary>`ip route replace` arguments that recreate the route as it is in the model.</summary>
    public static string[] RouteArgs(Route r)
    {
        var a = new List<string> { "route", "replace" };
        if (r.Type != RouteTypes.Unicast) a.Add(r.Type);
        a.Add(r.Destination.ToRouteString());
        if (r.Gateway is { } gw) a.AddRange(["via", gw.ToString()]);
        if (r.Device is { } dev) a.AddRange(["dev", dev]);
        if (r.Table != RouteTables.Main) a.AddRange(["table", RouteTables.Name(r.Table)]);
        if (r.Protocol is { } p && p != "boot" && p != "kernel") a.AddRange(["proto", p]);
        if (r.Scope is { } s && s != "global" && s != "universe" && r.Gateway is null && s != "link") a.AddRange(["scope", s]);
        if (r.PrefSrc is { } src) a.AddRange(["src", src.ToString()]);
        if (r.Metric is { } m && m != 0) a.AddRange(["metric", m.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (r.Mtu is { } mtu) a.AddRange(["mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (r.Flags.Contains("onlink")) a.Add("onlink");
        return [.. a];
    }
}
