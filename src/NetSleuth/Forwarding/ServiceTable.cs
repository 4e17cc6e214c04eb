using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>The Services one namespace's kube-proxy rules program, read from the rules the evaluator runs: the
/// endpoints DNAT rules (iptables, nft) and IPVS real servers name, the Service addresses, and the rules that reject a
/// Service for having no endpoints (kube-proxy's "has no endpoints" REJECT, nft's no-endpoint maps, an IPVS virtual
/// service with no real servers).</summary>
internal static class ServiceTable
{
    /// <summary>A Service port without endpoints: its address and port as the rule names them, the rule, and where.</summary>
    public sealed record NoEndpoints(string Name, IPAddress? Address, int? Port, string Protocol, string Rule, SourceRef? Source);

    /// <summary>A Service port as kube-proxy serves it (its ClusterIP, port and protocol), the rule or element that
    /// dispatches it, and where that came from.</summary>
    public sealed record Frontend(string Name, IPAddress Address, int Port, string Protocol, string Rule, SourceRef? Source);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IptablesTable, List<Frontend>> IptablesFrontends = new();

    /// <summary>The Service ports the namespace's kube-proxy translates: iptables nat KUBE-SERVICES rules jumping to a
    /// KUBE-SVC-/KUBE-SVL- chain (`-d IP/32 -p PROTO --dport PORT`), the elements of nft's service-ips map, IPVS virtual
    /// services with real servers. An iptables table shared by many nodes (identical rules) is read once.</summary>
    public static List<Frontend> Frontends(NetNamespace ns)
    {
        var list = new List<Frontend>();
        foreach (var t in ns.Iptables)
            if (t.Name == "nat" && t.Family == "ipv4") list.AddRange(IptablesFrontends.GetValue(t, ReadFrontends));
        if (ns.Nftables is { } rs)
            foreach (var set in rs.Sets)
            {
                if (set.Name != "service-ips" || set.MapType != "verdict") continue;
                foreach (var e in set.Elements)
                {
                    var parts = e.Key.Split(" . ");
                    if (parts.Length != 3 || !IPAddress.TryParse(parts[0].Trim(), out var a) || !int.TryParse(parts[2].Trim(), out var port)) continue;
                    list.Add(new Frontend(e.Comment ?? NftServiceName(e.Value) ?? e.Key, a, port, parts[1].Trim(), $"element {e.Key} : {e.Value} of map {set.Name}", set.Source ?? rs.Source));
                }
            }
        foreach (var s in ns.Ipvs)
            if (s.Destinations.Count > 0 && s.Address is not null && s.Port is { } vp)
                list.Add(new Frontend($"IPVS {s}", s.Address, vp, s.Protocol, $"virtual service {s}", s.Source));
        return list;
    }

    /// <summary>"default/web/tcp/http" from kube-proxy's verdict "goto service-CDGGSHYL-default/web/tcp/http".</summary>
    private static string? NftServiceName(string? verdict)
    {
        if (verdict is null) return null;
        var v = verdict.StartsWith("goto ", StringComparison.Ordinal) ? verdict[5..] : verdict;
        if (!v.StartsWith("service-", StringComparison.Ordinal)) return v;
        int dash = v.IndexOf('-', 8);
        return dash > 0 && dash + 1 < v.Length ? v[(dash + 1)..] : v;
    }

    private static List<Frontend> ReadFrontends(IptablesTable t)
    {
        var list = new List<Frontend>();
        foreach (var r in t.Rules)
        {
            if (r.Chain != "KUBE-SERVICES" || r.Target is not { } target || !(target.StartsWith("KUBE-SVC-", StringComparison.Ordinal) || target.StartsWith("KUBE-SVL-", StringComparison.Ordinal))) continue;
            var (_, dst) = IptablesEval.Addresses(r);
            int dp = r.Args.IndexOf("--dport"), pi = r.Args.IndexOf("-p"), c = r.Args.IndexOf("--comment");
            if (dst.Count != 1 || dst[0].Length != 32 || dp < 0 || dp + 1 >= r.Args.Count || pi < 0 || pi + 1 >= r.Args.Count ||
                !int.TryParse(r.Args[dp + 1], out var port)) continue;
            var name = c >= 0 && c + 1 < r.Args.Count ? r.Args[c + 1].Trim('"') : target;
            if (name.EndsWith(" cluster IP", StringComparison.Ordinal)) name = name[..^" cluster IP".Length];
            list.Add(new Frontend(name, dst[0].Address, port, r.Args[pi + 1], r.ToString(), r.Source ?? t.Source));
        }
        return list;
    }

    /// <summary>The DNAT rules' endpoints of a nat table, in rule order, made once per table: the nodes of a cluster share
    /// kube-proxy's table when it is the same text (RuleSharing). Made again when the table's rule list is not the one
    /// they were made from (as <see cref="IptablesIndex"/>: a what-if edits a copy).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IptablesTable, NatEndpointList> NatEndpoints = new();

    /// <summary>Drops what was made of a table an edit changes.</summary>
    public static void Invalidate(IptablesTable t) => NatEndpoints.Remove(t);

    private sealed record NatEndpointList(List<IptablesRule> Rules, int Count, List<(IPAddress, int?)> Endpoints);

