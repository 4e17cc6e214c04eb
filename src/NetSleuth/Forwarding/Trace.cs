using System.Text.Json.Serialization;

namespace NetSleuth.Forwarding;

/// <summary>The steps taken in one namespace of one host (Batfish's Hop).</summary>
/// <param name="Host">host name</param>
/// <param name="Namespace">namespace display name ("root" for the host's own)</param>
public sealed record Hop(string Host, string Namespace, IReadOnlyList<Step> Steps)
{
    /// <summary>"worker" for a root namespace, "worker:wkpod" otherwise (as the topology prints it).</summary>
    [JsonIgnore] public string Node => Namespace == "root" ? Host : $"{Host}:{Namespace}";
    public override string ToString() => Node;
}

/// <summary>One packet's path: the hops in order and how it ended.</summary>
/// <param name="Flow">the packet as it left its sender</param>
/// <param name="Disposition">delivered, or why it died</param>
/// <param name="Reason">one sentence: where and why</param>
/// <param name="Hops">every namespace visited, in order</param>
public sealed record Trace(Flow Flow, Disposition Disposition, string Reason, IReadOnlyList<Hop> Hops)
{
    /// <summary>For <see cref="Disposition.InsufficientInfo"/>: the command whose output would decide.</summary>
    public MissingInput? Missing { get; init; }
    /// <summary>Where it ended: "host:ns:device" (or "host:ns" when no device applies).</summary>
    public string? At { get; init; }
    /// <summary>Where it ended, by identity (the device or namespace <see cref="At"/> names).</summary>
    [JsonIgnore] internal Topology.Place? AtPlace { get; init; }
    /// <summary>Assumptions the trace relied on (an ARP answer simulated, an L2 segment assumed, …).</summary>
    public IReadOnlyList<string> Assumptions { get; init; } = [];

    /// <summary>The devices the packet passed, in order (empty for a verdict-only trace): findings are tied to a
    /// broken path by these identities, never by the words of the steps.</summary>
    [JsonIgnore] internal IReadOnlyList<Topology.DeviceRef> Passed { get; init; } = [];
    /// <summary>The namespace of the last hop (where the packet died), when any step was recorded.</summary>
    [JsonIgnore] internal Topology.NsRef? LastNamespace { get; init; }

    [JsonIgnore] public bool Delivered => Disposition == Disposition.Delivered;
    /// <summary>The step that decided the outcome (the last one).</summary>
    [JsonIgnore] public Step? FinalStep => Hops.Count == 0 ? null : Hops[^1].Steps.LastOrDefault();
}

/// <summary>A trace and, when the packet was delivered, the reply's trace.</summary>
public sealed record TraceResult(TraceRequest Request, Trace Forward, Trace? Reply)
{
    /// <summary>The endpoint choices this trace took (a Service's endpoint, "KUBE-SEP-… (1 of 2 at …)"); null when the
    /// packet met no choice.</summary>
    public string? Endpoint { get; init; }
    /// <summary>The traces of the other endpoint choices (null when there were none); this result is the first that fails.</summary>
    public IReadOnlyList<TraceResult>? Alternatives { get; init; }

    /// <summary>Delivered both ways (or one way when the reply was not asked for).</summary>
    /// <summary>The devices the packet passed, in order (empty for a verdict-only trace): findings are tied to a
    /// broken path by these identities, never by the words of the steps.</summary>
    [JsonIgnore] internal IReadOnlyList<Topology.DeviceRef> Passed { get; init; } = [];
    /// <summary>The namespace of the last hop (where the packet died), when any step was recorded.</summary>
    [JsonIgnore] internal Topology.NsRef? LastNamespace { get; init; }

    [JsonIgnore] public bool Delivered => Forward.Delivered && (Reply?.Delivered ?? !Request.TraceReply);
}
