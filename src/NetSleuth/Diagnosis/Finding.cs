using NetSleuth.Model;

namespace NetSleuth.Diagnosis;

/// <summary>How bad a finding is. Error: a path is broken; Warning: degraded or fragile; Info: cannot decide.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Severity>))]
public enum Severity
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("info")] Info,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("warning")] Warning,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("error")] Error,
}

/// <summary>One object a finding rests on: host, namespace, the object's kind and text, and the input line it came from.</summary>
/// <param name="Host">host name</param>
/// <param name="Namespace">namespace display name (null = the host's root namespace)</param>
/// <param name="Kind">device, neighbour, route, tc filter, vxlan, sysctl, iptables rule, address, …</param>
/// <param name="Text">the object as a user would recognise it ("198.18.2.46 dev ovn-k8s-mp0 lladdr … PERMANENT")</param>
/// <param name="Source">where it came from, when the input says</param>
public sealed record Evidence(string Host, string? Namespace, string Kind, string Text, SourceRef? Source)
{
    [System.Text.Json.Serialization.JsonIgnore] public string Where => Namespace is null ? Host : $"{Host}:{Namespace}";
    public override string ToString() => $"{Where} {Kind} {Text}" + (Source is null ? "" : $" ({Source})");
}

/// <summary>Commands to run, in order, on one host (each already addresses its namespace).</summary>
public sealed record FixStep(string Host, string? Namespace, IReadOnlyList<string> Commands, string? Note = null);

/// <summary>A command whose output would decide what the input leaves open.</summary>
public sealed record MissingInput(string Host, string? Namespace, string Command, string Why);

/// <summary>A packet trace that shows the failure, in words (rendered from the tracer's result); <paramref name="At"/>
/// is the device where the packet dies (HOST:NETNS:DEVICE), when the tracer names one.</summary>
public sealed record FindingTrace(string From, string To, string Disposition, IReadOnlyList<string> Hops, string? At = null);

/// <summary>One diagnosis: what is wrong, why it matters, which objects show it, and how to fix it.</summary>
public sealed class Finding
{
    /// <summary>Stable id of the kind of fault ("neighbor-mac-mismatch"); see docs of the checks.</summary>
    public required string Id { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>One line.</summary>
    public required string Title { get; init; }
    public required string Explanation { get; set; }
    public List<Evidence> Evidence { get; init; } = [];
    public List<FixStep> Fix { get; init; } = [];
    public List<MissingInput> Decide { get; init; } = [];
    /// <summary>Paths (from → to) the reachability sweep found broken by this cause.</summary>
    public List<string> BrokenPaths { get; init; } = [];
    public FindingTrace? Trace { get; set; }
    /// <summary>Ids of other checks that found the same root cause (merged into this finding).</summary>
    public List<string> AlsoSeenAs { get; init; } = [];
    /// <summary>Identifies the root cause (e.g. "mac:podvm/podns/vxlan0"): findings with the same key are one problem.</summary>
    public required string RootCause { get; init; }
    /// <summary>The devices and namespaces the finding is about, by identity (<see cref="Topology.Place"/>; written as
    /// "HOST:NETNS:DEVICE"): the reachability sweep ties broken paths to the finding by them.</summary>
    public List<Topology.Place> Devices { get; init; } = [];
    /// <summary>What the fix commands did when applied to a copy of the model (null: no fix, or not verified).</summary>
    public WhatIf.FixVerification? Verification { get; set; }
    /// <summary>For a broken path no check explains: the counterfactual search's best candidate fixes (null: not searched).</summary>
    public WhatIf.CounterfactualResult? Counterfactual { get; set; }

    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()} {Id}: {Title}";
}
