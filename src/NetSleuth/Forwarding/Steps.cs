using System.Net;
using System.Text.Json.Serialization;
using NetSleuth.Model;

namespace NetSleuth.Forwarding;

/// <summary>
/// One thing the kernel does to the packet (Batfish's Step). Each kind is a record of its own with
/// the facts it used; <see cref="Text"/> is the one-line note the text renderer prints.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(SourceStep), "source")]
[JsonDerivedType(typeof(RuleStep), "rule")]
[JsonDerivedType(typeof(RoutingStep), "routing")]
[JsonDerivedType(typeof(NeighborStep), "neighbor")]
[JsonDerivedType(typeof(ArpStep), "arp")]
[JsonDerivedType(typeof(LinkStep), "link")]
[JsonDerivedType(typeof(BridgeStep), "bridge")]
[JsonDerivedType(typeof(OpenFlowStep), "openflow")]
[JsonDerivedType(typeof(VethStep), "veth")]
[JsonDerivedType(typeof(TcRedirectStep), "tcRedirect")]
[JsonDerivedType(typeof(TcFilterStep), "tcFilter")]
[JsonDerivedType(typeof(VxlanEncapStep), "vxlanEncap")]
[JsonDerivedType(typeof(VxlanDecapStep), "vxlanDecap")]
[JsonDerivedType(typeof(UnderlayStep), "underlay")]
[JsonDerivedType(typeof(ReceiveStep), "receive")]
[JsonDerivedType(typeof(FilterStep), "filter")]
[JsonDerivedType(typeof(NatStep), "nat")]
[JsonDerivedType(typeof(ChoiceStep), "choice")]
[JsonDerivedType(typeof(IpvsStep), "ipvs")]
[JsonDerivedType(typeof(SysctlStep), "sysctl")]
[JsonDerivedType(typeof(MtuStep), "mtu")]
[JsonDerivedType(typeof(DeliveredStep), "delivered")]
[JsonDerivedType(typeof(DropStep), "drop")]
public abstract record Step
{
    /// <summary>The note an engineer would write for this step.</summary>
    public abstract string Text { get; }
    /// <summary>The input line the step's fact came from, when known.</summary>
    public SourceRef? Evidence { get; init; }
    /// <summary>What had to be assumed for this step.</summary>
    public string? Assumption { get; init; }
}

/// <summary>Source address selection for a locally generated packet.</summary>
public sealed record SourceStep(IPAddress Address, string Reason) : Step
{
    public override string Text => $"source address {Address} ({Reason})";
}

/// <summary>A policy rule that matched (or was passed over with a reason).</summary>
public sealed record RuleStep(uint Priority, string Rule, string Outcome) : Step
{
    public override string Text => $"rule {Rule}: {Outcome}";
}

/// <summary>A FIB lookup result.</summary>
/// <param name="Table">table name or number</param>
/// <param name="Route">the matching route as `ip route` prints it; null when none matched</param>
/// <param name="Decision">local, forward, output, …</param>
public sealed record RoutingStep(string Table, string? Route, string Decision, string? OutDevice, IPAddress? NextHop) : Step
{
    public override string Text => Route is null
        ? $"no route matches ({Decision})"
        : $"table {Table}: {Route} → {Decision}" + (OutDevice is null ? "" : $" out {OutDevice}") +
          (NextHop is null ? "" : $" next hop {NextHop}");
}

/// <summary>The next hop's entry in the neighbour table.</summary>
public sealed record NeighborStep(IPAddress Address, string Device, MacAddress? Mac, string State) : Step
{
    public override string Text => $"neighbour {Address} dev {Device}: " + (Mac is { } m ? $"lladdr {m} " : "") + State;
}

/// <summary>No neighbour entry: ARP simulated across the L2 domain.</summary>
/// <param name="AnsweredBy">the device that answers ("host:ns:dev"), null when nobody does</param>
public sealed record ArpStep(IPAddress Target, string Device, MacAddress? Mac, string? AnsweredBy, string Reason) : Step
{
    public override string Text => AnsweredBy is null
        ? $"ARP who-has {Target} on {Device}: no answer ({Reason})"
        : $"ARP who-has {Target} on {Device}: answered by {AnsweredBy} with {Mac} ({Reason})";
}

/// <summary>A device's administrative and carrier state.</summary>
public sealed record LinkStep(string Device, string State, bool Up) : Step
{
    public override string Text => $"{Device} is {State}";
}

/// <summary>A bridge (Linux or OVS) forwarding decision.</summary>
/// <param name="Decision">fdb, flood, local, …</param>
public sealed record BridgeStep(string Bridge, string InPort, string? OutPort, MacAddress DestinationMac, string Decision) : Step
{
    public override string Text => $"bridge {Bridge}: frame to {DestinationMac} from {InPort}: {Decision}" +
        (OutPort is null ? "" : $" → out {OutPort}");
}

