using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>An Ethernet frame on the wire: the IP packet, its MACs, and (while tunnelled) what it carries.</summary>
/// <param name="NextHop">the address the destination MAC was resolved for (neighbour entry or ARP); a bridge that
/// floods the frame is followed toward the device holding it</param>
internal sealed record Frame(Flow Ip, MacAddress SrcMac, MacAddress DstMac, Payload? Inner = null, System.Net.IPAddress? NextHop = null);

/// <summary>The inner frame a VXLAN outer packet carries, and the device that encapsulated it.</summary>
internal sealed record Payload(Frame Frame, DeviceRef Vxlan, uint? Vni);

/// <summary>
/// Walks one packet through the topology the way the kernel's receive and transmit paths do (Batfish's
/// FlowTracer): each stage is a method that records its steps and returns the next stage or the end.
/// The stages live in partial files: output (local send), input (IP receive, forward, deliver),
/// link (device transmit/receive, tc, veth, bridges), vxlan (encap/decap), neighbour (ARP).
/// </summary>
internal sealed partial class Walker
{
    private abstract record Next;
    /// <summary>A packet generated in <paramref name="Ns"/> (an application's, or a VXLAN outer packet).</summary>
    /// <param name="AfterNat">routed again after the OUTPUT hook changed the destination (the hook is not run again)</param>
    private sealed record Out(NsRef Ns, Flow Flow, DeviceRef? Bound, Payload? Inner, bool AfterNat = false) : Next;
    /// <summary>A frame handed to a device to transmit.</summary>
    private sealed record Egress(DeviceRef Dev, Frame Frame) : Next;
    /// <summary>A frame arriving on a device (before tc ingress and the bridge hook).</summary>
    /// <param name="Up">passed up by the bridge the device belongs to (the bridge hook is not run again)</param>
    private sealed record Ingress(DeviceRef Dev, Frame Frame, bool Up = false) : Next;
    /// <summary>A frame the device accepted, handed to the IP layer.</summary>
    private sealed record IpIn(DeviceRef Dev, Frame Frame) : Next;
    private sealed record End(Disposition Disposition, string Reason, Place? At, MissingInput? Missing = null) : Next;

    private const int MaxStages = 256;

    private readonly Topology.Topology _t;
    private readonly bool _isReply;
    // made on first use: a walk that records nothing has no hops and mostly no assumption
    private List<(NsRef Ns, List<Step> Steps)>? _hopList;
    private List<string>? _assumptionList;
    private List<(NsRef Ns, List<Step> Steps)> Hops => _hopList ??= [];
    private List<string> Assumed => _assumptionList ??= [];
    /// <summary>States passed so far; a walk has a few dozen at most, so a list beats a hash set here. Taken from the
    /// thread's spare list (a sweep walks hundreds of thousands of paths) and given back when the walk ends.</summary>
    private readonly List<State> _visited = TakeVisited();

    [ThreadStatic] private static List<State>? t_spareVisited;

    private static List<State> TakeVisited()
    {
        var spare = t_spareVisited;
        if (spare is null) return new List<State>(16);
        t_spareVisited = null; // a walk started inside this one (none does today) gets its own
        return spare;
    }
    /// <summary>Devices the packet passed (sent, received, IP-received on), in order; recorded with the steps.</summary>
    private List<DeviceRef>? _passed;
    /// <summary>Where the packet was delivered (for the reply).</summary>
    private DeviceRef? _deliveredOn;
    /// <summary>The packet as it was delivered (after NAT): the reply answers it.</summary>
    private Flow? _deliveredFlow;
    /// <summary>The first input found missing on a stage the walk went through as if it passed.</summary>
    private End? _deferred;

    /// <summary>Whether steps and assumptions are recorded; a sweep walks without them and walks again, recording,
    /// only the paths that fail (the verdict is the same either way: recording never changes a decision).</summary>
    private readonly bool _record;

    private Walker(Topology.Topology t, bool isReply, bool record)
    {
        _t = t;
        _isReply = isReply;
        _record = record;
    }

    /// <summary>Most alternatives (endpoint choices) traced for one request.</summary>
    private const int MaxAlternatives = 16;

    /// <summary>Traces the request; where the packet meets an endpoint choice (a Service's endpoints), every alternative is
    /// traced: the result is the first that fails (else the first), the others are its <see cref="TraceResult.Alternatives"/>.</summary>
    public static TraceResult Run(Topology.Topology topology, TraceRequest request, bool record = true)
    {
        var (first, choices) = RunOne(topology, request, record, []);
        if (choices.Count == 0) return first;
        var all = new List<TraceResult> { first with { Endpoint = Label(choices) } };
        var decided = choices;
        while (all.Count < MaxAlternatives && NextChoices(decided) is { } forced)
        {
            var (r, c) = RunOne(topology, request, record, forced);
            all.Add(r with { Endpoint = Label(c) });
            decided = c;
        }
        int main = all.FindIndex(r => !r.Delivered);
        if (main < 0) main = 0;
        var others = new List<TraceResult>(all.Count - 1);
        for (int i = 0; i < all.Count; i++) if (i != main) others.Add(all[i]);
        return all[main] with { Alternatives = others };
    }

