using NetSleuth.Model.Collections;
namespace NetSleuth.Model;

/// <summary>Open vSwitch state from one OVSDB (ovs-vsctl), held by the namespace ovs-vswitchd runs in.</summary>
public sealed class OvsState
{
    public string? OvsVersion { get; set; }
    public List<OvsBridge> Bridges { get; set; } = [];
    /// <summary>OpenFlow port statistics by bridge and port name, from `ovs-ofctl dump-ports`.</summary>
    public List<OvsPortStats> PortStats { get; set; } = [];
    /// <summary>Ports read (`ovs-vsctl list port`) whose bridge was not shown.</summary>
    public List<OvsPort> UnplacedPorts { get; set; } = [];
    /// <summary>Interfaces read (`ovs-vsctl list interface`) whose port was not shown.</summary>
    public List<OvsInterface> UnplacedInterfaces { get; set; } = [];
    /// <summary>Negative evidence: a port a bridge does not have (`ovs-ofctl: br-ex: unknown port `ovn-k8s-mp0'`).</summary>
    public List<OvsAbsentPort> AbsentPorts { get; set; } = [];
    /// <summary>Traces Open vSwitch made of single packets (`ovs-appctl ofproto/trace BRIDGE FLOW` outputs in the input).</summary>
    public List<RecordedTrace> Traces { get; set; } = [];
    public SourceRef? Source { get; set; }
}

public sealed class OvsBridge
{
    public required string Name { get; set; }
    public string? Uuid { get; set; }
    /// <summary>"system" (kernel datapath) or "netdev" (userspace).</summary>
    public string? DatapathType { get; set; }
    /// <summary>standalone or secure.</summary>
    public string? FailMode { get; set; }
    public StringMap ExternalIds { get; set; } = new();
    public List<OvsPort> Ports { get; set; } = [];
    /// <summary>OpenFlow flows of the bridge (`ovs-ofctl dump-flows BR`), in the order printed.</summary>
    public List<OvsFlow> Flows { get; set; } = [];
    /// <summary>The whole flow table was read (a dump of every table, not cut or filtered): the tracer follows
    /// <see cref="Flows"/> instead of assuming NORMAL. An empty table that is known drops everything.</summary>
    public bool FlowsKnown { get; set; }
    public SourceRef? Source { get; set; }
}

/// <summary>One OpenFlow flow as `ovs-ofctl dump-flows` prints it (lib/ofp-flow.c ofputil_flow_stats_format):
/// match fields and actions kept as printed, one item per field or action (`nw_dst=198.18.2.0/23`,
/// `resubmit(,10)`); Forwarding.OpenFlow evaluates them.</summary>
public sealed class OvsFlow
{
    public int Table { get; set; }
    /// <summary>32768 (OFP_DEFAULT_PRIORITY) when dump-flows prints none.</summary>
    public int Priority { get; set; } = 32768;
    /// <summary>As printed ("0x16"); null for 0x0.</summary>
    public string? Cookie { get; set; }
    public long? Packets { get; set; }
    /// <summary>Match fields: `ip`, `in_port=2`, `in_port="ovn-k8s-mp0"`, `reg0=0x2/0xff`.</summary>
    public List<string> Match { get; set; } = [];
    /// <summary>Actions: `load:0x1->NXM_NX_REG0[]`, `resubmit(,10)`, `output:2`, `NORMAL`; empty = drop.</summary>
    public List<string> Actions { get; set; } = [];
    public SourceRef? Source { get; set; }
}

public sealed class OvsPort
{
    public required string Name { get; set; }
    public string? Uuid { get; set; }
    public int? Tag { get; set; }
    public List<int> Trunks { get => field ??= []; set; }
    public List<OvsInterface> Interfaces { get => field ??= []; set; }
    public SourceRef? Source { get; set; }
}

public sealed class OvsInterface
{
    public required string Name { get; set; }
    public string? Uuid { get; set; }
    /// <summary>"" (system), internal, patch, vxlan, geneve, tap, dpdk, …</summary>
    public string? Type { get; set; }
    public int? OfPort { get; set; }
    public MacAddress? MacInUse { get; set; }
    public MacAddress? Mac { get; set; }
    public StringMap ExternalIds { get => field ??= new(); set; }
    /// <summary>options: remote_ip, key, dst_port, peer, …</summary>
    public StringMap Options { get => field ??= new(); set; }
    public string? Error { get; set; }
    public string? LinkState { get; set; }
    public string? AdminState { get; set; }
    /// <summary>bfd_status: state, forwarding, diagnostic, remote_state… (BFD on a tunnel, when enabled).</summary>
    public StringMap BfdStatus { get => field ??= new(); set; }
    /// <summary>status: for a tunnel, tunnel_egress_iface and tunnel_egress_iface_carrier.</summary>
    public StringMap Status { get => field ??= new(); set; }
    public SourceRef? Source { get; set; }
}

public sealed class OvsPortStats
{
    public required string Bridge { get; set; }
    /// <summary>Port name or number as dump-ports prints it ("LOCAL", "1", "eth0").</summary>
    public required string Port { get; set; }
    public long? RxPackets { get; set; }
    public long? RxDropped { get; set; }
    public long? RxErrors { get; set; }
    public long? TxPackets { get; set; }
    public long? TxDropped { get; set; }
    public long? TxErrors { get; set; }
}

/// <summary>A port that the named bridge does not have, as a tool said (`ovs-ofctl dump-ports BR PORT` answering
/// "unknown port"): it rules that bridge out when a device's bridge is worked out from the other evidence.</summary>
public sealed class OvsAbsentPort
{
    public required string Bridge { get; set; }
    public required string Port { get; set; }
    public SourceRef? Source { get; set; }
}

/// <summary>What Open vSwitch (`ovs-appctl ofproto/trace`) or OVN (`ovn-trace`) said one packet does, read from its output:
/// evidence the tracer shows beside its own verdict.</summary>
public sealed class RecordedTrace
{
    /// <summary>"ofproto/trace" or "ovn-trace".</summary>
    public required string Tool { get; set; }
    /// <summary>The bridge (ofproto/trace) or the logical datapath the packet entered (ovn-trace).</summary>
    public string? Bridge { get; set; }
    /// <summary>The packet as the tool printed it (`icmp,in_port=2,dl_src=…`).</summary>
    public required string Flow { get; set; }
    /// <summary>Where it goes: OpenFlow ports (ofproto/trace) or logical ports (ovn-trace), in order.</summary>
    public List<string> Outputs { get; set; } = [];
    public bool Dropped { get; set; }
    /// <summary>The tool's own words for the outcome: "Datapath actions: drop", "drop at ls_out_apply_port_sec (worker)".</summary>
    public string? Verdict { get; set; }
    public SourceRef? Source { get; set; }
}