/// <summary>An OpenFlow flow of an Open vSwitch bridge that the packet matched (`ovs-ofctl dump-flows`): its table,
/// priority, cookie, match and actions; <see cref="Step.Evidence"/> is its input line.</summary>
public sealed record OpenFlowStep(string Bridge, int Table, int Priority, string? Cookie, string Match, string Actions) : Step
{
    public override string Text => $"bridge {Bridge}: OpenFlow table {Table}, priority {Priority}{(Cookie is null ? "" : ", cookie " + Cookie)}: " +
        $"{(Match.Length == 0 ? "(any)" : Match)} → actions={(Actions.Length == 0 ? "drop" : Actions)}";
}

/// <summary>A frame crossing a veth pair into the peer.</summary>
public sealed record VethStep(string Device, string PeerNode, string Peer) : Step
{
    public override string Text => $"veth {Device} → peer {Peer} in {PeerNode}";
}

/// <summary>A tc mirred action.</summary>
public sealed record TcRedirectStep(string Device, string Hook, string Action, string Target, string TargetDirection) : Step
{
    public override string Text => $"tc {Hook} filter on {Device}: mirred {TargetDirection} {Action} to {Target}";
}

/// <summary>A tc filter that drops, or whose match is not understood.</summary>
public sealed record TcFilterStep(string Device, string Hook, string Filter, string Verdict) : Step
{
    public override string Text => $"tc {Hook} filter on {Device} ({Filter}): {Verdict}";
}

/// <summary>VXLAN encapsulation: the outer UDP packet leaves from the underlay namespace.</summary>
public sealed record VxlanEncapStep(string Device, uint? Vni, IPAddress Remote, int DestinationPort, string UnderlayNode, IPAddress? OuterSource, string RemoteFrom) : Step
{
    public override string Text =>
        $"vxlan {Device}: encapsulate in VNI {Vni?.ToString() ?? "?"} to {Remote}:{DestinationPort} ({RemoteFrom}); the outer packet is sent from {UnderlayNode}" +
        (OuterSource is null ? "" : $" with source {OuterSource}");
}

/// <summary>VXLAN decapsulation on the far end.</summary>
public sealed record VxlanDecapStep(string Device, uint? Vni, int Port, string Node) : Step
{
    public override string Text => $"udp :{Port} VNI {Vni?.ToString() ?? "?"} → decapsulated by {Device} in {Node}";
}

/// <summary>A frame crossing the network between hosts (assumed from a shared subnet).</summary>
public sealed record UnderlayStep(string FromDevice, string ToNode, string ToDevice, string Subnet) : Step
{
    public override string Text => $"{FromDevice} → underlay {Subnet} → {ToDevice} on {ToNode}";
}

/// <summary>The L2 receive check: is the frame addressed to this device?</summary>
public sealed record ReceiveStep(string Device, MacAddress? DeviceMac, MacAddress FrameMac, string Verdict) : Step
{
    public override string Text => $"{Device} ({DeviceMac?.ToString() ?? "no MAC"}) receives frame to {FrameMac}: {Verdict}";
}

/// <summary>A netfilter verdict (iptables or nftables), with the deciding rule.</summary>
/// <param name="Engine">iptables or nftables</param>
/// <param name="Rule">the rule that decided, or null for the chain policy</param>
/// <param name="Verdict">ACCEPT, DROP, REJECT, uncertain, …</param>
public sealed record FilterStep(string Engine, string Table, string Chain, string? Rule, string Verdict) : Step
{
    public override string Text => $"{Engine} {Table} {Chain}: " + (Rule is null ? $"policy {Verdict}" : $"{Rule} → {Verdict}");
}

/// <summary>A sysctl that decides (ip_forward, rp_filter, arp_ignore, proxy_arp).</summary>
public sealed record SysctlStep(string Key, string? Value, string Meaning) : Step
{
    public override string Text => $"{Key} = {Value ?? "?"}: {Meaning}";
}

/// <summary>Packet size against a device (or route) MTU.</summary>
public sealed record MtuStep(string Device, int Mtu, int Size, string Verdict) : Step
{
    public override string Text => $"{Size} bytes vs mtu {Mtu} of {Device}: {Verdict}";
}

/// <summary>Accepted by the destination namespace.</summary>
public sealed record DeliveredStep(string Device, IPAddress Address, string Note) : Step
{
    public override string Text => $"delivered to {Address} on {Device} ({Note})";
}

/// <summary>Where the packet dies, and why.</summary>
public sealed record DropStep(Disposition Disposition, string Reason, string? Device) : Step
{
    public override string Text => $"{Disposition}: {Reason}";
}
