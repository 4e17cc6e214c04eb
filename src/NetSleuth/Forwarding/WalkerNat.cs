using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// The netfilter hooks with connection tracking and NAT, where the kernel runs them: PREROUTING (before input
/// routing: DNAT), OUTPUT (after the local route, which is looked up again when the destination changed), POSTROUTING
/// (after routing: SNAT/MASQUERADE) and INPUT. A connection's first packet consults the nat chains (an entry of the
/// conntrack table in the input that matches it wins: the existing mapping is used); the reply is translated back
/// from the mappings the forward walk made, as conntrack does. Endpoint choices (statistic, numgen, IPVS) are
/// recorded so that <see cref="Run"/> can trace every alternative.
/// </summary>
internal sealed partial class Walker
{
    /// <summary>One connection's translation in one namespace: the packet as it entered conntrack there and as it left.</summary>
    internal sealed class CtMapping(NetNamespace ns, Flow orig)
    {
        public NetNamespace Ns { get; } = ns;
        public Flow Orig { get; } = orig;
        public Flow Final { get; set; } = orig;
        public bool Dnat { get; set; }
        public bool Snat { get; set; }
        /// <summary>An SNAT the conntrack entry holds, applied at POSTROUTING.</summary>
        public IPAddress? EntrySnat { get; set; }
        public int? EntrySnatPort { get; set; }
        public string? EntryText { get; set; }
        public SourceRef? EntrySource { get; set; }
        /// <summary>The conntrack entry the input holds is a replied connection (ctstate ESTABLISHED).</summary>
        public bool Established { get; set; }
    }

    // a walk passes a few namespaces: lists scanned by identity (in the order the namespaces were met) cost less than maps
    private readonly List<(NetNamespace Ns, NfContext Ctx)> _nf = [];
    private readonly List<CtMapping> _ct = [];

    /// <summary>The connection's mapping in the namespace, when the walk made one there.</summary>
    private CtMapping? CtOf(NetNamespace ns)
    {
        foreach (var m in _ct) if (ReferenceEquals(m.Ns, ns)) return m;
        return null;
    }
    /// <summary>For a reply: the forward walk's translations.</summary>
    private IReadOnlyList<CtMapping> _unNat = [];
    /// <summary>Choices forced by <see cref="Run"/> (by order of the choice points met) and the choices made.</summary>
    private IReadOnlyList<int> _forced = [];
    private List<(string Key, IReadOnlyList<string> Labels, int Taken)>? _choices;

    private NfContext Ctx(NsRef ns)
    {
        foreach (var (n, known) in _nf) if (ReferenceEquals(n, ns.Ns)) return known;
        var c = new NfContext { Ns = ns.Ns, Choose = _choose ??= Choose };
        _nf.Add((ns.Ns, c));
        return c;
    }

    private Func<string, IReadOnlyList<string>, int>? _choose;

    private int Choose(string key, IReadOnlyList<string> labels)
    {
        _choices ??= [];
        foreach (var c in _choices) if (c.Key == key) return c.Taken;
        int i = _choices.Count;
        int taken = i < _forced.Count ? Math.Min(_forced[i], labels.Count - 1) : 0;
        _choices.Add((key, labels, taken));
        return taken;
    }

