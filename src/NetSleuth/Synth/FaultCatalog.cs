namespace NetSleuth.Synth;

/// <summary>A fault the generator can place: its catalogue row, where it applies, and how to apply it to a node unit.</summary>
internal sealed record FaultKind(int Id, string Name, bool Bridge, bool Ovs, bool PeerPods, bool NeedsTwoNodes,
    Func<FaultContext, PlacedFault> Apply)
{
    public bool AppliesTo(SynthOptions o) =>
        (o.Style switch { SynthStyle.Bridge => Bridge, SynthStyle.Ovs => Ovs, _ => PeerPods }) &&
        (!NeedsTwoNodes || o.Nodes > 1) &&
        (o.PodsPerNode > 0) &&
        (o.Style != SynthStyle.PeerPods || Ovs || o.PeerPodsPerNode > 0); // peer-only faults need a peer pod
}

/// <summary>What a fault is applied to: one generated node unit, with the plan and the unit's random source.</summary>
internal sealed record FaultContext(Addressing Plan, NodeUnit Unit, Random Rng)
{
    public PodSite AnyPod() => Unit.Pods[Rng.Next(Unit.Pods.Count)];

    public PodSite AnyPeerPod()
    {
        var peers = Unit.Pods.Where(p => p.Peer is not null).ToList();
        return peers[Rng.Next(peers.Count)];
    }

    /// <summary>Another node than this one.</summary>
    public int OtherNode()
    {
        int n = Rng.Next(Plan.Options.Nodes - 1);
        return n >= Unit.Index ? n + 1 : n;
    }

    public string Node => Unit.Host.Name;
}

/// <summary>The faults `synth --faults K` places; rows of docs/faults.md.</summary>
internal static class FaultCatalog
{
    public static IReadOnlyList<FaultKind> All { get; } =
    [
        new(1, "tunnel-mac-mismatch", false, false, true, false, PeerFaults.MacMismatch),
        new(4, "missing-mirred-redirect", false, false, true, false, PeerFaults.MissingRedirect),
        new(5, "vni-mismatch", true, false, true, false, TunnelFaults.VniMismatch),
        new(6, "dstport-mismatch", true, false, true, false, TunnelFaults.DstPortMismatch),
        new(7, "wrong-remote", true, false, true, true, TunnelFaults.WrongRemote),
        new(8, "mtu-overlay-too-big", true, false, true, false, TunnelFaults.Mtu),
        new(9, "firewall-drops-tunnel-port", true, false, true, false, TunnelFaults.FirewallDrop),
        new(10, "link-down", true, true, true, false, NodeFaults.LinkDown),
        new(11, "missing-route", true, true, true, true, NodeFaults.MissingRoute),
        new(11, "blackhole-route", true, true, true, true, NodeFaults.Blackhole),
        new(12, "missing-permanent-neighbour", true, false, false, true, NodeFaults.MissingPermanentNeighbour),
        new(13, "failed-neighbour", true, true, true, false, NodeFaults.FailedNeighbour),
        new(15, "ip-forward-off", true, true, true, false, NodeFaults.IpForwardOff),
        new(17, "dangling-veth", true, true, true, false, PortFaults.DanglingVeth),
        new(18, "bridge-port-without-master", true, true, true, false, PortFaults.NoMaster),
    ];

    public static IReadOnlyList<FaultKind> For(SynthOptions o) => All.Where(k => k.AppliesTo(o)).ToList();
}
