using static NetSleuth.Lab.LabFaults;

namespace NetSleuth.Lab.Scenarios;

/// <summary>
/// The mission story (docs lab-recipe.md): host "worker" = wk (root) + wkpod (the pod namespace),
/// host "podvm" = vm (root) + vmpod (the VM's podns). br-int is a Linux bridge, or a private Open
/// vSwitch with the userspace datapath in <see cref="PeerPodsOvs"/>. Healthy: vxlan0 has the pod
/// eth0 MAC, so the worker's ping to the pod IP is answered by vmpod.
/// </summary>
internal class PeerPods : LabScenario
{
    public const string PodIp = "198.18.2.46";
    public const string Mp0Ip = "198.18.2.2";
    public const string PodMac = "0a:58:0a:84:02:2e";
    public const string VmOwnMac = "7e:e5:f7:e6:f5:1a";
    public const string WorkerUnderlay = "198.51.100.163";
    public const string VmUnderlay = "198.51.100.201";
    public const string NobodyUnderlay = "198.51.100.99";
    public const string HostVeth = "8b7266486ea2861";
    public const int Vni = 555005;
    public const int Port = 4789;
    public const int OverlayMtu = 1400;

    public override string Name => "peer-pods";
    public override string Summary =>
        "worker (wk + pod netns wkpod: veth, tc mirred, x-netns VXLAN) and pod VM (vm + vmpod: vxlan0); Linux bridge as br-int";

    protected virtual bool UsesOvs => false;

    public override IReadOnlyDictionary<string, string> FaultChanges { get; } = new Dictionary<string, string>
    {
        [MacMismatch] = $"vxlan0 in vmpod gets its own MAC {VmOwnMac}; wk's permanent neighbour for {PodIp} holds the pod eth0 MAC {PodMac}",
        [MissingRedirect] = "no tc ingress redirect on vxlan1 in wkpod: replies arriving through the tunnel never reach eth0",
        [VniMismatch] = $"vxlan0 in vmpod uses VNI {Vni + 1}, vxlan1 in wkpod {Vni}",
        [PortMismatch] = $"vxlan0 (socket in vm) uses dstport {Port + 1}, vxlan1 sends to {Port}",
        [WrongRemote] = $"vxlan0's remote is {NobodyUnderlay} (nobody's) instead of the worker's {WorkerUnderlay}",
        [Mtu] = $"underlay ens3/ens2 MTU {OverlayMtu}: the overlay MTU {OverlayMtu} + 50 does not fit (tunnels have df inherit)",
        [FirewallDrop] = $"nftables in vm drops UDP port {Port} on input (table inet netsleuth_lab)",
        [LinkDown] = "eth0 in wkpod is down (its peer on br-int has no carrier)",
        [NoRoute] = "wk has no route to the pod subnet 198.18.2.0/23 (the connected route on ovn-k8s-mp0 is deleted)",
        [MissingNeighbor] = $"no permanent neighbour for {PodIp} on wk: ARP crosses the tunnel and vxlan0 answers (still works; with mac-mismatch too: the faults.md #3 negative control)",
        [DanglingVeth] = $"the host end {HostVeth} of wkpod's eth0 is in namespace 'stray' (no lab host), not on br-int",
        [WrongMaster] = $"{HostVeth} is a port of br-ex instead of br-int",
        [UnderlayNoRoute] = "wk (vxlan1's underlay namespace) has no route to the remote 198.51.100.201 (the connected route on ens3 is deleted)",
    };

    public override IReadOnlyList<(string, string)> Conflicts => [(DanglingVeth, WrongMaster), (DanglingVeth, LinkDown)];

    public override LabPlan Plan(string prefix, IReadOnlySet<string> faults)
    {
        var p = new LabPlan { Prefix = prefix };
        string? ovsDb = UsesOvs ? "unix:" + Path.Combine(LabPaths.OvsDir(prefix), "db.sock") : null;
        p.Hosts.Add(new LabHost("worker", p.Ns("wk"), [p.Ns("wk"), p.Ns("wkpod")], ovsDb));
        p.Hosts.Add(new LabHost("podvm", p.Ns("vm"), [p.Ns("vm"), p.Ns("vmpod")]));
        if (faults.Contains(DanglingVeth)) p.ExtraNamespaces.Add(p.Ns("stray"));
        if (faults.Contains(FirewallDrop)) p.Tools["nft"] = "nftables";
        if (UsesOvs) foreach (var (k, v) in LabOvs.Tools) p.Tools[k] = v;

        // mac-mismatch only breaks the path when the sender's MAC comes from the permanent entry
        var breaking = faults.Where(f => f is not (MissingNeighbor or Mtu)).ToList();
        if (faults.Contains(MissingNeighbor)) breaking.Remove(MacMismatch);
        string why = breaking.Count == 0 ? "" : string.Join("; ", breaking.Select(f => $"{f}: {LabFaults.Find(f)!.Symptom}"));
        bool small = breaking.Count == 0;
        p.Probes.Add(new LabProbe("pod", "worker", p.Ns("wk"), PodIp, 56, false, small,
            small ? "replies come back from vxlan0 in vmpod" : why));
        bool large = small && !faults.Contains(Mtu);
        p.Probes.Add(new LabProbe("pod-large", "worker", p.Ns("wk"), PodIp, OverlayMtu - 28, true, large,
            large ? $"a full-size {OverlayMtu}-byte packet with DF fits the tunnel"
                  : small ? $"{Mtu}: {LabFaults.Find(Mtu)!.Symptom}" : why));
        return p;
    }

