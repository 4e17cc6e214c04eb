using System.Net;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>`ip route add|replace|change|append|del …` in any table, with discard types (blackhole, unreachable, prohibit).</summary>
public sealed class RouteEdit : ModelEdit
{
    /// <summary>add, replace, change, append, prepend, delete.</summary>
    public required string Op { get; init; }
    /// <summary>The route as written (for delete: only what the command gave; a null field matches any).</summary>
    public required Route Route { get; init; }
    /// <summary>delete: whether the command gave a type, a metric (null fields of <see cref="Route"/> match anything).</summary>
    public bool TypeGiven { get; init; }

    public override string Describe() => Op switch
    {
        "delete" => $"delete route {Route}",
        "replace" => $"replace route {Route}",
        _ => $"add route {Route}",
    };

    internal override void Apply(EditScope s)
    {
        var r = Route;
        if (Op != "delete")
        {
            if (r.Device is { } dev && s.Ns.FindLink(dev) is null) throw s.Fail($"unknown device '{dev}' in {s.Where} (Cannot find device)");
            foreach (var h in r.NextHops) if (h.Device is { } hd && s.Ns.FindLink(hd) is null) throw s.Fail($"unknown device '{hd}' in {s.Where}");
            if (r.Device is null && r.Gateway is { } gw && r.NextHops.Count == 0 && r.Type == RouteTypes.Unicast)
            {
                // ip route add X via GW: the device is the one the gateway is reached by (a connected route)
                var via = s.Ns.Routes.Where(x => x.Table == RouteTables.Main && x.Type == RouteTypes.Unicast && x.Gateway is null && x.Device is not null && x.Destination.Contains(gw))
                    .OrderByDescending(x => x.Destination.Length).FirstOrDefault();
                if (via is null && !r.Flags.Contains("onlink")) throw s.Fail($"gateway {gw} is not reachable from {s.Where}: no connected route covers it (RTNETLINK answers: Network is unreachable)");
                r = Clone(r);
                r.Device = via?.Device;
            }
        }
        int found = s.Ns.Routes.FindIndex(x => Same(x, r, Op == "delete"));
        switch (Op)
        {
            case "delete":
                if (found < 0) throw s.Fail($"no route {Route} in {s.Where} (RTNETLINK answers: No such process)");
                s.Ns.Routes.RemoveAt(found);
                break;
            case "add":
                if (found >= 0) throw s.Fail($"route {s.Ns.Routes[found]} exists already in {s.Where} (RTNETLINK answers: File exists)");
                s.Ns.Routes.Add(Clone(r));
                break;
            case "change":
                if (found < 0) throw s.Fail($"no route {Route} to change in {s.Where}");
                s.Ns.Routes[found] = Clone(r);
                break;
            case "append" or "prepend":
                s.Ns.Routes.Add(Clone(r));
                break;
            default: // replace
                if (found >= 0) s.Ns.Routes[found] = Clone(r);
                else s.Ns.Routes.Add(Clone(r));
                break;
        }
    }

    /// <summary>The kernel's key of an IPv4 route: table, prefix, TOS and priority (metric); a delete matches on what it gives.</summary>
    private bool Same(Route x, Route r, bool delete)
    {
        if (x.Table != r.Table || x.Destination != r.Destination) return false;
        if (!delete) return (x.Tos ?? 0) == (r.Tos ?? 0) && (x.Metric ?? 0) == (r.Metric ?? 0);
        if (r.Metric is { } m && (x.Metric ?? 0) != m) return false;
        if (TypeGiven && x.Type != r.Type) return false;
        if (r.Gateway is { } gw && !gw.Equals(x.Gateway) && !x.NextHops.Any(h => gw.Equals(h.Gateway))) return false;
        if (r.Device is { } d && x.Device != d && !x.NextHops.Any(h => h.Device == d)) return false;
        return true;
    }

    private static Route Clone(Route r) => new()
    {
        Type = r.Type, Destination = r.Destination, Table = r.Table, Gateway = r.Gateway, Device = r.Device, Protocol = r.Protocol,
        Scope = r.Scope, PrefSrc = r.PrefSrc, Metric = r.Metric, Tos = r.Tos, Mtu = r.Mtu, Flags = [.. r.Flags],
        NextHops = r.NextHops.Select(h => new NextHop { Gateway = h.Gateway, Device = h.Device, Weight = h.Weight, Flags = [.. h.Flags] }).ToList(),
    };
}

/// <summary>`ip rule add|del …`.</summary>
public sealed class RuleEdit : ModelEdit
{
    public required string Op { get; init; }
    public required Rule Rule { get; init; }
    /// <summary>delete: the fields the command gave (a rule matches when these agree).</summary>
    public bool PriorityGiven { get; init; }

    public override string Describe() => (Op == "delete" ? "delete rule " : "add rule ") + Rule;

    internal override void Apply(EditScope s)
    {
        var rules = s.Ns.Rules;
        if (Op == "delete")
        {
            int i = rules.FindIndex(x => x.Family == Rule.Family && (!PriorityGiven || x.Priority == Rule.Priority) &&
                (Rule.From is null || x.From == Rule.From) && (Rule.To is null || x.To == Rule.To) &&
                (Rule.Iif is null || x.Iif == Rule.Iif) && (Rule.Oif is null || x.Oif == Rule.Oif) &&
                (Rule.Fwmark is null || x.Fwmark == Rule.Fwmark) && (Rule.Table is null || x.Table == Rule.Table) &&
                (Rule.Action == "to_tbl" || x.Action == Rule.Action));
            if (i < 0) throw s.Fail($"no rule '{Rule}' in {s.Where} (RTNETLINK answers: No such file or directory)");
            rules.RemoveAt(i);
            return;
        }
        var r = Copy(Rule);
        if (!PriorityGiven)
        {
            // the kernel gives an unnumbered rule the preference just below the first non-zero one
            uint first = rules.Where(x => x.Family == r.Family && x.Priority > 0).Select(x => x.Priority).DefaultIfEmpty(32766u).Min();
            r.Priority = first > 0 ? first - 1 : 0;
        }
        int at = rules.FindIndex(x => x.Priority > r.Priority);
        if (at < 0) rules.Add(r); else rules.Insert(at, r);
    }

