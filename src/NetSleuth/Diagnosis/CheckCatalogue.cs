using NetSleuth.Diagnosis.Checks;

namespace NetSleuth.Diagnosis;

/// <summary>Every check, in the order of the fault catalogue (docs/faults.md); one line each.</summary>
internal static class CheckCatalogue
{
    public static IReadOnlyList<ICheck> All { get; } =
    [
        new NeighborMacMismatchCheck(),   // 1 (and 3: no finding when the entry holds the far MAC)
        new PortSecurityCheck(),          // 2
        new OvnCheck(),                   // 24–26 (OVN port security, a logical port without addresses, a tunnel between chassis down);
                                          // before link-down: a down underlay behind an OVN tunnel leads as the tunnel, the link merged in
        new MirredRedirectCheck(),        // 4 (and 17: redirect target in another namespace)
        new VxlanVniCheck(),              // 5
        new VxlanPortCheck(),             // 6
        new VxlanRemoteCheck(),           // 7
        new VxlanFdbDstCheck(),           // 7 (flannel style: an FDB entry's dst is not its peer's node)
        new MtuCheck(),                   // 8
        new FirewallCheck(),              // 9
        new LinkDownCheck(),              // 10
        new RouteCheck(),                 // 11 (root → pod)
        new PodBlackholeCheck(),          // 11 (a discard route over other hosts' pods)
        new ReturnRouteCheck(),           // 11 (the way back through a router)
        new PermanentNeighborCheck(),     // 12
        new VxlanNeighborCheck(),         // 12 (flannel style: the gateway entry on flannel.1)
        new StaleVtepNeighborCheck(),     // 12 (flannel style: a permanent entry with a peer's old VTEP MAC)
        new NeighborConflictCheck(),      // 12 (nodes' permanent entries for one address disagree on its MAC)
        new NeighborMacChangedCheck(),    // 13 (one entry read with different MACs in one namespace)
        new NeighborStateCheck(),         // 13
        new DuplicateIpCheck(),           // 14
        new ForwardingCheck(),            // 15
        new RpFilterCheck(),              // 16
        new VethPeerCheck(),              // 17
        new BridgePortCheck(),            // 18
        new UnderlayRouteCheck(),         // 19
        new PeerDriftCheck(),             // 11, 15 (a host unlike its peers: a route or forwarding they all have)
        new ServiceCheck(),               // 20 (Kubernetes Services: no endpoints, stale conntrack)
        new ServiceReachCheck(),          // 21, 22 (pod traffic leaving the cluster not masqueraded; a NodePort dropped by a firewall)
        new ServiceEndpointCheck(),       // 27 (a Service endpoint the node cannot reach: the trace after kube-proxy's DNAT dies)
    ];
}
