namespace NetSleuth.Model;

public sealed class TcQdisc
{
    public required string Device { get; set; }
    public required string Kind { get; set; }
    /// <summary>"ffff:" style handle, as tc prints.</summary>
    public string? Handle { get; set; }
    /// <summary>"root", "ingress", "clsact" or a parent handle.</summary>
    public string? Parent { get; set; }
    public SourceRef? Source { get; set; }
}

/// <summary>A tc filter with its actions. Direction is derived from the parent (ffff: / ingress = ingress).</summary>
public sealed class TcFilter
{
    public required string Device { get; set; }
    /// <summary>"ingress" or "egress" (the hook the filter is attached to).</summary>
    public required string Direction { get; set; }
    public string? Parent { get; set; }
    /// <summary>u32, flower, matchall, bpf, basic, …</summary>
    public string? Kind { get; set; }
    public string? Protocol { get; set; }
    public int? Pref { get; set; }
    public string? Handle { get; set; }
    public int? Chain { get; set; }
    /// <summary>True when the filter matches every packet (u32 "match 00000000/00000000", matchall, flower with no keys).</summary>
    public bool? MatchesAll { get; set; }
    /// <summary>Match description as printed (for humans; the simulator only trusts <see cref="MatchesAll"/>).</summary>
    public string? Match { get; set; }
    public List<TcAction> Actions { get; set; } = [];
    public SourceRef? Source { get; set; }
}

public sealed class TcAction
{
    /// <summary>mirred, gact, police, skbedit, vlan, tunnel_key, pedit, bpf, …</summary>
    public required string Kind { get; set; }
    /// <summary>mirred: "egress" or "ingress" (the target device's direction).</summary>
    public string? MirredDirection { get; set; }
    /// <summary>mirred: "redirect" or "mirror".</summary>
    public string? MirredAction { get; set; }
    public string? TargetDevice { get; set; }
    /// <summary>The control action after the action: stolen, pipe, pass, drop, reclassify, continue, …
    /// For gact this is the verdict itself.</summary>
    public string? Control { get; set; }
    public int? Index { get; set; }
}