    /// <summary>Runs one hook with NAT: filter verdicts, the nat chains for a new connection (the destination rewritten on
    /// PREROUTING/OUTPUT, the source on POSTROUTING/INPUT), conntrack's translation of a reply.</summary>
    /// <param name="nextHop">on POSTROUTING: the next hop (MASQUERADE takes the out device's address on its subnet)</param>
    private End? RunHook(NsRef ns, Hook hook, ref Flow flow, string? inDev, string? outDev, Disposition denied, IPAddress? nextHop = null)
    {
        var ctx = Ctx(ns);
        bool dstHook = hook is Forwarding.Hook.Prerouting or Forwarding.Hook.Output;
        if (_isReply)
        {
            if (dstHook) UnNat(ns, hook, ref flow, ctx);
            if (Filter(ns, hook, flow, inDev, outDev, denied, established: true, ctx) is { } r) return r;
            if (!dstHook) UnNat(ns, hook, ref flow, ctx);
            return null;
        }
        bool established = false;
        if (dstHook && CtOf(ns.Ns) is null)
        {
            var m = new CtMapping(ns.Ns, flow);
            _ct.Add(m);
            ctx.NatAllowed = true;
            if (ConntrackLookup(ns, flow) is { } entry)
            {
                ctx.NatAllowed = false;
                established = m.Established = !entry.Flags.Contains("UNREPLIED");
                ApplyEntry(ns, hook, ref flow, entry, m, ctx);
            }
        }
        else if (CtOf(ns.Ns) is { } known) established = known.Established;
        if (!dstHook && CtOf(ns.Ns) is null) { _ct.Add(new CtMapping(ns.Ns, flow)); ctx.NatAllowed = true; }
        ctx.PendingDnat = null; ctx.PendingSnat = null;
        var before = flow;
        if (Filter(ns, hook, flow, inDev, outDev, denied, established, ctx) is { } end)
        {
            // a later table of the hook (filter OUTPUT after nat OUTPUT) stopped the packet: the nat table had already
            // rewritten its destination, so the step that did it comes before the one that stopped it
            if (_record && dstHook && end.Disposition == denied && ctx.PendingDnat is { } pd)
            {
                var to = Nat.ApplyDestination(flow, pd, inDev, ns.Ns);
                InsertBeforeLast(ns, new NatStep(pd.Kind == NatKind.Redirect ? "REDIRECT" : "DNAT", HookName(hook), $"{pd.Engine} {pd.Table} {pd.Chain}: {pd.Rule}",
                    Endpoint(before.Destination, before.DestinationPort), Endpoint(to.Destination, to.DestinationPort) +
                    (pd.Range is null ? "" : $" (first of {pd.Range})")) { Evidence = pd.Evidence });
            }
            return end;
        }
        var map = CtOf(ns.Ns)!;
        if (dstHook && ctx.PendingDnat is { } d)
        {
            flow = Nat.ApplyDestination(flow, d, inDev, ns.Ns);
            ctx.Dnat = map.Dnat = true;
            map.Final = flow;
            if (_record) Add(ns, new NatStep(d.Kind == NatKind.Redirect ? "REDIRECT" : "DNAT", HookName(hook), $"{d.Engine} {d.Table} {d.Chain}: {d.Rule}",
                Endpoint(before.Destination, before.DestinationPort), Endpoint(flow.Destination, flow.DestinationPort) +
                (d.Range is null ? "" : $" (first of {d.Range})")) { Evidence = d.Evidence });
        }
        else if (!dstHook && (ctx.PendingSnat is { } sn || map.EntrySnat is not null))
        {
            string kind, rule;
            SourceRef? ev;
            IPAddress? src;
            int? port;
            if (ctx.PendingSnat is { } s)
            {
                kind = s.Kind == NatKind.Masquerade ? "MASQUERADE" : "SNAT";
                rule = $"{s.Engine} {s.Table} {s.Chain}: {s.Rule}";
                ev = s.Evidence;
                src = s.Kind == NatKind.Masquerade ? MasqueradeSource(ns, outDev, nextHop ?? flow.Destination) : s.Address;
                port = s.Port;
                if (src is null)
                    return new End(Disposition.DeniedOut, $"{ns} POSTROUTING: MASQUERADE out {outDev}, which has no IPv4 address: the packet is dropped", ns);
            }
            else
            {
                kind = "SNAT"; rule = map.EntryText!; ev = map.EntrySource; src = map.EntrySnat; port = map.EntrySnatPort;
            }
            flow = flow with { Source = src!, SourcePort = port ?? flow.SourcePort };
            ctx.Snat = map.Snat = true;
            map.Final = flow;
            if (_record) Add(ns, new NatStep(kind, HookName(hook), rule, Endpoint(before.Source, before.SourcePort), Endpoint(flow.Source, flow.SourcePort)) { Evidence = ev });
        }
        return null;
    }

    /// <summary>The connection's ct state in this namespace: a reply, or an entry the input shows replied, is ESTABLISHED.</summary>
    private bool Established(NsRef ns) => _isReply || (CtOf(ns.Ns) is { } m && m.Established);

    private static string HookName(Hook h) => h.ToString().ToUpperInvariant();

    private static string Endpoint(IPAddress a, int? port) => port is { } p ? $"{a}:{p}" : a.ToString();

    /// <summary>inet_select_addr on the out device: its primary IPv4 address on the next hop's subnet, else its first.</summary>
    private static IPAddress? MasqueradeSource(NsRef ns, string? outDev, IPAddress nextHop)
    {
        var l = outDev is null ? null : ns.Ns.FindLink(outDev);
        if (l is null) return null;
        IPAddress? first = null;
        foreach (var a in l.Addresses)
        {
            if (!a.Prefix.IsV4 || a.Flags.Contains("secondary")) continue;
            if (Fib.Contains(a.Prefix, nextHop)) return a.Address;
            first ??= a.Address;
        }
        return first;
    }

