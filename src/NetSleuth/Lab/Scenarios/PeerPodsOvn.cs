using static NetSleuth.Lab.LabFaults;

namespace NetSleuth.Lab.Scenarios;

/// <summary>
/// The mission story on real OVN: a private OVN control plane (NB/SB ovsdb-servers + ovn-northd) in
/// wk; the worker (wk) and a second node (n2) each run their own Open vSwitch (userspace datapath) +
/// ovn-controller, joined by Geneve over breth1. Each node has a logical switch with its
/// ovn-k8s-mp0 (internal port) and one pod LSP; ovn_cluster_router joins the switches. The worker's
/// pod LSP (0a:58:0a:84:02:2e 198.18.2.46) is bound to the veth of wkpod, whose eth0 is redirected
/// by tc into the peer-pod VXLAN to vxlan0 in the pod VM (as in <see cref="PeerPods"/>). The worker
/// learns the pod's MAC from OVN's ARP responder, not from the pod.
/// </summary>
internal sealed class PeerPodsOvn : LabScenario
{
    public const string Node2PodIp = "198.18.4.10";
    public const string Node2PodMac = "0a:58:c6:12:04:0a";
    public const string WorkerEncap = "203.0.113.1";
    public const string Node2Encap = "203.0.113.2";
    public const string PodLsp = "default_peerpod";
    public const string Node2PodLsp = "default_web";

    public override string Name => "peer-pods-ovn";
    public override string Summary =>
        "peer-pods on real OVN: NB/SB + northd, worker and node2 with OVS (userspace) + ovn-controller joined by Geneve, the pod's LSP on br-int, peer-pod VXLAN to the pod VM";

    public override IReadOnlyDictionary<string, string> FaultChanges { get; } = new Dictionary<string, string>
    {
        [MacMismatch] = $"vxlan0 in vmpod gets its own MAC {PeerPods.VmOwnMac}; the pod's LSP (and so OVN's ARP answer) keeps {PeerPods.PodMac}",
        [PortSecurity] = $"the pod moved to MAC {PeerPods.VmOwnMac} (vxlan0 and the LSP's addresses), the LSP's port_security still says {PeerPods.PodMac}",
        [MissingLspAddress] = $"the pod's LSP {PodLsp} has no addresses and no port security (ovnkube never set them)",
        [TunnelDown] = "node2's underlay eth1 (its Geneve tunnel to the worker) is down",
    };

    public override IReadOnlyList<(string, string)> Conflicts => [(MacMismatch, PortSecurity), (MissingLspAddress, PortSecurity)];

    public override LabPlan Plan(string prefix, IReadOnlySet<string> faults)
    {
        var p = new LabPlan { Prefix = prefix };
        p.Hosts.Add(new LabHost("worker", p.Ns("wk"), [p.Ns("wk"), p.Ns("wkpod")], LabOvsDb(prefix, "worker"),
            LabOvnCentral.NbSocketOf(prefix), LabOvnCentral.SbSocketOf(prefix)));
        p.Hosts.Add(new LabHost("node2", p.Ns("n2"), [p.Ns("n2"), p.Ns("n2pod")], LabOvsDb(prefix, "node2")));
        p.Hosts.Add(new LabHost("podvm", p.Ns("vm"), [p.Ns("vm"), p.Ns("vmpod")]));
        foreach (var (k, v) in LabOvs.Tools) p.Tools[k] = v;
        foreach (var (k, v) in LabOvnCentral.Tools) p.Tools[k] = v;

        var podFaults = faults.Where(f => f is MacMismatch or PortSecurity or MissingLspAddress).ToList();
        string Why(IEnumerable<string> fs) => string.Join("; ", fs.Select(f => $"{f}: {LabFaults.Find(f)!.Symptom}"));
        p.Probes.Add(new LabProbe("pod", "worker", p.Ns("wk"), PeerPods.PodIp, 56, false, podFaults.Count == 0,
            podFaults.Count == 0 ? "OVN's ARP responder answers with the LSP MAC, replies come back from vxlan0 in vmpod" : Why(podFaults)));
        bool tunnel = !faults.Contains(TunnelDown);
        p.Probes.Add(new LabProbe("node2-pod", "worker", p.Ns("wk"), Node2PodIp, 56, false, tunnel,
            tunnel ? "ovn-k8s-mp0 → ovn_cluster_router → Geneve to node2 → the pod" : Why([TunnelDown])));
        var both = podFaults.Concat(tunnel ? [] : new[] { TunnelDown }).ToList();
        p.Probes.Add(new LabProbe("pod-from-node2", "node2", p.Ns("n2pod"), PeerPods.PodIp, 56, false, both.Count == 0,
            both.Count == 0 ? "node2's pod → router → Geneve → the worker's pod LSP → the peer-pod VXLAN" : Why(both)));
        return p;
    }