    /// <summary>The next combination of choices after <paramref name="made"/> (an odometer over the choice points met), or null.</summary>
    private static List<int>? NextChoices(IReadOnlyList<(string Key, IReadOnlyList<string> Labels, int Taken)> made)
    {
        for (int j = made.Count - 1; j >= 0; j--)
        {
            if (made[j].Taken + 1 >= made[j].Labels.Count) continue;
            var forced = new List<int>(j + 1);
            for (int i = 0; i < j; i++) forced.Add(made[i].Taken);
            forced.Add(made[j].Taken + 1);
            return forced;
        }
        return null;
    }

    private static string Label(IReadOnlyList<(string Key, IReadOnlyList<string> Labels, int Taken)> made) =>
        string.Join("; ", made.Select(c => $"{c.Labels[c.Taken]} ({c.Taken + 1} of {c.Labels.Count} at {c.Key})"));

    private static (TraceResult, IReadOnlyList<(string Key, IReadOnlyList<string> Labels, int Taken)>) RunOne(
        Topology.Topology topology, TraceRequest request, bool record, IReadOnlyList<int> forced)
    {
        var (ns, bound) = ResolveStart(topology, request);
        var flow = new Flow(request.Source ?? IPAddress.Any, request.Destination, request.Protocol,
            request.SourcePort ?? (request.Protocol == Protocols.Icmp ? null : 40000), request.DestinationPort,
            request.Size, request.DontFragment)
        { Uid = request.Uid, SourcePortChosen = request.SourcePort is null && request.Protocol != Protocols.Icmp };
        var fw = new Walker(topology, isReply: false, record) { _forced = forced, _sourcePortGiven = request.SourcePort is not null };
        var forward = fw.Walk(new Out(ns, flow, bound, null), flow);
        Trace? reply = null;
        if (forward.Delivered && request.TraceReply && fw._deliveredOn is { } at)
        {
            // the kernel's ICMP socket sends echo replies with PMTU discovery off (no DF)
            var got = fw._deliveredFlow ?? forward.Flow;
            // forward.Flow.Reversed() with the delivered packet's addresses and ports, made at once
            var back = forward.Flow with
            {
                Source = got.Destination, Destination = got.Source, SourcePort = got.DestinationPort, DestinationPort = got.SourcePort,
                DontFragment = request.Protocol != Protocols.Icmp && request.DontFragment, Uid = null, SourcePortChosen = false,
            };
            var rw = new Walker(topology, isReply: true, record) { _unNat = fw.Mappings(), _learnt = fw._learnt };
            reply = rw.Walk(new Out(at.Namespace, back, null, null), back);
        }
        return (new TraceResult(request, forward, reply), (IReadOnlyList<(string Key, IReadOnlyList<string> Labels, int Taken)>?)fw._choices ?? []);
    }

    private static (NsRef Ns, DeviceRef? Bound) ResolveStart(Topology.Topology t, TraceRequest r)
    {
        if (r.Start is { } start && r.Device is null) return (start, null);
        var host = t.FindHost(r.Host) ?? throw new ArgumentException(
            $"no host '{r.Host}' in the input (hosts: {string.Join(", ", t.Hosts.Select(h => h.Name))})");
        var ns = r.Namespace is null or "root" ? host.Root
            : host.Namespaces.FirstOrDefault(n => n.Name == r.Namespace) ?? host.FindNamespace(r.Namespace);
        if (ns is null)
            throw new ArgumentException(r.Namespace is null
                ? $"host {host.Name} has no root namespace in the input"
                : $"host {host.Name} has no namespace '{r.Namespace}' (namespaces: {string.Join(", ", host.Namespaces.Select(n => n.DisplayName))})");
        var nsRef = new NsRef(host, ns);
        DeviceRef? bound = null;
        if (r.Device is not null)
            bound = t.Device(nsRef, r.Device) ?? throw new ArgumentException($"no device '{r.Device}' in {nsRef}");
        return (nsRef, bound);
    }

    private Trace Walk(Next start, Flow flow)
    {
        Next next = start;
        for (int i = 0; ; i++)
        {
            if (i >= MaxStages)
            {
                next = new End(Disposition.Loop, $"still travelling after {MaxStages} stages", null);
            }
            else if (next is not End && !Visit(StateKey(next)))
            {
                next = new End(Disposition.Loop, "the packet came back to a place it had already been: " + Describe(next), Where(next));
            }
            switch (next)
            {
                case Out o: next = Output(o); break;
                case Egress e: Passed(e.Dev); next = Transmit(e); break;
                case Ingress g: Passed(g.Dev); next = Receive(g); break;
                case IpIn p: Passed(p.Dev); next = IpReceive(p); break;
                case End end:
                    _visited.Clear();
                    t_spareVisited = _visited; // this walker visits nothing more
                    return Finish(end, _flow ?? flow);
            }
        }
    }

