namespace NetSleuth.Synth;

/// <summary>Faults only a peer pod has: the mission story's MAC mismatch and a missing tc redirect.</summary>
internal static class PeerFaults
{
    /// <summary>#1: vxlan0 on the pod VM keeps a MAC of its own instead of the pod eth0's (which the worker's neighbour entry holds).</summary>
    public static PlacedFault MacMismatch(FaultContext c)
    {
        var pod = c.AnyPeerPod();
        var peer = pod.Peer!;
        var wanted = peer.VmVxlan.Mac!.Value;
        peer.VmVxlan.Mac = HostFactory.RandomMac(c.Rng);
        return new PlacedFault(1, "tunnel-mac-mismatch", peer.Vm.Name, peer.PodNs.Ns.Id, "vxlan0",
            $"{Addressing.Ip(pod.Ip)} dev ovn-k8s-mp0 lladdr {wanted} on {c.Node}",
            $"vxlan0 has MAC {peer.VmVxlan.Mac}, but {c.Node} resolves {Addressing.Ip(pod.Ip)} to {wanted} (pod eth0)");
    }

    /// <summary>#4: one of the two ingress mirred filters in the worker's pod namespace is gone.</summary>
    public static PlacedFault MissingRedirect(FaultContext c)
    {
        var pod = c.AnyPeerPod();
        var peer = pod.Peer!;
        bool eth0Side = c.Rng.Next(2) == 0;
        var filter = eth0Side ? peer.Eth0Filter : peer.VxlanFilter;
        pod.Ns.Ns.Filters.Remove(filter);
        string target = filter.Actions[0].TargetDevice!;
        return new PlacedFault(4, "missing-mirred-redirect", c.Node, pod.Ns.Ns.Id, filter.Device,
            $"tc filter dev {filter.Device} ingress u32 match-all action mirred egress redirect dev {target}",
            $"no ingress redirect from {filter.Device} to {target}: traffic only flows one way");
    }
}
