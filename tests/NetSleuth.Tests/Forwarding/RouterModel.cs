using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Forwarding;

/// <summary>
/// Host "h": client namespace c (eth0 198.18.1.10/24) — router r (r-c 198.18.1.1/24, r-s 198.18.2.1/24,
/// ip_forward on) — server s (eth0 198.18.2.20/24), all joined by veth pairs, default routes via the router.
/// The shape of the bridge-pods lab's router leg.
/// </summary>
internal sealed class RouterModel
{
    public const string ServerIp = "198.18.2.20";
    public const string ClientIp = "198.18.1.10";

    public HostBuilder B { get; } = new("h");
    public NetNamespace C { get; }
    public NetNamespace R { get; }
    public NetNamespace S { get; }

    public RouterModel()
    {
        C = B.Ns("c");
        R = B.Ns("r");
        S = B.Ns("s");
        var (cEth, rc) = B.Veth(C, "eth0", "02:00:00:00:01:0a", R, "r-c", "02:00:00:00:01:01");
        var (sEth, rs) = B.Veth(S, "eth0", "02:00:00:00:02:14", R, "r-s", "02:00:00:00:02:01");
        B.Addr(C, cEth, ClientIp + "/24");
        B.Addr(R, rc, "198.18.1.1/24");
        B.Addr(R, rs, "198.18.2.1/24");
        B.Addr(S, sEth, ServerIp + "/24");
        B.Route(C, "default", "198.18.1.1", "eth0");
        B.Route(S, "default", "198.18.2.1", "eth0");
        R.Sysctls["net.ipv4.ip_forward"] = "1";
    }

    public Link Link(NetNamespace ns, string name) => ns.FindLink(name)!;

    public TraceResult Trace(string to = ServerIp, Func<TraceRequest, TraceRequest>? with = null)
    {
        var t = NetSleuth.Topology.Linker.Link(new Snapshot { Hosts = [B.Host] });
        var request = new TraceRequest("h", "c", null, System.Net.IPAddress.Parse(to));
        return Tracer.Trace(t, with is null ? request : with(request));
    }

    /// <summary>An iptables table in the namespace with built-in chains (policy ACCEPT unless given) and rules "-A CHAIN args… -j T".</summary>
    public static void Iptables(NetNamespace ns, string table, Dictionary<string, string>? policies, params string[] rules)
    {
        ns.Known.Add(Sections.Iptables);
        var t = new IptablesTable { Name = table };
        foreach (var c in new[] { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" })
            t.Chains.Add(new IptablesChain { Name = c, Policy = policies?.GetValueOrDefault(c) ?? "ACCEPT" });
        foreach (var r in rules)
        {
            // split on spaces, keeping "quoted parts" whole as iptables-save parsers do
            var words = System.Text.RegularExpressions.Regex.Matches(r, "\"[^\"]*\"|\\S+").Select(x => x.Value).ToArray();
            var rule = new IptablesRule { Chain = words[1], Args = [.. words[2..]] };
            int j = Array.IndexOf(words, "-j"), g = Array.IndexOf(words, "-g");
            if (j > 0) rule.Target = words[j + 1];
            if (g > 0) { rule.Target = words[g + 1]; rule.IsGoto = true; }
            if (rule.Target is { } target && !t.Chains.Any(c => c.Name == target) &&
                target is not ("ACCEPT" or "DROP" or "REJECT" or "RETURN" or "LOG"))
                t.Chains.Add(new IptablesChain { Name = target });
            t.Rules.Add(rule);
        }
        ns.Iptables.Add(t);
    }
}
