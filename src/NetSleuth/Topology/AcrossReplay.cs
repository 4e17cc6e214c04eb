using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// The host-local parts of the linking across hosts — an OVS namespace's patch and datapath ports, a VXLAN device's
/// underlay namespace and device, a host's underlay addresses — recorded by the full link and replayed by
/// <see cref="Relinker"/> for the hosts it did not link again. What such a part makes depends on its own host only, so
/// for a host the edit left alone it is the same edges, assumptions and value, in the same order; only the joins
/// across hosts (tunnel ends, segments) run again over the whole input.
/// </summary>
internal sealed class AcrossReplay
{
    private readonly record struct Made(int EdgeStart, int EdgeEnd, int AssumptionStart, int AssumptionEnd, object? Value);

    private readonly Dictionary<object, Made> _made = new(ReferenceEqualityComparer.Instance);
    private readonly bool _recording;
    private readonly Topology? _from;
    private readonly bool[]? _relinked;
    private readonly Dictionary<Host, int>? _position;

    private AcrossReplay(bool recording, Topology? from, bool[]? relinked, Dictionary<Host, int>? position)
    {
        _recording = recording;
        _from = from;
        _relinked = relinked;
        _position = position;
    }

    /// <summary>For a full link: records each part.</summary>
    public static AcrossReplay Recorder() => new(true, null, null, null);

    /// <summary>For a re-link of <paramref name="from"/>: replays the parts of the hosts not linked again
    /// (<paramref name="relinked"/>, by position in <paramref name="hosts"/>); null when the original recorded none.</summary>
    public static AcrossReplay? Replayer(Topology from, IReadOnlyList<Host> hosts, bool[] relinked)
    {
        if (from.Across is not { _recording: true }) return null;
        var position = new Dictionary<Host, int>(hosts.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < hosts.Count; i++) position.TryAdd(hosts[i], i);
        return new AcrossReplay(false, from, relinked, position);
    }

    /// <summary>Runs a part of the linking across hosts through the topology's record or replay, if it has one.</summary>
    public static T Run<T>(Topology t, Host host, object key, Func<T> run) => t.Across is { } a ? a.Part(t, host, key, run) : run();

    /// <summary>Runs the part of <paramref name="host"/> keyed by <paramref name="key"/> (the same object in the original and
    /// the re-link: a namespace, a device), or replays what it made in the original.</summary>
    public T Part<T>(Topology t, Host host, object key, Func<T> run)
    {
        if (_from is not null && _position!.TryGetValue(host, out int i) && !_relinked![i]
            && _from.Across!._made.TryGetValue(key, out var made))
        {
            for (int k = made.EdgeStart; k < made.EdgeEnd; k++) Linker.AddEdge(t, _from.AllEdges[k], assume: false);
            for (int k = made.AssumptionStart; k < made.AssumptionEnd; k++) t.AllAssumptions.Add(_from.AllAssumptions[k]);
            return (T)made.Value!;
        }
        int e0 = t.AllEdges.Count, a0 = t.AllAssumptions.Count;
        var value = run();
        if (_recording) _made[key] = new Made(e0, t.AllEdges.Count, a0, t.AllAssumptions.Count, value);
        return value;
    }
}
