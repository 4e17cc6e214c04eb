using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>`sysctl -w KEY=VALUE` (also `ip netns exec NS sysctl …`, `echo V > /proc/sys/…`).</summary>
public sealed class SysctlEdit : ModelEdit
{
    public required string Key { get; init; }
    public required string Value { get; init; }
    public override string Describe() => $"{Key} = {Value}";

    internal override void Apply(EditScope s)
    {
        // a per-device key names a device of the namespace ("all" and "default" are not devices)
        var parts = Key.Split('.');
        if (parts.Length == 5 && parts[0] == "net" && parts[2] == "conf" && parts[3] is not ("all" or "default") && s.Ns.FindLink(parts[3]) is null)
            throw s.Fail($"unknown device '{parts[3]}' in {s.Where} (sysctl: cannot stat /proc/sys/{Key.Replace('.', '/')})");
        s.Ns.Sysctls[Key] = Value;
        // net.ipv4.ip_forward is conf.all.forwarding, and setting it sets every device's forwarding (devinet_sysctl_forward)
        if (Key is "net.ipv4.ip_forward" or "net.ipv4.conf.all.forwarding")
        {
            s.Ns.Sysctls["net.ipv4.ip_forward"] = Value;
            foreach (var k in s.Ns.Sysctls.Keys.ToList())
                if (k.StartsWith("net.ipv4.conf.", StringComparison.Ordinal) && k.EndsWith(".forwarding", StringComparison.Ordinal)) s.Ns.Sysctls[k] = Value;
            s.Ns.Sysctls["net.ipv4.conf.all.forwarding"] = Value;
        }
    }
}

/// <summary>`tc qdisc add|replace|del dev DEV ingress|clsact`.</summary>
public sealed class QdiscEdit : ModelEdit
{
    public required string Op { get; init; }
    public required string Device { get; init; }
    public required string Kind { get; init; }
    public override string Describe() => $"{(Op == "delete" ? "delete" : "add")} {Kind} qdisc on {Device}";

    internal override void Apply(EditScope s)
    {
        s.Device(Device);
        var q = s.Ns.Qdiscs;
        int i = q.FindIndex(x => x.Device == Device && x.Kind is "ingress" or "clsact");
        if (Op == "delete")
        {
            if (i < 0 && s.Ns.IsKnown(Sections.Tc)) throw s.Fail($"{Device} has no {Kind} qdisc (Error: Cannot find specified qdisc on specified device)");
            q.RemoveAll(x => x.Device == Device && x.Kind is "ingress" or "clsact");
            // the filters of the hook go with it
            s.Ns.Filters.RemoveAll(f => f.Device == Device && (Kind == "clsact" || f.Direction == "ingress"));
            return;
        }
        if (i >= 0)
        {
            if (Op == "add" && q[i].Kind == Kind) throw s.Fail($"{Device} has an {Kind} qdisc already (Error: Exclusivity flag on, cannot modify)");
            return;
        }
        q.Add(new TcQdisc { Device = Device, Kind = Kind, Handle = "ffff:", Parent = "ingress" });
    }
}

/// <summary>`tc filter add|replace|del dev DEV ingress|egress|parent P [pref N] … action mirred …` — match-all filters.</summary>
public sealed class TcFilterEdit : ModelEdit
{
    public required string Op { get; init; }
    public required string Device { get; init; }
    public required string Direction { get; init; }
    public int? Pref { get; init; }
    public string? Protocol { get; init; }
    public string? Kind { get; init; }
    public List<TcAction> Actions { get; init; } = [];

    public override string Describe() => Op == "delete"
        ? $"delete {Direction} filter{(Pref is null ? "s" : $" pref {Pref}")} on {Device}"
        : $"{Direction} filter on {Device}: " + string.Join(", ", Actions.Select(a => a.Kind == "mirred" ? $"mirred {a.MirredDirection} {a.MirredAction} to {a.TargetDevice}" : $"{a.Kind} {a.Control}"));

