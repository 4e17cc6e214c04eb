namespace NetSleuth.Forwarding;

/// <summary>
/// Walks one packet through a linked topology like the kernel would, then its reply.
/// Read-only: uses the topology's indexes, never scans every host.
/// </summary>
public static class Tracer
{
    /// <summary>Traces the request's packet; after delivery also the reply (addresses swapped).</summary>
    /// <exception cref="ArgumentException">the request names a host, namespace or device not in the topology</exception>
    public static TraceResult Trace(Topology.Topology topology, TraceRequest request) =>
        Walker.Run(topology, request);

    /// <summary>The verdicts only (no steps, no assumptions): for sweeps of many paths, which trace again in
    /// full only the paths that fail.</summary>
    internal static TraceResult Verdict(Topology.Topology topology, TraceRequest request) =>
        Walker.Run(topology, request, record: false);
}
