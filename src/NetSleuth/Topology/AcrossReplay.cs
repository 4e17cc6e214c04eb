using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>The joins across hosts a full link records and a re-link replays when their inputs did not change.</summary>
internal enum JoinKind { Tunnel, Segment, Routed, OvsTunnels }

/// <summary>
/// The linking across hosts, recorded by the full link and replayed by <see cref="Relinker"/>, in two kinds of part:
/// <list type="bullet">
/// <item>host-local parts (<see cref="Part"/>) — an OVS namespace's patch and datapath ports, a VXLAN device's underlay
/// namespace and device, a host's underlay addresses: what such a part makes depends on its own host only, so for a host
/// the re-link did not link again it is the same edges, assumptions and value, in the same order;</item>
/// <item>joins across hosts (<see cref="Join{T}"/>) — a VXLAN device's far end, an underlay segment, a routed underlay
/// edge: each records what it read (the hosts, the addresses whose owners it asked for, the joins it followed), and is
/// replayed when none of that changed: its hosts were not linked again, the owners of its addresses are the original's
/// (<see cref="AddressTouched"/>), and what the linker checks besides (<c>unchanged</c>) holds. Otherwise it is made again.</item>
/// </list>
/// Both run in the full link's order, so the edges and assumptions come out in a full link's order. In a re-link the
/// edges are only appended (<see cref="Replaying"/>): the edge lists of the devices whose edges across hosts may have
/// changed (<see cref="DirtyEnds"/>: both ends of every edge a part or join made again, before and after) are made again
/// by <see cref="Relinker"/> once the linking is over; every other device keeps its original lists, which hold the same
/// edges in the same order.
/// </summary>
internal sealed class AcrossReplay
{
    private readonly record struct Made(int EdgeStart, int EdgeEnd, int AssumptionStart, int AssumptionEnd, object? Value, int Ordinal = 0);

    private readonly Dictionary<object, Made> _made = new(ReferenceEqualityComparer.Instance);
    /// <summary>The joins across hosts, by kind and key (a device, a subnet: equal in the original and the re-link).</summary>
    private readonly Dictionary<(JoinKind, object), Made> _joins = new();
    /// <summary>The joins in the order they were made (<see cref="Made.Ordinal"/>).</summary>
    private readonly List<Made> _joinList = [];
    /// <summary>Replaying: the original's joins this re-link met (replayed or made again), by ordinal.</summary>
    private bool[]? _met;
    private readonly bool _recording;
    private readonly Topology? _from;
    private readonly bool[]? _relinked;
    private readonly Dictionary<Host, int>? _position;
    /// <summary>Recorded: the VXLAN devices in input order, and where each host's start (entry n: the end).</summary>
    private List<DeviceRef>? _vxlan;
    private int[]? _vxlanStart;
    /// <summary>Replaying: the hosts linked again (the copy's objects and the replaced originals).</summary>
    private readonly HashSet<Host>? _touchedHosts;
    /// <summary>Replaying: the addresses a replaced host held or holds (whose owners may differ).</summary>
    private readonly HashSet<IPAddress>? _touchedAddresses;
    /// <summary>Replaying: where each host's devices are in the copy's device list.</summary>
    private readonly int[]? _chunks;
    private readonly bool[]? _changed;

    /// <summary>Replaying: each VXLAN device's place in the original's list (<see cref="VxlanDevices"/>) → its place in the
    /// re-link's, -1 for the devices of a host replaced; null when the original did not record its list.</summary>
    public int[]? PlaceNow { get; private set; }

    /// <summary>Replaying: how many joins across hosts were replayed (the rest were made again).</summary>
    public int JoinsReplayed { get; private set; }

    /// <summary>Replaying: the ends of every edge across hosts made again (or made before and not replayed).</summary>
    public readonly HashSet<DeviceRef> DirtyEnds = [];