    internal override void Apply(EditScope s)
    {
        s.Device(Device);
        var filters = s.Ns.Filters;
        bool Hook(TcFilter f) => f.Device == Device && f.Direction == Direction;
        if (Op == "delete")
        {
            int n = filters.RemoveAll(f => Hook(f) && (Pref is null || f.Pref == Pref));
            if (n == 0 && s.Ns.IsKnown(Sections.Tc) && Pref is not null) throw s.Fail($"no {Direction} filter pref {Pref} on {Device} (Error: Filter with specified priority/protocol not found)");
            return;
        }
        foreach (var a in Actions) if (a.TargetDevice is { } t) s.Device(t);
        if (!s.Ns.Qdiscs.Any(q => q.Device == Device && q.Kind is "ingress" or "clsact") && s.Ns.IsKnown(Sections.Tc) &&
            !s.Ns.Filters.Any(f => f.Device == Device && f.Direction == Direction))
            throw s.Fail($"{Device} has no ingress/clsact qdisc for a {Direction} filter (Error: Cannot find specified qdisc on specified device); add `tc qdisc add dev {Device} clsact` first");
        int pref = Pref ?? (filters.Where(Hook).Select(f => f.Pref ?? 0).DefaultIfEmpty(49152).Min() - 1);
        if (Op == "replace") filters.RemoveAll(f => Hook(f) && f.Pref == pref);
        else if (filters.Any(f => Hook(f) && f.Pref == pref && f.Kind != null && Kind != null && f.Kind != Kind))
            throw s.Fail($"a {Direction} filter pref {pref} of another kind exists on {Device} (Error: Filter with specified priority/protocol not found)");
        var filter = new TcFilter
        {
            Device = Device, Direction = Direction, Parent = Direction == "ingress" ? "ffff:" : "ffff:fff3", Kind = Kind, Protocol = Protocol ?? "all",
            Pref = pref, MatchesAll = true, Match = "match-all",
            Actions = Actions.Select(a => new TcAction { Kind = a.Kind, MirredDirection = a.MirredDirection, MirredAction = a.MirredAction, TargetDevice = a.TargetDevice, Control = a.Control }).ToList(),
        };
        // filters run in preference order
        int at = filters.FindIndex(f => f.Device == Device && f.Direction == Direction && (f.Pref ?? int.MaxValue) > pref);
        if (at < 0) filters.Add(filter); else filters.Insert(at, filter);
    }
}

/// <summary>`iptables [-t T] -D|-A|-I|-P|-F …`: a rule of an iptables chain removed, added or a policy set.</summary>
public sealed class IptablesEdit : ModelEdit
{
    /// <summary>-D, -A, -I, -P, -F.</summary>
    public required string Op { get; init; }
    public required string Family { get; init; }
    public required string Table { get; init; }
    public string? Chain { get; init; }
    /// <summary>The rule's words after the chain (-A/-I/-D by spec).</summary>
    public List<string> Args { get; init; } = [];
    /// <summary>-D CHAIN N / -I CHAIN N (1-based).</summary>
    public int? Number { get; init; }
    public string? Policy { get; init; }

    public override string Describe() => Op switch
    {
        "-D" => $"delete from {Table} {Chain}: " + (Number is { } n ? $"rule {n}" : string.Join(' ', Args)),
        "-P" => $"policy of {Table} {Chain}: {Policy}",
        "-F" => $"flush {Table} {Chain ?? "(every chain)"}",
        _ => $"{(Op == "-I" ? "insert" : "append")} to {Table} {Chain}: {string.Join(' ', Args)}",
    };