    private void Passed(DeviceRef d)
    {
        if (_record && (_passed is not { Count: > 0 } || _passed[^1] != d)) (_passed ??= []).Add(d);
    }

    private Trace Finish(End end, Flow flow)
    {
        if (end.Disposition == Disposition.Delivered && _deferred is { } unknown)
            end = unknown with { Reason = "it would be delivered, but " + unknown.Reason };
        else if (_deferred is { } assumed && end.Disposition != Disposition.Delivered)
            Assume($"assumed to pass where the input did not say: {assumed.Reason}");
        if (end.Disposition != Disposition.Delivered && _hopList is { Count: > 0 })
            _hopList[^1].Steps.Add(new DropStep(end.Disposition, end.Reason, end.At?.ToString()));
        IReadOnlyList<Hop> hops = _hopList is not { Count: > 0 } ? [] : _hopList.Select(h => new Hop(h.Ns.Host.Name, h.Ns.Ns.IsRoot ? "root" : h.Ns.Ns.DisplayName, h.Steps)).ToList();
        return new Trace(flow, end.Disposition, end.Reason, hops)
        {
            Missing = end.Missing, At = end.At?.ToString(), AtPlace = end.At, Assumptions = _assumptionList is not { Count: > 0 } ? [] : _assumptionList.Distinct().ToList(),
            Passed = (IReadOnlyList<DeviceRef>?)_passed ?? [], LastNamespace = _hopList is { Count: > 0 } ? _hopList[^1].Ns : null,
        };
    }

    private bool Visit(State state)
    {
        foreach (var seen in _visited) if (seen == state) return false;
        _visited.Add(state);
        return true;
    }

    /// <summary>Where the packet is and what it looks like there (with what it carries): the same state twice is a loop.</summary>
    private readonly record struct State(int Stage, object? Where, IPAddress? Source, IPAddress? Destination, MacAddress Mac, object? Inner);

    private static State StateKey(Next n) => n switch
    {
        Out o => new State(o.AfterNat ? 5 : 0, o.Ns.Ns, o.Flow.Source, o.Flow.Destination, default, o.Inner?.Vxlan.Link),
        Egress e => new State(1, e.Dev.Link, e.Frame.Ip.Source, e.Frame.Ip.Destination, e.Frame.DstMac, e.Frame.Inner),
        Ingress g => new State(g.Up ? 3 : 2, g.Dev.Link, g.Frame.Ip.Source, g.Frame.Ip.Destination, g.Frame.DstMac, g.Frame.Inner),
        IpIn p => new State(4, p.Dev.Link, p.Frame.Ip.Source, p.Frame.Ip.Destination, p.Frame.DstMac, p.Frame.Inner),
        _ => default,
    };

    private static string Describe(Next n) => n switch
    {
        Egress e => $"transmit on {e.Dev}",
        Ingress g => $"arrival on {g.Dev}",
        IpIn p => $"IP receive on {p.Dev}",
        Out o => $"output in {o.Ns}",
        _ => "",
    };

    private static Place? Where(Next n) => n switch
    {
        Egress e => e.Dev,
        Ingress g => g.Dev,
        IpIn p => p.Dev,
        Out o => o.Ns,
        _ => null,
    };

    /// <summary>Records a step in the hop of <paramref name="ns"/> (a new hop when the namespace changes).</summary>
    private void Add(NsRef ns, Step step)
    {
        if (Hops.Count == 0 || !NsRef.SameKey(Hops[^1].Ns, ns)) Hops.Add((ns, []));
        Hops[^1].Steps.Add(step);
    }

    /// <summary>Adds a step before the namespace's last one (the step that ended the packet there).</summary>
    private void InsertBeforeLast(NsRef ns, Step step)
    {
        if (Hops.Count == 0 || !NsRef.SameKey(Hops[^1].Ns, ns) || Hops[^1].Steps.Count == 0) { Add(ns, step); return; }
        Hops[^1].Steps.Insert(Hops[^1].Steps.Count - 1, step);
    }

    private void Assume(string text) => Assumed.Add(text);

    private static End Missing(NsRef ns, string command, string reason, Place? at = null) =>
        new(Disposition.InsufficientInfo, $"{reason}; run `{command}` on host {ns.Host.Name}" +
            (ns.Ns.IsRoot ? "" : $" (namespace {ns.Ns.DisplayName})"),
            at ?? ns, new MissingInput(ns.Host.Name, ns.Ns.IsRoot ? null : ns.Ns.DisplayName, command));
}
