using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// One iptables table, indexed for <see cref="IptablesEval"/>: the rules of each chain (positions in
/// <see cref="IptablesTable.Rules"/>, in order), the chains that exist, their policies, and for a long chain a dispatch by
/// destination address. kube-proxy's KUBE-SERVICES holds one or two rules per Service port, each `-d CLUSTER-IP/32 -p
/// PROTO --dport PORT -j KUBE-SVC-…`: with 5,000 Services a linear scan visits 10,000 rules per packet, the dispatch a
/// handful. KUBE-NODEPORTS holds one rule per NodePort, `-p PROTO --dport PORT -j KUBE-EXT-…` with no destination: such a
/// rule is dispatched by its destination port. A rule is dispatched (by its one destination address, else by its one
/// destination port) only when every one of its matches is one the evaluator always decides (addresses, protocol, ports,
/// interfaces, comment), so skipping it for another destination is exactly what the scan would conclude (it would have
/// found it false, never "not understood"); every other rule is visited in order, as before.
/// Built once per table on first use and shared by every namespace holding that table (see the snapshot reader's
/// <c>RuleSharing</c>); an edit of the table (what-if) drops it (<see cref="Invalidate"/>), and a table whose rule or chain
/// count changed since is re-indexed.
/// </summary>
internal sealed class IptablesIndex
{
    /// <summary>Chains shorter than this are scanned (the dispatch would not pay for itself).</summary>
    internal const int DispatchFrom = 32;

    private static readonly ConditionalWeakTable<IptablesTable, IptablesIndex> Cache = new();

    private readonly Dictionary<string, ChainRules> _chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _policies = new(StringComparer.Ordinal);
    private readonly int _rules, _chainCount;
    private readonly List<IptablesRule> _list;

