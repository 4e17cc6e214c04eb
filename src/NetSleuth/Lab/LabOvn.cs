namespace NetSleuth.Lab;

/// <summary>
/// A private OVN control plane for one lab: the NB and SB ovsdb-servers and ovn-northd, run inside a
/// lab namespace with their databases, unix sockets, pid files and logs under
/// /run/netsleuth/PREFIX/ovn (unix sockets are reachable from every namespace, so each node's
/// ovn-controller and the CLI tools use them). `lab down` stops them by their pid files and by the
/// directory on their command line.
/// </summary>
internal sealed class LabOvnCentral(LabShell sh, string prefix, string ns)
{
    public const string NbSchema = "/usr/share/ovn/ovn-nb.ovsschema";
    public const string SbSchema = "/usr/share/ovn/ovn-sb.ovsschema";

    /// <summary>Programs an OVN lab needs, with their Debian packages.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tools = new Dictionary<string, string>
    {
        ["ovn-northd"] = "ovn-central", ["ovn-nbctl"] = "ovn-central", ["ovn-sbctl"] = "ovn-central",
        ["ovn-controller"] = "ovn-host",
    };

    public static string DirOf(string prefix) => Path.Combine(LabPaths.WorkDir(prefix), "ovn");
    public static string NbSocketOf(string prefix) => "unix:" + Path.Combine(DirOf(prefix), "nb.sock");
    public static string SbSocketOf(string prefix) => "unix:" + Path.Combine(DirOf(prefix), "sb.sock");

    public string Dir { get; } = DirOf(prefix);
    public string Nb => NbSocketOf(prefix);
    public string Sb => SbSocketOf(prefix);

    private string[] Env =>
    [
        "env", $"OVN_RUNDIR={Dir}", $"OVN_DBDIR={Dir}", $"OVN_LOGDIR={Dir}", $"OVN_SYSCONFDIR={Dir}",
        $"OVS_RUNDIR={Dir}", $"OVS_DBDIR={Dir}", $"OVS_LOGDIR={Dir}", $"OVS_SYSCONFDIR={Dir}",
    ];

    public void Start()
    {
        foreach (var schema in new[] { NbSchema, SbSchema })
            if (!File.Exists(schema)) throw new LabException($"{schema} is missing; install OVN: apt-get install -y ovn-central ovn-host");
        Directory.CreateDirectory(Dir);
        foreach (var (db, schema) in new[] { ("nb", NbSchema), ("sb", SbSchema) })
        {
            var file = Path.Combine(Dir, db + ".db");
            sh.Run([.. Env, "ovsdb-tool", "create", file, schema]);
            sh.Exec(ns, [.. Env, "ovsdb-server", file, $"--remote=punix:{Path.Combine(Dir, db + ".sock")}", "--detach", "--no-chdir",
                $"--pidfile={Path.Combine(Dir, db + ".pid")}", $"--log-file={Path.Combine(Dir, db + ".log")}",
                $"--unixctl={Path.Combine(Dir, db + ".ctl")}"]);
        }
        sh.Exec(ns, [.. Env, "ovn-northd", $"--ovnnb-db={Nb}", $"--ovnsb-db={Sb}", "--detach", "--no-chdir",
            $"--pidfile={Path.Combine(Dir, "ovn-northd.pid")}", $"--log-file={Path.Combine(Dir, "ovn-northd.log")}",
            $"--unixctl={Path.Combine(Dir, "ovn-northd.ctl")}"]);
    }

    /// <summary><c>ovn-nbctl --db=… ARGS</c> (a client; it runs in the namespace like the daemons).</summary>
    public string Nbctl(params string[] args) => sh.Exec(ns, [.. Env, "ovn-nbctl", $"--db={Nb}", "--timeout=20", .. args]);
}

/// <summary>
/// One OVN node: a private Open vSwitch (<see cref="LabOvs"/>, userspace datapath) in the node's
/// namespace plus its ovn-controller, registered as chassis SYSTEM-ID with a tunnel endpoint.
/// </summary>
internal sealed class LabOvnNode(LabOvs ovs)
{
    public LabOvs Ovs => ovs;

    /// <summary>Starts OVS, makes br-int (netdev, fail_mode secure) and an underlay bridge UNDERLAY-BRIDGE holding
    /// the tunnel endpoint ENCAP-IP on device UNDERLAY-DEV (userspace tunnels route through an OVS bridge; the device gets NOARP like
    /// every OVS port, see <see cref="Bind"/>), then ovn-controller.</summary>
    public void Start(string systemId, string hostname, string sb, string encapType, string underlayBridge, string underlayDev,
        string encapIpCidr)
    {
        ovs.Start();
        ovs.Vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "fail_mode=secure",
            "other_config:disable-in-band=true");
        ovs.Vsctl("add-br", underlayBridge, "--", "set", "bridge", underlayBridge, "datapath_type=netdev", "--", "add-port", underlayBridge, underlayDev);
        ovs.ExecEnv("ip", "link", "set", underlayDev, "arp", "off", "up");
        ovs.ExecEnv("ip", "addr", "add", encapIpCidr, "dev", underlayBridge);
        ovs.ExecEnv("ip", "link", "set", underlayBridge, "up");
        var encapIp = encapIpCidr.Split('/')[0];
        ovs.Vsctl("set", "open_vswitch", ".", $"external_ids:system-id={systemId}", $"external_ids:hostname={hostname}",
            $"external_ids:ovn-remote={sb}", $"external_ids:ovn-encap-type={encapType}", $"external_ids:ovn-encap-ip={encapIp}",
            "external_ids:ovn-bridge-datapath-type=netdev");
        ovs.ExecEnv("ovn-controller", ovs.Db, "--detach", "--no-chdir",
            $"--pidfile={Path.Combine(ovs.Dir, "ovn-controller.pid")}", $"--log-file={Path.Combine(ovs.Dir, "ovn-controller.log")}");
    }

    /// <summary>Adds the existing device PORT to br-int bound to the logical switch port LSP. The userspace
    /// datapath reads its ports with packet sockets, so the node's kernel still receives every frame on them
    /// and would answer ARP there for its own addresses (ovn-k8s-mp0's); NOARP keeps the kernel out, as the
    /// kernel datapath's rx handler does.</summary>
    public void Bind(string port, string lsp)
    {
        ovs.Vsctl("add-port", "br-int", port, "--", "set", "interface", port, $"external_ids:iface-id={lsp}");
        ovs.ExecEnv("ip", "link", "set", port, "arp", "off");
    }

    /// <summary>Makes the internal port PORT (MAC, MTU) on br-int bound to LSP.</summary>
    public void BindInternal(string port, string lsp, string mac, int mtu) =>
        ovs.Vsctl("add-port", "br-int", port, "--", "set", "interface", port, "type=internal", $"external_ids:iface-id={lsp}",
            $"mac=\"{mac}\"", $"mtu_request={mtu}");
}
