using NetSleuth.Lab;

namespace NetSleuth.LabTests.Lab;

/// <summary>
/// A counter read before and after the first probe: NAME is "dev/DEVICE/rx|tx" (packets of a device)
/// or a kernel counter "Icmp.InEchos" (nstat names). Only ICMP/IP counters are used for "must not
/// grow": device counters also see ARP and IGMP noise.
/// </summary>
internal sealed record Counter(string Role, string Name, bool Grows);

/// <summary>
/// Where each fault's packets must (or must not) show up while the scenario's first probe runs.
/// This checks the documented symptom ("requests reach vxlan0, no reply"), not only that the ping fails.
/// </summary>
internal static class Symptoms
{
    public static IReadOnlyList<Counter> For(string scenario, string fault) => (scenario == "bridge-pods", fault) switch
    {
        (_, LabFaults.PortSecurity) => [new("wk", "Ip.OutRequests", true), new("vmpod", "Icmp.InEchos", false)],
        (_, LabFaults.MissingLspAddress) => [new("wk", "Ip.OutRequests", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.MacMismatch) => [new("vmpod", "dev/vxlan0/rx", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.MissingRedirect) => [new("vmpod", "Icmp.OutEchoReps", true), new("wkpod", "dev/vxlan1/rx", true), new("wk", "Icmp.InEchoReps", false)],
        (false, LabFaults.VniMismatch) => [new("vm", "dev/ens2/rx", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.PortMismatch) => [new("vm", "Icmp.OutDestUnreachs", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.WrongRemote) => [new("vmpod", "Icmp.OutEchoReps", true), new("wk", "Icmp.InEchoReps", false)],
        (false, LabFaults.FirewallDrop) => [new("vm", "dev/ens2/rx", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.LinkDown) => [new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.NoRoute) => [new("wk", "Ip.OutNoRoutes", true), new("vmpod", "Icmp.InEchos", false)],
        (false, LabFaults.UnderlayNoRoute) => [new("vmpod", "Icmp.InEchos", false), new("vm", "Ip.InReceives", false)],
        (false, LabFaults.DanglingVeth or LabFaults.WrongMaster) => [new("vmpod", "Icmp.InEchos", false)],
        (true, LabFaults.FirewallDrop) => [new("router", "dev/r-n1/rx", true), new("n2", "Icmp.InEchos", false)],
        (true, LabFaults.LinkDown) => [new("router", "dev/r-n1/rx", true), new("n2", "Icmp.InEchos", false)],
        (true, LabFaults.NoRoute) => [new("n2", "Icmp.InEchos", true), new("n2", "Icmp.OutEchoReps", false)],
        (true, LabFaults.StaleNeighbor) => [new("router", "dev/r-n2/tx", true), new("n2", "Icmp.InEchos", false)],
        (true, LabFaults.IpForwardOff) => [new("router", "Ip.InAddrErrors", true), new("n2", "Icmp.InEchos", false)],
        (true, LabFaults.RpFilter) => [new("n2", "Icmp.OutEchoReps", true), new("router", "TcpExt.IPReversePathFilter", true), new("n1pod1", "Icmp.InEchoReps", false)],
        (true, LabFaults.DanglingVeth) => [new("n1", "Ip.InReceives", false), new("n2", "Icmp.InEchos", false)],
        (true, LabFaults.WrongMaster) => [new("n2", "Icmp.OutEchoReps", true), new("n1pod1", "Icmp.InEchoReps", false)],
        _ => [],
    };
}