    public override void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults)
    {
        string wk = plan.Ns("wk"), wkpod = plan.Ns("wkpod"), vm = plan.Ns("vm"), vmpod = plan.Ns("vmpod");
        string underlayMtu = faults.Contains(Mtu) ? $"{OverlayMtu}" : "1500";
        string mtu = $"{OverlayMtu}";

        // underlay between the two "machines"
        sh.Ip(wk, "link", "add", "ens3", "mtu", underlayMtu, "type", "veth", "peer", "name", "ens2", "mtu", underlayMtu, "netns", vm);
        sh.Ip(wk, "addr", "add", WorkerUnderlay + "/24", "dev", "ens3");
        sh.Ip(wk, "link", "set", "ens3", "up");
        sh.Ip(vm, "addr", "add", VmUnderlay + "/24", "dev", "ens2");
        sh.Ip(vm, "link", "set", "ens2", "up");
        if (faults.Contains(UnderlayNoRoute)) sh.Ip(wk, "route", "del", "198.51.100.0/24", "dev", "ens3");

        // worker: br-int and the management port ovn-k8s-mp0
        var sw = BrInt(sh, plan);
        sw.AddBridge("br-int");
        sw.AddManagementPort("br-int", "ovn-k8s-mp0", OverlayMtu);
        sh.Ip(wk, "addr", "add", Mp0Ip + "/23", "dev", "ovn-k8s-mp0");
        sh.Ip(wk, "link", "set", "ovn-k8s-mp0", "up");
        if (faults.Contains(NoRoute)) sh.Ip(wk, "route", "del", "198.18.2.0/23", "dev", "ovn-k8s-mp0");

        // the pod namespace: eth0 is a veth whose other end is a port of br-int
        string hostEnd = faults.Contains(DanglingVeth) ? plan.Ns("stray") : wk;
        sh.Ip(hostEnd, "link", "add", HostVeth, "mtu", mtu, "type", "veth", "peer", "name", "eth0", "mtu", mtu, "netns", wkpod);
        sh.Ip(hostEnd, "link", "set", HostVeth, "up");
        if (faults.Contains(WrongMaster))
        {
            sw.AddBridge("br-ex");
            sw.AddPort("br-ex", HostVeth);
        }
        else if (!faults.Contains(DanglingVeth)) sw.AddPort("br-int", HostVeth);
        sh.Ip(wkpod, "link", "set", "eth0", "address", PodMac);
        sh.Ip(wkpod, "addr", "add", PodIp + "/23", "dev", "eth0");
        if (!faults.Contains(LinkDown)) sh.Ip(wkpod, "link", "set", "eth0", "up");

        // vxlan1: made in wk (its UDP socket stays there), moved into the pod namespace
        sh.Ip(wk, "link", "add", "vxlan1", "mtu", mtu, "type", "vxlan", "id", $"{Vni}", "remote", VmUnderlay,
            "dstport", $"{Port}", "nolearning", "df", "inherit");
        sh.Ip(wk, "link", "set", "vxlan1", "netns", wkpod);
        sh.Ip(wkpod, "link", "set", "vxlan1", "up");
        Redirect(sh, wkpod, "eth0", "vxlan1");
        if (!faults.Contains(MissingRedirect)) Redirect(sh, wkpod, "vxlan1", "eth0");

        // pod VM: vxlan0 made in vm, moved into vmpod
        sh.Ip(vm, "link", "add", "vxlan0", "mtu", mtu, "type", "vxlan",
            "id", $"{(faults.Contains(VniMismatch) ? Vni + 1 : Vni)}",
            "remote", faults.Contains(WrongRemote) ? NobodyUnderlay : WorkerUnderlay,
            "dstport", $"{(faults.Contains(PortMismatch) ? Port + 1 : Port)}", "nolearning", "df", "inherit");
        sh.Ip(vm, "link", "set", "vxlan0", "netns", vmpod);
        sh.Ip(vmpod, "link", "set", "vxlan0", "address", faults.Contains(MacMismatch) ? VmOwnMac : PodMac);
        sh.Ip(vmpod, "addr", "add", PodIp + "/23", "dev", "vxlan0");
        sh.Ip(vmpod, "link", "set", "vxlan0", "up");
        sh.Ip(vmpod, "route", "add", "default", "via", "198.18.2.1", "dev", "vxlan0");

        // OVN's ARP responder answers with the logical port's MAC
        if (!faults.Contains(MissingNeighbor))
            sh.Ip(wk, "neigh", "replace", PodIp, "lladdr", PodMac, "dev", "ovn-k8s-mp0", "nud", "permanent");

        if (faults.Contains(FirewallDrop))
            sh.RunWithInput(
                $"table inet netsleuth_lab {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    udp dport {Port} drop\n  }}\n}}\n",
                "ip", "netns", "exec", vm, "nft", "-f", "-");
    }

    private static void Redirect(LabShell sh, string ns, string from, string to)
    {
        sh.Exec(ns, "tc", "qdisc", "add", "dev", from, "ingress");
        sh.Exec(ns, "tc", "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
            "action", "mirred", "egress", "redirect", "dev", to);
    }

    private protected virtual IBrInt BrInt(LabShell sh, LabPlan plan) => new LinuxBrInt(sh, plan.Ns("wk"));
}