    private AcrossReplay(bool recording, Topology? from, bool[]? relinked, Dictionary<Host, int>? position,
        HashSet<Host>? touchedHosts = null, HashSet<IPAddress>? touchedAddresses = null, int[]? chunks = null, bool[]? changed = null)
    {
        _recording = recording;
        _from = from;
        _relinked = relinked;
        _position = position;
        _touchedHosts = touchedHosts;
        _touchedAddresses = touchedAddresses;
        _chunks = chunks;
        _changed = changed;
    }

    /// <summary>For a full link: records each part.</summary>
    public static AcrossReplay Recorder() => new(true, null, null, null);

    /// <summary>For a re-link of <paramref name="from"/>: replays the parts of the hosts not linked again
    /// (<paramref name="relinked"/>, by position in <paramref name="hosts"/>, the original's hosts' places in
    /// <paramref name="position"/> (a replaced host's copy is not there: its parts are made again); <paramref name="changed"/>: the hosts replaced,
    /// whose devices are at <paramref name="chunks"/> in the copy's device list) and the joins whose inputs did not change
    /// (<paramref name="touchedAddresses"/>: the addresses the replaced hosts held or hold); null when the original recorded none.</summary>
    public static AcrossReplay? Replayer(Topology from, Dictionary<Host, int> position, IReadOnlyList<Host> hosts, bool[] relinked,
        bool[] changed, int[] chunks, IEnumerable<Host> removed, HashSet<IPAddress> touchedAddresses)
    {
        if (from.Across is not { _recording: true }) return null;
        var touched = new HashSet<Host>(removed, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < hosts.Count; i++) if (relinked[i]) touched.Add(hosts[i]);
        return new AcrossReplay(false, from, relinked, position, touched, touchedAddresses, chunks, changed);
    }

    /// <summary>True in a re-link: edges are appended to the edge list only, their ends noted (<see cref="Touch"/>).</summary>
    public bool Replaying => _from is not null;

    /// <summary>Replaying: the ends of an edge made again, whose lists <see cref="Relinker"/> makes again.</summary>
    public void Touch(Edge e)
    {
        DirtyEnds.Add(e.From);
        if (e.To is { } to) DirtyEnds.Add(to);
    }

    /// <summary>Whether the owners of the address may differ from the original's (always, outside a re-link).</summary>
    public bool AddressTouched(IPAddress ip) => _touchedAddresses is null || _touchedAddresses.Contains(ip);

    /// <summary>Whether the host was linked again (always, outside a re-link).</summary>
    public bool HostTouched(Host h) => _touchedHosts is null || _touchedHosts.Contains(h);

    /// <summary>Runs a part of the linking across hosts through the topology's record or replay, if it has one.</summary>
    public static T Run<T>(Topology t, Host host, object key, Func<T> run) => t.Across is { } a ? a.Part(t, host, key, run) : run();

    /// <summary>Runs the part of <paramref name="host"/> keyed by <paramref name="key"/> (the same object in the original and
    /// the re-link: a namespace, a device), or replays what it made in the original.</summary>
    public T Part<T>(Topology t, Host host, object key, Func<T> run)
    {
        if (_from is not null && _from.Across!._made.TryGetValue(key, out var made))
        {
            if (_position!.TryGetValue(host, out int i) && !_relinked![i])
            {
                Replay(t, made, null);
                return (T)made.Value!;
            }
            TouchMade(made);
        }
        int e0 = t.AllEdges.Count, a0 = t.AllAssumptions.Count;
        var value = run();
        if (_recording) _made[key] = new Made(e0, t.AllEdges.Count, a0, t.AllAssumptions.Count, value);
        return value;
    }