    private static Rule Copy(Rule x) => new()
    {
        Priority = x.Priority, Family = x.Family, Not = x.Not, From = x.From, To = x.To, Iif = x.Iif, Oif = x.Oif, Fwmark = x.Fwmark,
        FwmarkMask = x.FwmarkMask, Tos = x.Tos, SuppressPrefixLength = x.SuppressPrefixLength, Table = x.Table, Action = x.Action, GotoTarget = x.GotoTarget,
    };
}

/// <summary>`ip neigh add|replace|change|del|flush ADDR [lladdr MAC] dev DEV [nud STATE]`.</summary>
public sealed class NeighborEdit : ModelEdit
{
    public required string Op { get; init; }
    public required IPAddress Address { get; init; }
    /// <summary>flush: the prefix ("to PREFIX").</summary>
    public IpPrefix? FlushPrefix { get; init; }
    public string? Device { get; init; }
    public MacAddress? Mac { get; init; }
    public string State { get; init; } = "PERMANENT";
    public bool Router { get; init; }

    public override string Describe() => Op switch
    {
        "delete" => $"delete neighbour {Address} dev {Device}",
        "flush" => $"flush neighbours {FlushPrefix?.ToString() ?? Address.ToString()}" + (Device is null ? "" : $" dev {Device}"),
        _ => $"neighbour {Address} dev {Device} → {Mac?.ToString() ?? "(no MAC)"} {State}",
    };

    internal override void Apply(EditScope s)
    {
        if (Device is { } dev) s.Device(dev);
        var list = s.Ns.Neighbors;
        if (Op == "flush")
        {
            var p = FlushPrefix ?? IpPrefix.Host(Address);
            // ip neigh flush leaves permanent entries alone unless "nud permanent" is given
            list.RemoveAll(n => p.Contains(n.Address) && (Device is null || n.Device == Device) && !n.State.Contains("PERMANENT") && !n.State.Contains("NOARP"));
            return;
        }
        int i = list.FindIndex(n => n.Address.Equals(Address) && n.Device == Device);
        switch (Op)
        {
            case "delete":
                if (i < 0) throw s.Fail($"no neighbour entry {Address} dev {Device} in {s.Where} (RTNETLINK answers: No such file or directory)");
                list.RemoveAt(i);
                return;
            case "add" when i >= 0:
                throw s.Fail($"neighbour {Address} dev {Device} exists already in {s.Where} (RTNETLINK answers: File exists)");
            case "change" when i < 0:
                throw s.Fail($"no neighbour entry {Address} dev {Device} to change in {s.Where}");
        }
        var e = new Neighbor { Address = Address, Device = Device!, Mac = Mac, State = [State], Router = Router };
        if (i >= 0) list[i] = e; else list.Add(e);
    }
}

/// <summary>`bridge fdb add|append|replace|del MAC dev DEV [dst IP] [vni N] [port N] [self|master] [permanent|static]`.</summary>
public sealed class FdbEdit : ModelEdit
{
    public required string Op { get; init; }
    public required MacAddress Mac { get; init; }
    public required string Device { get; init; }
    public IPAddress? Dst { get; init; }
    public uint? Vni { get; init; }
    public int? Port { get; init; }
    public int? Vlan { get; init; }
    public List<string> Flags { get; init; } = [];

    public override string Describe() => $"{(Op == "delete" ? "delete" : Op)} fdb {Mac} dev {Device}" + (Dst is null ? "" : $" dst {Dst}");

    internal override void Apply(EditScope s)
    {
        var l = s.Device(Device);
        var fdb = s.Ns.Fdb;
        bool Match(FdbEntry f) => f.Device == Device && f.Mac == Mac && (Vlan is null || f.Vlan == Vlan);
        switch (Op)
        {
            case "delete":
                int n = fdb.RemoveAll(f => Match(f) && (Dst is null || Dst.Equals(f.Dst)));
                if (n == 0) throw s.Fail($"no fdb entry {Mac} dev {Device}{(Dst is null ? "" : $" dst {Dst}")} in {s.Where} (RTNETLINK answers: No such file or directory)");
                return;
            case "add" when fdb.Any(f => Match(f) && (l.Kind != LinkKinds.Vxlan || Equals(f.Dst, Dst))):
                throw s.Fail($"fdb entry {Mac} dev {Device} exists already in {s.Where} (RTNETLINK answers: File exists)");
            case "replace":
                fdb.RemoveAll(f => Match(f));
                break;
            case "append" when fdb.Any(f => Match(f) && Equals(f.Dst, Dst)):
                return;
        }
        var flags = Flags.Count > 0 ? new List<string>(Flags) : ["static"];
        if (!flags.Contains("master") && !flags.Contains("self")) flags.Add("self");
        fdb.Add(new FdbEntry { Mac = Mac, Device = Device, Dst = Dst, Vni = Vni, Port = Port, Vlan = Vlan, Flags = flags,
            Master = flags.Contains("master") ? l.Master : null });
    }
}
