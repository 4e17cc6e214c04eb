namespace NetSleuth.Synth;

/// <summary>The CNI shape of a synthetic cluster.</summary>
public enum SynthStyle
{
    /// <summary>cni0 Linux bridge per node, flannel-like VXLAN (flannel.1) between nodes.</summary>
    Bridge,
    /// <summary>OVN-Kubernetes-like: OVS br-int with per-pod veth ports and the ovn-k8s-mp0 management port.</summary>
    Ovs,
    /// <summary>Ovs plus Kata peer pods: pod eth0 glued by tc mirred to an x-netns VXLAN to a pod VM host.</summary>
    PeerPods,
}

/// <summary>What to generate. Every output is a pure function of these values.</summary>
public sealed record SynthOptions(int Nodes, int PodsPerNode, SynthStyle Style = SynthStyle.Ovs, int Faults = 0, int Seed = 1)
{
    /// <summary>Peer pods per worker node (peer-pods style only): each is one more host, the pod VM.</summary>
    public int PeerPodsPerNode { get; init; } = 2;

    /// <summary>Kubernetes Services (each with two endpoints on two nodes; every tenth with a NodePort): every node's root
    /// namespace gets the nat table kube-proxy's iptables mode writes for them (<see cref="KubeProxyRules"/>).</summary>
    public int Services { get; init; }

    public const int MaxServices = 20000;

    public const int MaxNodes = 16000;
    public const int MaxPods = 250;

    public static string StyleName(SynthStyle s) => s switch
    {
        SynthStyle.Bridge => "bridge",
        SynthStyle.Ovs => "ovs",
        _ => "peer-pods",
    };

    public static SynthStyle? ParseStyle(string s) => s switch
    {
        "bridge" => SynthStyle.Bridge,
        "ovs" => SynthStyle.Ovs,
        "peer-pods" => SynthStyle.PeerPods,
        _ => null,
    };

    /// <summary>Throws <see cref="ArgumentException"/> with a user-facing message when the values cannot be generated.</summary>
    public void Validate()
    {
        if (Nodes is < 1 or > MaxNodes) throw new ArgumentException($"--nodes must be between 1 and {MaxNodes}");
        if (PodsPerNode is < 0 or > MaxPods) throw new ArgumentException($"--pods must be between 0 and {MaxPods}");
        if (Style == SynthStyle.PeerPods && PeerPodsPerNode > PodsPerNode)
            throw new ArgumentException($"peer-pods style needs at least {PeerPodsPerNode} pods per node");
        if (Services is < 0 or > MaxServices) throw new ArgumentException($"--services must be between 0 and {MaxServices}");
        if (Services > 0 && PodsPerNode == 0) throw new ArgumentException("--services needs pods (--pods 1 or more) to be their endpoints");
        if (Faults < 0) throw new ArgumentException("--faults must not be negative");
        if (Faults > Nodes) throw new ArgumentException($"--faults must not exceed --nodes ({Nodes}): each fault gets a node of its own");
    }
}
