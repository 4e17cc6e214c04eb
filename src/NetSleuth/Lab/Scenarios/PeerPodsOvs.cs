namespace NetSleuth.Lab.Scenarios;

/// <summary>
/// <see cref="PeerPods"/> with real Open vSwitch as br-int: a private ovsdb-server and ovs-vswitchd
/// started inside wk (userspace datapath, bridge datapath_type=netdev), the pod veth as a port and
/// ovn-k8s-mp0 as an internal port.
/// </summary>
internal sealed class PeerPodsOvs : PeerPods
{
    public override string Name => "peer-pods-ovs";
    public override string Summary =>
        "peer-pods with real Open vSwitch as br-int (private ovsdb-server/ovs-vswitchd in wk, userspace datapath)";

    protected override bool UsesOvs => true;

    private protected override IBrInt BrInt(LabShell sh, LabPlan plan) => new OvsBrInt(new LabOvs(sh, plan.Prefix, plan.Ns("wk")));
}
