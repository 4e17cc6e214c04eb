using System.Net;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>
/// What an L2 walk (<see cref="L2Reach.Walk"/>) asks and tells about the VXLAN tunnels a frame crosses:
/// whether the outer packet gets out of its underlay at all (vxlan_xmit routes it and resolves its next hop,
/// so an ARP request carried by a tunnel whose outer packet is discarded never reaches the far side), which
/// device carried the frame to each far end (vxlan_snoop: a far device with learning on learns the inner
/// source MAC at the outer source address), and, for the answer's walk, those learnt ways back.
/// </summary>
internal sealed class L2Tunnels
{
    /// <summary>Why the outer packet of <c>vx</c> to <c>remote</c> dies in its underlay; null when it gets out (or the
    /// input cannot say).</summary>
    public Func<DeviceRef, IPAddress, string?>? OuterDrop { get; init; }

    /// <summary>Learnt ways back: a VXLAN device → the device that carried the request to it (followed for a unicast
    /// frame unless a static FDB entry for the frame's MAC decides).</summary>
    public IReadOnlyDictionary<DeviceRef, DeviceRef>? LearntBack { get; init; }

    // made when the first is added: most ARP walks cross no tunnel
    private List<string>? _deadEnds;
    private Dictionary<DeviceRef, DeviceRef>? _carriers;

    /// <summary>Tunnels the frame did not cross, and why (outer packet discarded), each reason once.</summary>
    public IReadOnlyList<string> DeadEnds => _deadEnds ?? (IReadOnlyList<string>)[];

    public void AddDeadEnd(string why)
    {
        _deadEnds ??= [];
        if (!_deadEnds.Contains(why)) _deadEnds.Add(why);
    }

    /// <summary>Far VXLAN device → the device whose outer packet brought the frame there (the first one).</summary>
    public void AddCarrier(DeviceRef far, DeviceRef carrier) => (_carriers ??= []).TryAdd(far, carrier);

    /// <summary>The carriers a device with learning on remembers: the answer's way back (null when the frame crossed no tunnel).</summary>
    public Dictionary<DeviceRef, DeviceRef>? Learnt()
    {
        if (_carriers is null) return null;
        var back = new Dictionary<DeviceRef, DeviceRef>();
        foreach (var (far, sender) in _carriers)
            if (far.Link.Vxlan?.Learning != false) back[far] = sender;
        return back;
    }
}