    /// <summary>An entry of the namespace's conntrack table (from the input) for this packet's connection: same protocol,
    /// destination and port, the same source when the packet has one, the same source port when the request gave one.</summary>
    private ConntrackEntry? ConntrackLookup(NsRef ns, Flow flow)
    {
        if (!ns.Ns.IsKnown(Sections.Conntrack)) return null;
        ConntrackEntry? best = null;
        foreach (var e in ns.Ns.Conntrack)
        {
            var o = e.Original;
            if (e.Protocol != flow.Protocol || !o.Dst.Equals(flow.Destination)) continue;
            if (flow.DestinationPort is { } dp && o.Dport != dp) continue;
            if (!flow.Source.Equals(IPAddress.Any) && !o.Src.Equals(flow.Source)) continue;
            if (_sourcePortGiven && flow.SourcePort is { } sp && o.Sport != sp) continue;
            if (e.State is "TIME_WAIT" or "CLOSE" or "CLOSE_WAIT" or "LAST_ACK" or "FIN_WAIT") continue; // a new connection replaces these
            best ??= e;
        }
        return best;
    }

    /// <summary>Whether the request named the source port (else an entry with any source port is the connection's).</summary>
    private bool _sourcePortGiven;

    private void ApplyEntry(NsRef ns, Hook hook, ref Flow flow, ConntrackEntry e, CtMapping m, NfContext ctx)
    {
        var text = $"conntrack entry {e}";
        m.EntryText = text;
        m.EntrySource = e.Source;
        var before = flow;
        if (!e.Reply.Src.Equals(e.Original.Dst) || e.Reply.Sport != e.Original.Dport)
        {
            flow = flow with { Destination = e.Reply.Src, DestinationPort = e.Reply.Sport ?? flow.DestinationPort };
            ctx.Dnat = m.Dnat = true;
            m.Final = flow;
            if (_record) Add(ns, new NatStep("DNAT", HookName(hook), text + " — an existing mapping: the nat rules are not consulted",
                Endpoint(before.Destination, before.DestinationPort), Endpoint(flow.Destination, flow.DestinationPort)) { Evidence = e.Source });
        }
        else if (_record) Add(ns, new NatStep("none", HookName(hook), text + " — an existing connection: the nat rules are not consulted",
            Endpoint(before.Destination, before.DestinationPort), Endpoint(flow.Destination, flow.DestinationPort)) { Evidence = e.Source });
        if (!e.Reply.Dst.Equals(e.Original.Src))
        {
            m.EntrySnat = e.Reply.Dst;
            m.EntrySnatPort = e.Reply.Dport;
        }
    }

    /// <summary>A reply translated back by the forward walk's mappings in this namespace: the destination (un-SNAT) on
    /// PREROUTING/OUTPUT, the source (un-DNAT) on POSTROUTING/INPUT.</summary>
    private void UnNat(NsRef ns, Hook hook, ref Flow flow, NfContext ctx)
    {
        foreach (var m in _unNat)
        {
            if (!ReferenceEquals(m.Ns, ns.Ns)) continue;
            ctx.Dnat = m.Dnat; ctx.Snat = m.Snat;
            var before = flow;
            if (hook is Forwarding.Hook.Prerouting or Forwarding.Hook.Output)
            {
                if (!m.Snat || !flow.Source.Equals(m.Final.Destination) || !flow.Destination.Equals(m.Final.Source)) continue;
                flow = flow with { Destination = m.Orig.Source, DestinationPort = m.Orig.SourcePort };
                if (_record) Add(ns, new NatStep("un-SNAT", HookName(hook), "conntrack: the reply of the translated connection",
                    Endpoint(before.Destination, before.DestinationPort), Endpoint(flow.Destination, flow.DestinationPort)));
            }
            else
            {
                if (!m.Dnat || !flow.Source.Equals(m.Final.Destination) || !flow.Destination.Equals(m.Orig.Source)) continue;
                flow = flow with { Source = m.Orig.Destination, SourcePort = m.Orig.DestinationPort };
                if (_record) Add(ns, new NatStep("un-DNAT", HookName(hook), "conntrack: the reply of the translated connection",
                    Endpoint(before.Source, before.SourcePort), Endpoint(flow.Source, flow.SourcePort)));
            }
            return;
        }
    }

    /// <summary>The forward walk's translations, for its reply.</summary>
    private IReadOnlyList<CtMapping> Mappings()
    {
        List<CtMapping>? list = null;
        foreach (var m in _ct) if (m.Dnat || m.Snat) (list ??= []).Add(m);
        return list ?? (IReadOnlyList<CtMapping>)[];
    }
}
