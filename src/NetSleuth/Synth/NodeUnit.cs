using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>One worker node as generated, with handles on the objects faults are placed on.</summary>
internal sealed class NodeUnit(int index, Host host, NsBuilder root)
{
    public int Index { get; } = index;
    public Host Host { get; } = host;
    public NsBuilder Root { get; } = root;
    public List<PodSite> Pods { get; } = [];
    /// <summary>Pod VMs of this node's peer pods (peer-pods style).</summary>
    public List<Host> Vms { get; } = [];
    /// <summary>Every namespace of the unit's hosts, finished together once the unit is built.</summary>
    public List<NsBuilder> Builders { get; } = [];
    /// <summary>The node's own tunnel device (flannel.1 in bridge style).</summary>
    public Link? Tunnel { get; set; }
    /// <summary>The bridge pods hang off: cni0, or br-int's OVS bridge record.</summary>
    public OvsBridge? OvsBridge { get; set; }
    public IEnumerable<Host> Hosts => Vms.Prepend(Host);
}

/// <summary>A pod: its namespace on the worker, both veth ends, and its address.</summary>
internal sealed class PodSite
{
    public required int Index { get; init; }
    public required NsBuilder Ns { get; init; }
    public required Link HostVeth { get; init; }
    public required Link Eth0 { get; init; }
    public required uint Ip { get; init; }
    /// <summary>The worker root's neighbour entry for the pod IP.</summary>
    public required Neighbor RootNeighbor { get; init; }
    public OvsPort? OvsPort { get; init; }
    public PeerSite? Peer { get; set; }
}

/// <summary>A peer pod: the worker-side VXLAN and tc glue, and the pod VM with its podns.</summary>
internal sealed class PeerSite
{
    public required Host Vm { get; init; }
    public required NsBuilder VmRoot { get; init; }
    public required NsBuilder PodNs { get; init; }
    public required Link WorkerVxlan { get; init; }
    public required Link VmVxlan { get; init; }
    public required TcFilter Eth0Filter { get; init; }
    public required TcFilter VxlanFilter { get; init; }
    public required uint VmIp { get; init; }
    public required int VmNumber { get; init; }
}
