using System.Buffers.Binary;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>
/// The address plan of a synthetic cluster, computed (not random) so any node's neighbours can be
/// derived without generating them. Underlay: nodes in racks of 200 on 198.18.R.0/24 (gateway .1 =
/// the underlay router), pod VMs on 198.19.S.0/24. Overlay: cluster network 10.128.0.0/9, per node a
/// /23 (ovs styles: .1 gateway, .2 ovn-k8s-mp0) or a /24 (bridge: .0 flannel.1, .1 cni0).
/// </summary>
internal sealed class Addressing(SynthOptions options)
{
    public const int NodesPerRack = 200;
    public const int VmsPerSubnet = 200;
    public const uint ClusterNetwork = 0x0A80_0000; // 10.128.0.0
    public const int ClusterLength = 9;
    public const uint NodeUnderlayBase = 0xC612_0000; // 198.18.0.0
    public const uint VmUnderlayBase = 0xC613_0000; // 198.19.0.0
    public const int UnderlayMtu = 1500;

    public SynthOptions Options { get; } = options;
    public bool IsBridge => Options.Style == SynthStyle.Bridge;
    public int HostSubnetLength => IsBridge ? 24 : 23;
    public int Racks => (Options.Nodes + NodesPerRack - 1) / NodesPerRack;
    public int VmCount => Options.Style == SynthStyle.PeerPods ? Options.Nodes * Options.PeerPodsPerNode : 0;
    public int VmSubnets => (VmCount + VmsPerSubnet - 1) / VmsPerSubnet;

    public static string NodeName(int node) => $"node-{node + 1:D4}";
    public static string VmName(int node, int peer) => $"podvm-{node + 1:D4}-{peer + 1}";
    public const string RouterName = "underlay-router";

    public static int Rack(int node) => node / NodesPerRack;
    public static uint RackGateway(int rack) => NodeUnderlayBase + ((uint)rack << 8) + 1;
    public static uint NodeIp(int node) => NodeUnderlayBase + ((uint)Rack(node) << 8) + 11 + (uint)(node % NodesPerRack);

    public int VmNumber(int node, int peer) => node * Options.PeerPodsPerNode + peer;
    public static int VmSubnet(int vm) => vm / VmsPerSubnet;
    public static uint VmGateway(int subnet) => VmUnderlayBase + ((uint)subnet << 8) + 1;
    public static uint VmIp(int vm) => VmUnderlayBase + ((uint)VmSubnet(vm) << 8) + 11 + (uint)(vm % VmsPerSubnet);

    /// <summary>The node's pod subnet (network address).</summary>
    public uint HostSubnet(int node) => ClusterNetwork + ((uint)node << (32 - HostSubnetLength));
    public uint PodGateway(int node) => HostSubnet(node) + 1;
    /// <summary>ovn-k8s-mp0's address (ovs styles).</summary>
    public uint ManagementIp(int node) => HostSubnet(node) + 2;
    public uint PodIp(int node, int pod) => HostSubnet(node) + (uint)(IsBridge ? 2 : 3) + (uint)pod;

    /// <summary>OVN-Kubernetes derives a logical port's MAC from its IP: 0a:58 + the four octets.</summary>
    public static MacAddress OvnMac(uint ip) => new(0x0A58_0000_0000UL | ip);

    public static MacAddress UnderlayMac(uint ip) => new(0x5254_0000_0000UL | ip);
    /// <summary>The MAC of node N's flannel.1 (bridge style): fixed by the plan so peers can name it.</summary>
    public static MacAddress FlannelMac(int node) => new(0x9A_00_00_00_00_00UL | (uint)(node * 2654435761u));

    public static IPAddress Ip(uint v) => new(BinaryPrimitives.ReverseEndianness(v));
    public static IpPrefix Prefix(uint v, int len) => new(Ip(v), len);
    public static uint Broadcast(uint v, int len) => len >= 31 ? v : v | (uint.MaxValue >> len);
    public static uint Network(uint v, int len) => len == 0 ? 0 : v & (uint.MaxValue << (32 - len));
}
