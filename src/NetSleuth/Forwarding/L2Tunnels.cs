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

    /// <summary>Tunnels the frame did not cross, and why (outer packet discarded).</summary>
    public List<string> DeadEnds { get; } = [];

    /// <summary>Far VXLAN device → the device whose outer packet brought the frame there (the first one).</summary>
    public Dictionary<DeviceRef, DeviceRef> Carriers { get; } = [];

    /// <summary>The carriers a device with learning on remembers: the answer's way back.</summary>
    public Dictionary<DeviceRef, DeviceRef> Learnt()
    {
        var back = new Dictionary<DeviceRef, DeviceRef>();
        foreach (var (far, sender) in Carriers)
            if (far.Link.Vxlan?.Learning != false) back[far] = sender;
        return back;
    }
}