    private static string LabOvsDb(string prefix, string host) => "unix:" + Path.Combine(OvsDirOf(prefix, host), "db.sock");

    private static string OvsDirOf(string prefix, string host) => Path.Combine(LabPaths.WorkDir(prefix), "ovs-" + host);

    public override void Build(LabShell sh, LabPlan plan, IReadOnlySet<string> faults)
    {
        string wk = plan.Ns("wk"), wkpod = plan.Ns("wkpod"), vm = plan.Ns("vm"), vmpod = plan.Ns("vmpod");
        string n2 = plan.Ns("n2"), n2pod = plan.Ns("n2pod");
        string mtu = $"{PeerPods.OverlayMtu}";
        bool moved = faults.Contains(PortSecurity);
        string vxlan0Mac = faults.Contains(MacMismatch) || moved ? PeerPods.VmOwnMac : PeerPods.PodMac;

        // the control plane (in wk; its sockets are files every namespace reaches)
        var central = new LabOvnCentral(sh, plan.Prefix, wk);
        central.Start();

        // underlays: wk ens3 ↔ vm ens2 (the peer-pod VXLAN, kernel), wk eth1 ↔ n2 eth1 (Geneve, in OVS bridges breth1)
        sh.Ip(wk, "link", "add", "ens3", "type", "veth", "peer", "name", "ens2", "netns", vm);
        sh.Ip(wk, "addr", "add", PeerPods.WorkerUnderlay + "/24", "dev", "ens3");
        sh.Ip(wk, "link", "set", "ens3", "up");
        sh.Ip(vm, "addr", "add", PeerPods.VmUnderlay + "/24", "dev", "ens2");
        sh.Ip(vm, "link", "set", "ens2", "up");
        sh.Ip(wk, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", n2);

        var worker = new LabOvnNode(new LabOvs(sh, plan.Prefix, wk, OvsDirOf(plan.Prefix, "worker")));
        worker.Start("worker", "worker", central.Sb, "geneve", "breth1", "eth1", WorkerEncap + "/24");
        var node2 = new LabOvnNode(new LabOvs(sh, plan.Prefix, n2, OvsDirOf(plan.Prefix, "node2")));
        node2.Start("node2", "node2", central.Sb, "geneve", "breth1", "eth1", Node2Encap + "/24");

        // logical topology: one switch per node, the cluster router between them
        central.Nbctl("lr-add", "ovn_cluster_router");
        NodeSwitch(central, "worker", "198.18.2", "02");
        NodeSwitch(central, "node2", "198.18.4", "04");

        // management ports
        Mp0(central, sh, worker, wk, "worker", "0a:58:c6:12:02:02", "198.18.2.2");
        Mp0(central, sh, node2, n2, "node2", "0a:58:c6:12:04:02", "198.18.4.2");

        // node2's pod: a plain veth pod
        central.Nbctl("lsp-add", "node2", Node2PodLsp, "--", "lsp-set-addresses", Node2PodLsp, $"{Node2PodMac} {Node2PodIp}",
            "--", "lsp-set-port-security", Node2PodLsp, $"{Node2PodMac} {Node2PodIp}");
        sh.Ip(n2, "link", "add", "a1b2c3d4e5f6a7b", "mtu", mtu, "type", "veth", "peer", "name", "eth0", "mtu", mtu, "netns", n2pod);
        sh.Ip(n2, "link", "set", "a1b2c3d4e5f6a7b", "up");
        node2.Bind("a1b2c3d4e5f6a7b", Node2PodLsp);
        sh.Ip(n2pod, "link", "set", "eth0", "address", Node2PodMac);
        sh.Ip(n2pod, "addr", "add", Node2PodIp + "/23", "dev", "eth0");
        sh.Ip(n2pod, "link", "set", "eth0", "up");
        sh.Ip(n2pod, "route", "add", "default", "via", "198.18.4.1", "dev", "eth0");

        // the worker's peer pod: LSP + veth on br-int; eth0 redirected into vxlan1
        string lspMac = moved ? PeerPods.VmOwnMac : PeerPods.PodMac;
        if (faults.Contains(MissingLspAddress)) central.Nbctl("lsp-add", "worker", PodLsp);
        else
            central.Nbctl("lsp-add", "worker", PodLsp, "--", "lsp-set-addresses", PodLsp, $"{lspMac} {PeerPods.PodIp}",
                "--", "lsp-set-port-security", PodLsp, $"{PeerPods.PodMac} {PeerPods.PodIp}");
        sh.Ip(wk, "link", "add", PeerPods.HostVeth, "mtu", mtu, "type", "veth", "peer", "name", "eth0", "mtu", mtu, "netns", wkpod);
        sh.Ip(wk, "link", "set", PeerPods.HostVeth, "up");
        worker.Bind(PeerPods.HostVeth, PodLsp);
        sh.Ip(wkpod, "link", "set", "eth0", "address", PeerPods.PodMac);
        sh.Ip(wkpod, "addr", "add", PeerPods.PodIp + "/23", "dev", "eth0");
        sh.Ip(wkpod, "link", "set", "eth0", "up");
        sh.Ip(wkpod, "route", "add", "default", "via", "198.18.2.1", "dev", "eth0");
        sh.Ip(wk, "link", "add", "vxlan1", "mtu", mtu, "type", "vxlan", "id", $"{PeerPods.Vni}", "remote", PeerPods.VmUnderlay,
            "dstport", $"{PeerPods.Port}", "nolearning", "df", "inherit");
        sh.Ip(wk, "link", "set", "vxlan1", "netns", wkpod);
        sh.Ip(wkpod, "link", "set", "vxlan1", "up");
        Redirect(sh, wkpod, "eth0", "vxlan1");
        Redirect(sh, wkpod, "vxlan1", "eth0");

        // the pod VM
        sh.Ip(vm, "link", "add", "vxlan0", "mtu", mtu, "type", "vxlan", "id", $"{PeerPods.Vni}", "remote", PeerPods.WorkerUnderlay,
            "dstport", $"{PeerPods.Port}", "nolearning", "df", "inherit");
        sh.Ip(vm, "link", "set", "vxlan0", "netns", vmpod);
        sh.Ip(vmpod, "link", "set", "vxlan0", "address", vxlan0Mac);
        sh.Ip(vmpod, "addr", "add", PeerPods.PodIp + "/23", "dev", "vxlan0");
        sh.Ip(vmpod, "link", "set", "vxlan0", "up");
        sh.Ip(vmpod, "route", "add", "default", "via", "198.18.2.1", "dev", "vxlan0");

        // every chassis has its flows for the NB contents (nb_cfg reached the hypervisors)
        central.Nbctl("--wait=hv", "sync");
        if (faults.Contains(TunnelDown)) sh.Ip(n2, "link", "set", "eth1", "down");
    }

    private static void NodeSwitch(LabOvnCentral c, string node, string net, string hex)
    {
        c.Nbctl("ls-add", node, "--", "set", "logical_switch", node, $"other_config:subnet={net}.0/23");
        c.Nbctl("lrp-add", "ovn_cluster_router", "rtos-" + node, $"0a:58:c6:12:{hex}:01", $"{net}.1/23");
        c.Nbctl("lsp-add", node, "stor-" + node, "--", "lsp-set-type", "stor-" + node, "router",
            "--", "lsp-set-addresses", "stor-" + node, "router", "--", "lsp-set-options", "stor-" + node, "router-port=rtos-" + node);
    }

    private static void Mp0(LabOvnCentral c, LabShell sh, LabOvnNode node, string ns, string name, string mac, string ip)
    {
        var lsp = "k8s-" + name;
        c.Nbctl("lsp-add", name, lsp, "--", "lsp-set-addresses", lsp, $"{mac} {ip}");
        node.BindInternal("ovn-k8s-mp0", lsp, mac, PeerPods.OverlayMtu);
        sh.Ip(ns, "addr", "add", ip + "/23", "dev", "ovn-k8s-mp0");
        sh.Ip(ns, "link", "set", "ovn-k8s-mp0", "up");
        sh.Ip(ns, "route", "add", "198.18.0.0/15", "via", ip[..ip.LastIndexOf('.')] + ".1", "dev", "ovn-k8s-mp0");
    }

    private static void Redirect(LabShell sh, string ns, string from, string to)
    {
        sh.Exec(ns, "tc", "qdisc", "add", "dev", from, "ingress");
        sh.Exec(ns, "tc", "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
            "action", "mirred", "egress", "redirect", "dev", to);
    }
}