    internal override void Apply(EditScope s)
    {
        var t = s.Ns.Iptables.FirstOrDefault(x => x.Family == Family && x.Name == Table);
        if (t is null)
        {
            if (Op is "-D" or "-F" or "-P" && s.Ns.IsKnown(Sections.Iptables) && Op == "-D")
                throw s.Fail($"no {Table} table in {s.Where} (iptables: Bad rule (does a matching rule exist in that chain?))");
            t = new IptablesTable { Family = Family, Name = Table };
            s.Ns.Iptables.Add(t);
        }
        Forwarding.IptablesIndex.Invalidate(t); // the rules change below: the evaluator's index of them is rebuilt on next use
        Forwarding.ServiceTable.Invalidate(t);
        var chain = Chain is null ? null : t.Chains.FirstOrDefault(c => c.Name == Chain);
        if (Chain is not null && chain is null)
        {
            if (Op == "-D" || !Builtin(Chain)) throw s.Fail($"no chain {Chain} in table {Table} of {s.Where} (iptables: No chain/target/match by that name)");
            t.Chains.Add(chain = new IptablesChain { Name = Chain, Policy = "ACCEPT" });
        }
        switch (Op)
        {
            case "-P":
                chain!.Policy = Policy;
                return;
            case "-F":
                t.Rules.RemoveAll(r => Chain is null || r.Chain == Chain);
                return;
            case "-D":
            {
                var inChain = t.Rules.Where(r => r.Chain == Chain).ToList();
                IptablesRule? victim = Number is { } n ? (n >= 1 && n <= inChain.Count ? inChain[n - 1] : null)
                    : inChain.FirstOrDefault(r => r.Args.SequenceEqual(Args)) ?? inChain.FirstOrDefault(r => Canonical(r.Args).SequenceEqual(Canonical(Args)));
                if (victim is null) throw s.Fail($"no such rule in {Table} {Chain} of {s.Where} (iptables: Bad rule (does a matching rule exist in that chain?))");
                t.Rules.Remove(victim);
                return;
            }
        }
        var rule = new IptablesRule { Chain = Chain!, Args = [.. Args] };
        for (int i = 0; i + 1 < Args.Count; i++)
            if (Args[i] is "-j" or "--jump" or "-g" or "--goto") { rule.Target = Args[i + 1]; rule.IsGoto = Args[i] is "-g" or "--goto"; }
        if (rule.Target is { } target && !Builtin(target) && target is not ("ACCEPT" or "DROP" or "REJECT" or "RETURN" or "LOG" or "MARK" or "MASQUERADE" or "SNAT" or "DNAT" or "CT" or "NOTRACK")
            && !t.Chains.Any(c => c.Name == target))
            throw s.Fail($"no chain {target} in table {Table} of {s.Where} to jump to (iptables: Couldn't load target `{target}')");
        var list = t.Rules.Where(r => r.Chain == Chain).ToList();
        if (Op == "-A" || list.Count == 0) { InsertAfterChain(t, rule, list.Count); return; }
        int pos = Math.Clamp((Number ?? 1) - 1, 0, list.Count);
        if (pos >= list.Count) InsertAfterChain(t, rule, list.Count);
        else t.Rules.Insert(t.Rules.IndexOf(list[pos]), rule);
    }

    private static void InsertAfterChain(IptablesTable t, IptablesRule rule, int count)
    {
        if (count == 0) { t.Rules.Add(rule); return; }
        int last = t.Rules.FindLastIndex(r => r.Chain == rule.Chain);
        t.Rules.Insert(last + 1, rule);
    }

    private static bool Builtin(string chain) => chain is "INPUT" or "OUTPUT" or "FORWARD" or "PREROUTING" or "POSTROUTING";

    /// <summary>A rule spec as iptables-save prints it loosely compared: "-m udp" implied by "-p udp --dport", "/32" on a host address.</summary>
    private static List<string> Canonical(List<string> args)
    {
        var c = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "-m" && i + 1 < args.Count && args[i + 1] is "udp" or "tcp" or "icmp") { i++; continue; }
            var w = args[i] switch { "--protocol" => "-p", "--source" => "-s", "--destination" => "-d", "--in-interface" => "-i", "--out-interface" => "-o", "--jump" => "-j", "--destination-port" => "--dport", "--source-port" => "--sport", var x => x };
            if (w.EndsWith("/32", StringComparison.Ordinal)) w = w[..^3];
            c.Add(w);
        }
        return c;
    }
}

/// <summary>`nft delete rule FAMILY TABLE CHAIN handle N`, `nft add|insert rule FAMILY TABLE CHAIN STATEMENTS`, `nft flush ruleset`.</summary>
public sealed class NftEdit : ModelEdit
{
    /// <summary>delete, add, insert, flush.</summary>
    public required string Op { get; init; }
    public string? Family { get; init; }
    public string? Table { get; init; }
    public string? Chain { get; init; }
    public long? Handle { get; init; }
    /// <summary>add/insert: the rule's statements as nft text.</summary>
    public string? Text { get; init; }