    private IptablesIndex(IptablesTable t)
    {
        _list = t.Rules;
        _rules = t.Rules.Count;
        _chainCount = t.Chains.Count;
        foreach (var c in t.Chains) _policies.TryAdd(c.Name, c.Policy);
        var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < t.Rules.Count; i++)
        {
            var name = t.Rules[i].Chain;
            if (!positions.TryGetValue(name, out var l)) positions[name] = l = [];
            l.Add(i);
        }
        foreach (var (name, l) in positions) _chains[name] = new ChainRules(t.Rules, l.ToArray());
    }

    /// <summary>The table's index (built on first use; rebuilt when the table changed size or lists).</summary>
    public static IptablesIndex Of(IptablesTable t)
    {
        if (Cache.TryGetValue(t, out var idx) && idx.Fits(t)) return idx;
        idx = new IptablesIndex(t);
        Cache.AddOrUpdate(t, idx);
        return idx;
    }

    /// <summary>Drops the index of a table an edit changed.</summary>
    public static void Invalidate(IptablesTable t) => Cache.Remove(t);

    private bool Fits(IptablesTable t) => ReferenceEquals(_list, t.Rules) && _rules == t.Rules.Count && _chainCount == t.Chains.Count;

    /// <summary>How many rules are dispatched by destination (the rest are visited for every packet).</summary>
    public int DispatchedRules => _chains.Values.Sum(c => c.Dispatched);

    /// <summary>Whether the chain exists (declared, or holding rules).</summary>
    public bool HasChain(string name) => _policies.ContainsKey(name) || _chains.ContainsKey(name);

    /// <summary>Whether the chain holds a rule.</summary>
    public bool HasRules(string chain) => _chains.TryGetValue(chain, out var c) && c.Count > 0;

    /// <summary>The chain's policy as declared (null: a user chain, or not declared).</summary>
    public string? Policy(string chain) => _policies.GetValueOrDefault(chain);

    /// <summary>The positions of the rules of CHAIN a packet to DST (destination port DPORT, if it has one) can match, in
    /// order: every rule of the chain, less the dispatched rules for other destinations and ports.</summary>
    public ChainRules.Enumerator Candidates(string chain, IPAddress dst, int? dport) =>
        !_chains.TryGetValue(chain, out var c) ? new ChainRules.Enumerator([], [], []) : LinearScan ? c.All : c.Candidates(dst, dport);

    /// <summary>True on a thread that wants every rule of a chain visited (the scan the dispatch must agree with: tests, benchmarks).</summary>
    [ThreadStatic] internal static bool LinearScan;

    /// <summary>The rule positions of one chain and, for a long chain, the dispatch by destination address and port.</summary>
    internal sealed class ChainRules
    {
        private readonly int[] _all;
        /// <summary>Rules dispatched by destination: positions by address (IPv4 as a number).</summary>
        private readonly Dictionary<uint, int[]>? _byDst;
        /// <summary>Rules dispatched by destination port (no destination address): positions by port.</summary>
        private readonly Dictionary<int, int[]>? _byPort;
        /// <summary>The positions of the rules not dispatched (visited for every packet).</summary>
        private readonly int[] _rest = [];

        public ChainRules(List<IptablesRule> rules, int[] positions)
        {
            _all = positions;
            if (positions.Length < DispatchFrom) return;
            var byDst = new Dictionary<uint, List<int>>();
            var byPort = new Dictionary<int, List<int>>();
            var rest = new List<int>();
            foreach (int i in positions)
            {
                var (dst, port) = DispatchKeys(rules[i]);
                if (dst is { } d) Add(byDst, d, i);
                else if (port is { } p) Add(byPort, p, i);
                else rest.Add(i);
            }
            if (byDst.Count == 0 && byPort.Count == 0) return;
            if (byDst.Count > 0) _byDst = byDst.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            if (byPort.Count > 0) _byPort = byPort.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            _rest = rest.ToArray();

            static void Add<TKey>(Dictionary<TKey, List<int>> by, TKey key, int i) where TKey : notnull
            {
                if (!by.TryGetValue(key, out var l)) by[key] = l = [];
                l.Add(i);
            }
        }

        public Enumerator All => new(_all, [], []);
        public int Count => _all.Length;

        public int Dispatched => _all.Length - (_byDst is null && _byPort is null ? _all.Length : _rest.Length);

        public Enumerator Candidates(IPAddress dst, int? dport)
        {
            if (_byDst is null && _byPort is null) return new Enumerator(_all, [], []);
            int[] mine = _byDst is not null && dst.AddressFamily == AddressFamily.InterNetwork && _byDst.TryGetValue(Fib.ToUint(dst), out var d) ? d : [];
            int[] onPort = _byPort is not null && dport is { } p && _byPort.TryGetValue(p, out var o) ? o : [];
            return new Enumerator(_rest, mine, onPort);
        }

        /// <summary>The ascending merge of three ascending position lists.</summary>
        public struct Enumerator(int[] a, int[] b, int[] c)
        {
            private readonly int[] _a = a ?? [], _b = b ?? [], _c = c ?? [];
            private int _i, _j, _k;
            public int Current { get; private set; }
            public readonly Enumerator GetEnumerator() => this;

            public bool MoveNext()
            {
                int best = int.MaxValue, from = -1;
                if (_i < _a.Length && _a[_i] < best) { best = _a[_i]; from = 0; }
                if (_j < _b.Length && _b[_j] < best) { best = _b[_j]; from = 1; }
                if (_k < _c.Length && _c[_k] < best) { best = _c[_k]; from = 2; }
                if (from < 0) return false;
                if (from == 0) _i++; else if (from == 1) _j++; else _k++;
                Current = best;
                return true;
            }
        }
    }

    /// <summary>What a rule can be dispatched by, when every one of its matches is one
    /// <see cref="IptablesEval.Match(IptablesRule, PacketView)"/> always decides: the one IPv4 host address it can only match
    /// packets to (one `-d A/32` or `-d A`, not negated); else, with no `-d` at all, the one destination port (one
    /// `--dport N`, not negated, a single port). Both null otherwise.</summary>
    internal static (uint? Dst, int? Port) DispatchKeys(IptablesRule rule)
    {
        var a = rule.Args;
        uint? key = null;
        int dsts = 0, dports = 0;
        int? port = null;
        for (int i = 0; i < a.Count; i++)
        {
            bool neg = false;
            if (a[i] == "!") { neg = true; i++; if (i >= a.Count) return default; }
            string opt = a[i];
            string? val = i + 1 < a.Count ? Unquote(a[i + 1]) : null;
            switch (opt)
            {
                case "-j" or "-g" or "--jump" or "--goto" or "--comment" or "--reject-with" or "--log-prefix" or "--log-level"
                    or "--to-destination" or "--to-source" or "--to" or "--to-ports" or "--set-xmark" or "--set-mark"
                    or "--or-mark" or "--and-mark" or "--xor-mark":
                    if (neg || val is null) return default;
                    i++; continue;
                case "--random" or "--random-fully" or "--persistent":
                    if (neg) return default;
                    continue;
                case "-m" or "--match":
                    if (neg || val is not ("comment" or "tcp" or "udp" or "multiport")) return default;
                    i++; continue;
                case "-s" or "--source":
                    if (!Prefixes(val)) return default;
                    i++; continue;
                case "-d" or "--destination":
                    if (!Prefixes(val)) return default;
                    dsts++;
                    if (!neg && !val!.Contains(',') && IpPrefix.TryParse(val, out var p) && p.IsV4 && p.Length == 32) key = Fib.ToUint(p.Address);
                    i++; continue;
                case "-p" or "--protocol":
                    if (val is not ("all" or "0" or "icmp" or "1" or "tcp" or "6" or "udp" or "17") && !int.TryParse(val, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return default;
                    i++; continue;
                case "-i" or "--in-interface" or "-o" or "--out-interface":
                    if (val is null) return default;
                    i++; continue;
                case "--dport" or "--destination-port" or "--dports" or "--destination-ports"
                    or "--sport" or "--source-port" or "--sports" or "--source-ports":
                    if (!Ports(val)) return default;
                    if (opt is "--dport" or "--destination-port")
                    {
                        dports++;
                        if (!neg && int.TryParse(val, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) port = n;
                    }
                    i++; continue;
                default: return default;
            }
        }
        if (dsts == 1 && key is not null) return (key, null);
        if (dsts == 0 && dports == 1 && port is not null) return (null, port);
        return default;
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    private static bool Prefixes(string? val)
    {
        if (val is null) return false;
        foreach (var part in val.Split(','))
            if (!IpPrefix.TryParse(part, out _)) return false;
        return true;
    }

    private static bool Ports(string? val)
    {
        if (val is null) return false;
        foreach (var part in val.Split(','))
            foreach (var n in part.Split(':'))
                if (!int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) return false;
        return true;
    }
}