    private static List<(IPAddress, int?)> DnatEndpoints(IptablesTable t)
    {
        if (NatEndpoints.TryGetValue(t, out var made) && ReferenceEquals(made.Rules, t.Rules) && made.Count == t.Rules.Count) return made.Endpoints;
        var list = new List<(IPAddress, int?)>();
        foreach (var r in t.Rules)
            if (r.Target == "DNAT" && IptablesNat.Action(t, r) is { Address: { } a } act) list.Add((a, act.Port));
        NatEndpoints.AddOrUpdate(t, new NatEndpointList(t.Rules, t.Rules.Count, list));
        return list;
    }

    /// <summary>Every endpoint (address and port) a DNAT rule or IPVS real server of the namespace names.</summary>
    public static HashSet<(IPAddress, int?)> Endpoints(NetNamespace ns)
    {
        var set = new HashSet<(IPAddress, int?)>();
        foreach (var t in ns.Iptables)
        {
            if (t.Name != "nat") continue;
            foreach (var e in DnatEndpoints(t)) set.Add(e);
        }
        if (ns.Nftables is { } rs)
            foreach (var r in rs.Rules)
            {
                if (r.Text is not { } text) continue;
                int at = text.IndexOf("dnat to ", StringComparison.Ordinal);
                if (at < 0) { at = text.IndexOf("dnat ip to ", StringComparison.Ordinal); if (at >= 0) at += 3; }
                if (at < 0) continue;
                var spec = text[(at + 8)..].Split(' ')[0];
                if (Nat.TryParseTarget(spec, out var a, out var p, out _) && a is not null) set.Add((a, p));
            }
        foreach (var s in ns.Ipvs)
            foreach (var d in s.Destinations) set.Add((d.Address, d.Port));
        return set;
    }

    /// <summary>Whether an address is a Service address of the namespace: a -d X/32 of a KUBE-SERVICES rule, an element of
    /// nft's cluster-ips / service-ips, an IPVS virtual address.</summary>
    public static bool IsServiceAddress(NetNamespace ns, IPAddress a)
    {
        foreach (var s in ns.Ipvs) if (a.Equals(s.Address)) return true;
        var host = a + "/32";
        foreach (var t in ns.Iptables)
            foreach (var r in t.Rules)
                if (r.Chain is "KUBE-SERVICES" or "KUBE-EXTERNAL-SERVICES" && r.Args.Contains(host)) return true;
        if (ns.Nftables is { } rs)
            foreach (var set in rs.Sets)
                if (set.Name is "cluster-ips" or "service-ips" or "no-endpoint-services")
                    foreach (var e in set.Elements)
                        if (e.Key == a.ToString() || e.Key.StartsWith(a + " . ", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The Service ports kube-proxy rejects for having no endpoints.</summary>
    public static List<NoEndpoints> WithoutEndpoints(NetNamespace ns)
    {
        var list = new List<NoEndpoints>();
        foreach (var t in ns.Iptables)
        {
            if (t.Name != "filter") continue;
            foreach (var r in t.Rules)
            {
                if (r.Target != "REJECT" || r.Chain is not ("KUBE-SERVICES" or "KUBE-EXTERNAL-SERVICES")) continue;
                int c = r.Args.IndexOf("--comment");
                var comment = c >= 0 && c + 1 < r.Args.Count ? r.Args[c + 1].Trim('"') : "";
                if (!comment.EndsWith("has no endpoints", StringComparison.Ordinal)) continue;
                var (_, dst) = IptablesEval.Addresses(r);
                int? port = null;
                int dp = r.Args.IndexOf("--dport");
                if (dp >= 0 && dp + 1 < r.Args.Count && int.TryParse(r.Args[dp + 1], out var pn)) port = pn;
                int pi = r.Args.IndexOf("-p");
                var proto = pi >= 0 && pi + 1 < r.Args.Count ? r.Args[pi + 1] : "tcp";
                list.Add(new NoEndpoints(comment[..^"has no endpoints".Length].Trim(), dst.Count > 0 ? dst[0].Address : null, port, proto,
                    r.ToString(), r.Source));
            }
        }
        if (ns.Nftables is { } rs)
            foreach (var set in rs.Sets)
            {
                if (set.Name is not ("no-endpoint-services" or "no-endpoint-nodeports")) continue;
                foreach (var e in set.Elements)
                {
                    var parts = e.Key.Split(" . ");
                    IPAddress? a = parts.Length == 3 && IPAddress.TryParse(parts[0], out var ip) ? ip : null;
                    int? port = int.TryParse(parts[^1], out var pn) ? pn : null;
                    list.Add(new NoEndpoints(e.Comment ?? (set.Name == "no-endpoint-nodeports" ? $"NodePort {parts[^1]}" : e.Key), a, port,
                        parts.Length >= 2 ? parts[^2] : "tcp", $"element {e.Key} : {e.Value} of map {set.Name}", set.Source));
                }
            }
        foreach (var s in ns.Ipvs)
            if (s.Destinations.Count == 0 && s.Address is not null)
                list.Add(new NoEndpoints($"IPVS {s}", s.Address, s.Port, s.Protocol, $"virtual service {s} with no real servers", s.Source));
        return list;
    }
}