    /// <summary>
    /// A join across hosts keyed by <paramref name="kind"/> and <paramref name="key"/> (equal in the original and the
    /// re-link): in a re-link, the original's when it recorded one, <paramref name="host"/> (if any) was not linked again and
    /// <paramref name="unchanged"/> says its inputs are the same (its edges passed to <paramref name="replayed"/>);
    /// else made again by <paramref name="run"/>, which gets the original's value, if any (what it read then).
    /// </summary>
    public static T Join<T>(Topology t, JoinKind kind, object key, Host? host, Func<T, bool> unchanged, Func<T?, T> run,
        Action<Edge>? replayed = null) where T : class
    {
        if (t.Across is not { } a) return run(null);
        if (a._from is not null)
        {
            if (!a._from.Across!._joins.TryGetValue((kind, key), out var made)) return run(null);
            (a._met ??= new bool[a._from.Across._joinList.Count])[made.Ordinal] = true;
            var old = (T)made.Value!;
            if ((host is null || !a._touchedHosts!.Contains(host)) && unchanged(old))
            {
                a.Replay(t, made, replayed);
                a.JoinsReplayed++;
                return old;
            }
            a.TouchMade(made);
            return run(old);
        }
        int e0 = t.AllEdges.Count, a0 = t.AllAssumptions.Count;
        var value = run(null);
        if (a._recording)
        {
            var made = new Made(e0, t.AllEdges.Count, a0, t.AllAssumptions.Count, value, a._joinList.Count);
            if (a._joins.TryAdd((kind, key), made)) a._joinList.Add(made);
        }
        return value;
    }

    /// <summary>Replaying, once the linking is over: the original's joins this re-link did not meet (a device deleted, a
    /// subnet gone) made edges that are gone: their ends' lists change.</summary>
    public void TouchUnmet()
    {
        var joins = _from!.Across!._joinList;
        for (int i = 0; i < joins.Count; i++)
            if (_met is null || !_met[i]) TouchMade(joins[i]);
    }

    private void Replay(Topology t, Made made, Action<Edge>? replayed)
    {
        var edges = _from!.AllEdges;
        for (int k = made.EdgeStart; k < made.EdgeEnd; k++)
        {
            var e = edges[k];
            t.AllEdges.Add(e); // its ends' lists hold it already (Relinker)
            replayed?.Invoke(e);
        }
        for (int k = made.AssumptionStart; k < made.AssumptionEnd; k++) t.AllAssumptions.Add(_from.AllAssumptions[k]);
    }

    /// <summary>The original's edges of a part or join made again: their ends' lists change.</summary>
    private void TouchMade(Made made)
    {
        for (int k = made.EdgeStart; k < made.EdgeEnd; k++) Touch(_from!.AllEdges[k]);
    }

    /// <summary>The VXLAN devices in input order: recorded by host in a full link, the original's for the hosts a re-link
    /// did not replace.</summary>
    public static List<DeviceRef> VxlanDevices(Topology t)
    {
        var a = t.Across;
        if (a?._from?.Across is { _vxlan: { } vx, _vxlanStart: { } start } && a._changed!.Length + 1 == start.Length)
        {
            var list = new List<DeviceRef>(vx.Count);
            var now = new int[vx.Count];
            for (int i = 0; i < a._changed.Length; i++)
            {
                for (int k = start[i]; k < start[i + 1]; k++) now[k] = a._changed[i] ? -1 : list.Count + k - start[i];
                if (!a._changed[i]) list.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(vx)[start[i]..start[i + 1]]);
                else
                    for (int k = a._chunks![i]; k < a._chunks[i + 1]; k++)
                        if (t.DeviceList[k].Link.Kind == LinkKinds.Vxlan) list.Add(t.DeviceList[k]);
            }
            a.PlaceNow = now;
            return list;
        }
        var all = new List<DeviceRef>();
        if (a is { _recording: true } && t.Chunks is { } c && c.DeviceStart[^1] == t.DeviceList.Count)
        {
            var starts = new int[c.DeviceStart.Length];
            for (int i = 0; i + 1 < c.DeviceStart.Length; i++)
            {
                starts[i] = all.Count;
                for (int k = c.DeviceStart[i]; k < c.DeviceStart[i + 1]; k++)
                    if (t.DeviceList[k].Link.Kind == LinkKinds.Vxlan) all.Add(t.DeviceList[k]);
            }
            starts[^1] = all.Count;
            a._vxlan = all;
            a._vxlanStart = starts;
            return all;
        }
        foreach (var d in t.DeviceList)
            if (d.Link.Kind == LinkKinds.Vxlan) all.Add(d);
        return all;
    }
}
