namespace NetSleuth.Lab;

/// <summary>The faults a lab can build (rows of docs/faults.md); each scenario says which it supports and how.</summary>
public static class LabFaults
{
    public const string MacMismatch = "mac-mismatch";
    public const string MissingRedirect = "missing-redirect";
    public const string VniMismatch = "vni-mismatch";
    public const string PortMismatch = "port-mismatch";
    public const string WrongRemote = "wrong-remote";
    public const string Mtu = "mtu";
    public const string FirewallDrop = "firewall-drop";
    public const string LinkDown = "link-down";
    public const string NoRoute = "no-route";
    public const string MissingNeighbor = "missing-permanent-neighbor";
    public const string StaleNeighbor = "stale-neighbor";
    public const string IpForwardOff = "ip-forward-off";
    public const string RpFilter = "rp-filter";
    public const string DanglingVeth = "dangling-veth";
    public const string WrongMaster = "wrong-master";
    public const string UnderlayNoRoute = "underlay-no-route";
    public const string NoEndpoints = "no-endpoints";
    public const string StaleConntrack = "stale-conntrack";
    public const string MissingMasquerade = "missing-masquerade";
    public const string NodePortDropped = "nodeport-dropped";
    public const string HairpinOff = "hairpin-off";
    public const string PortSecurity = "port-security";
    public const string MissingLspAddress = "missing-lsp-address";
    public const string TunnelDown = "tunnel-down";
    public const string EndpointUnreachable = "endpoint-unreachable";

    public static IReadOnlyList<LabFaultInfo> All { get; } =
    [
        new(MacMismatch, 1, "the tunnel's far end (vxlan0) has a MAC other than the one the sender resolved",
            "ping fails; the echo requests reach vxlan0 and are dropped there (frame for another host)"),
        new(MissingRedirect, 4, "the tc mirred redirect from the tunnel back to the pod's eth0 is missing",
            "ping fails one way: requests are answered by the far end, the replies stop at vxlan1"),
        new(VniMismatch, 5, "the two VXLAN ends use different VNIs",
            "ping fails; encapsulated UDP reaches the far host, nothing arrives on its vxlan device"),
        new(PortMismatch, 6, "the two VXLAN ends use different UDP destination ports",
            "ping fails; the far host answers the UDP with ICMP port unreachable"),
        new(WrongRemote, 7, "the far VXLAN end's remote is not the sender's underlay address",
            "ping fails: requests arrive, the replies are sent to an address nobody owns"),
        new(Mtu, 8, "the underlay MTU is too small for overlay MTU + 50 bytes of VXLAN",
            "small pings work; a full-size ping with DF set (ping -M do -s MTU-28) fails"),
        new(FirewallDrop, 9, "a firewall rule (nftables or iptables) drops the traffic on one hop",
            "ping fails; packets are seen up to the filtering hop, then nothing"),
        new(LinkDown, 10, "a device on the path is administratively down",
            "ping fails (no carrier / no route through the down device)"),
        new(NoRoute, 11, "a route the path needs is missing",
            "ping fails: 'Network is unreachable', or requests arrive and replies have no route"),
        new(MissingNeighbor, 12, "the permanent neighbour entry the design relies on (OVN's ARP responder) is missing",
            "none in peer-pods: ARP crosses the tunnel and vxlan0 answers; with mac-mismatch it is faults.md #3, the negative control (ping works)"),
        new(StaleNeighbor, 13, "a neighbour entry on the path holds a wrong MAC (stale, never re-resolved)",
            "ping fails: frames go to a MAC nobody has"),
        new(IpForwardOff, 15, "IP forwarding is off on a router hop (net.ipv4.ip_forward=0)",
            "ping fails: packets die at the router"),
        new(RpFilter, 16, "return traffic takes another path and strict reverse-path filtering (rp_filter=1) drops it",
            "ping fails one way: requests are answered, the replies are dropped at the router"),
        new(DanglingVeth, 17, "a veth's other end is in a namespace none of the lab's hosts contains",
            "ping fails: the peer of the pod's veth is not where the design says"),
        new(WrongMaster, 18, "a bridge port is attached to another bridge (wrong master)",
            "ping fails: the port's frames never reach the right bridge"),
        new(UnderlayNoRoute, 19, "the tunnel's underlay namespace has no route to the tunnel remote",
            "ping fails: nothing leaves the underlay ('Network is unreachable' inside the encapsulation)"),
        new(NoEndpoints, 20, "a Service has no ready endpoints: kube-proxy rejects its ClusterIP and NodePort",
            "connections to the ClusterIP are refused (ICMP port unreachable)"),
        new(StaleConntrack, 20, "a conntrack entry still maps a client's flow to a Service onto an endpoint that is gone",
            "that client's datagrams to the ClusterIP get no answer; other clients are served"),
        new(MissingMasquerade, 21, "pod traffic leaving the cluster is not masqueraded (the CNI's POSTROUTING MASQUERADE rule is missing)",
            "pods cannot reach anything outside the cluster: the outside has no route back to the pod addresses"),
        new(NodePortDropped, 22, "a firewall rule on a node drops connections to the NodePort before kube-proxy's DNAT",
            "connections from outside to NODE:NODEPORT time out; the ClusterIP still works"),
        new(HairpinOff, 23, "a Service endpoint's bridge port has hairpin mode off",
            "the pod's connections to its own Service time out whenever kube-proxy picks the pod itself"),
        new(PortSecurity, 24, "OVN port security on a logical switch port drops frames whose source MAC is not the port's (a MAC that moved)",
            "ping fails: br-int drops the frames to the moved MAC leaving for the port, and those from it entering (port security checks both ways)"),
        new(MissingLspAddress, 25, "a logical switch port has no address: OVN neither answers ARP for it nor switches unicast to it",
            "ping fails: ARP is flooded and answered, the unicast frames are dropped in br-int's L2 lookup"),
        new(TunnelDown, 26, "a chassis's tunnel (Geneve/VXLAN between OVN nodes) is down",
            "pings across nodes fail, traffic within a node works"),
        new(EndpointUnreachable, 27, "a Service endpoint the node cannot reach: a firewall rule on the endpoint's node drops its port",
            "connections to the ClusterIP time out whenever kube-proxy picks that endpoint; the other endpoints answer"),
    ];

    public static LabFaultInfo? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