    public override string Describe() => Op switch
    {
        "delete" => $"delete nft rule {Family} {Table} {Chain} handle {Handle}",
        "flush" => "flush the nftables ruleset",
        _ => $"{Op} nft rule {Family} {Table} {Chain}: {Text}",
    };

    internal override void Apply(EditScope s)
    {
        if (Op == "flush") { s.Ns.Nftables = new NftRuleset(); return; }
        var rs = s.Ns.Nftables ?? throw s.Fail($"no nftables ruleset in {s.Where} (Error: No such file or directory)");
        if (!rs.Chains.Any(c => c.Family == Family && c.Table == Table && c.Name == Chain))
            throw s.Fail($"no chain {Family} {Table} {Chain} in {s.Where} (Error: No such file or directory)");
        if (Op == "delete")
        {
            int n = rs.Rules.RemoveAll(r => r.Family == Family && r.Table == Table && r.Chain == Chain && r.Handle == Handle);
            if (n == 0) throw s.Fail($"no rule with handle {Handle} in {Family} {Table} {Chain} of {s.Where} (Error: Could not process rule: No such file or directory)");
            return;
        }
        long handle = rs.Rules.Select(r => r.Handle ?? 0).DefaultIfEmpty(0).Max() + 1;
        var rule = new NftRule { Family = Family!, Table = Table!, Chain = Chain!, Handle = handle, Text = Text };
        int first = rs.Rules.FindIndex(r => r.Family == Family && r.Table == Table && r.Chain == Chain);
        if (Op == "insert" && first >= 0) rs.Rules.Insert(first, rule);
        else
        {
            int last = rs.Rules.FindLastIndex(r => r.Family == Family && r.Table == Table && r.Chain == Chain);
            rs.Rules.Insert(last < 0 ? rs.Rules.Count : last + 1, rule);
        }
    }
}

/// <summary>`ovs-vsctl [--may-exist] add-port BR PORT`, `ovs-vsctl [--if-exists] del-port [BR] PORT`.</summary>
public sealed class OvsPortEdit : ModelEdit
{
    public required bool Add { get; init; }
    public string? Bridge { get; init; }
    public required string Port { get; init; }
    public bool Lenient { get; init; }

    public override string Describe() => Add ? $"add port {Port} to OVS bridge {Bridge}" : $"delete OVS port {Port}";

    internal override void Apply(EditScope s)
    {
        var ovs = s.Ns.Ovs ?? throw s.Fail($"no Open vSwitch in {s.Where} (ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed)");
        if (!Add)
        {
            bool had = ovs.Bridges.Any(b => (Bridge is null || b.Name == Bridge) && b.Ports.Any(p => p.Name == Port));
            if (!had && !Lenient) throw s.Fail($"no port named {Port} (ovs-vsctl: no port named {Port})");
            foreach (var b in ovs.Bridges) if (Bridge is null || b.Name == Bridge) b.Ports.RemoveAll(p => p.Name == Port);
            return;
        }
        var br = ovs.Bridges.FirstOrDefault(b => b.Name == Bridge) ?? throw s.Fail($"no bridge named {Bridge} (ovs-vsctl: no bridge named {Bridge})");
        var owner = ovs.Bridges.FirstOrDefault(b => b.Ports.Any(p => p.Name == Port));
        if (owner is not null)
        {
            if (Lenient && owner == br) return;
            throw s.Fail($"{Port} is a port of {owner.Name} already (ovs-vsctl: cannot create a port named {Port} because a port named {Port} already exists on bridge {owner.Name})");
        }
        br.Ports.Add(new OvsPort { Name = Port, Interfaces = [new OvsInterface { Name = Port }] });
        if (s.Ns.FindLink(Port) is { } l) { l.Master = "ovs-system"; l.SlaveKind = LinkKinds.OpenVSwitch; }
    }
}
