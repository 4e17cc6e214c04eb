namespace NetSleuth.Lab;

/// <summary>
/// A private Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath) running inside one lab
/// namespace, with its run/db/log files under /run/netsleuth/PREFIX/ovs. `lab down` stops it by
/// its pid files and by the directory on its command line.
/// </summary>
internal sealed class LabOvs(LabShell sh, string prefix, string ns, string? dir = null)
{
    public const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";
    public static readonly IReadOnlyDictionary<string, string> Tools = new Dictionary<string, string>
    {
        ["ovsdb-server"] = "openvswitch-switch", ["ovs-vswitchd"] = "openvswitch-switch",
        ["ovs-vsctl"] = "openvswitch-switch", ["ovsdb-tool"] = "openvswitch-switch",
    };

    public string Dir { get; } = dir ?? LabPaths.OvsDir(prefix);
    public string DbSocket => Path.Combine(Dir, "db.sock");
    public string Db => "unix:" + DbSocket;

    /// <summary>Every OVS program run for this lab gets these (so nothing touches /var/run/openvswitch).</summary>
    internal string[] Env =>
    [
        "env", $"OVS_RUNDIR={Dir}", $"OVS_DBDIR={Dir}", $"OVS_LOGDIR={Dir}", $"OVS_SYSCONFDIR={Dir}", $"OVS_PKGDATADIR=/usr/share/openvswitch",
        $"OVN_RUNDIR={Dir}", $"OVN_DBDIR={Dir}", $"OVN_LOGDIR={Dir}", $"OVN_SYSCONFDIR={Dir}",
    ];

    public void Start()
    {
        if (!File.Exists(Schema)) throw new LabException($"{Schema} is missing; install Open vSwitch: apt-get install -y openvswitch-switch");
        Directory.CreateDirectory(Dir);
        var conf = Path.Combine(Dir, "conf.db");
        sh.Run([.. Env, "ovsdb-tool", "create", conf, Schema]);
        sh.Exec(ns, [.. Env, "ovsdb-server", conf, $"--remote=punix:{DbSocket}", "--detach", "--no-chdir",
            $"--pidfile={Path.Combine(Dir, "ovsdb-server.pid")}", $"--log-file={Path.Combine(Dir, "ovsdb-server.log")}",
            $"--unixctl={Path.Combine(Dir, "ovsdb-server.ctl")}"]);
        Vsctl("--no-wait", "init");
        sh.Exec(ns, [.. Env, "ovs-vswitchd", Db, "--detach", "--no-chdir",
            $"--pidfile={Path.Combine(Dir, "ovs-vswitchd.pid")}", $"--log-file={Path.Combine(Dir, "ovs-vswitchd.log")}",
            $"--unixctl={Path.Combine(Dir, "ovs-vswitchd.ctl")}"]);
    }

    /// <summary>The namespace the daemons run in.</summary>
    public string Namespace => ns;

    /// <summary>Runs ARGS inside the namespace with this switch's environment (OVS_RUNDIR, OVN_RUNDIR, …).</summary>
    public string ExecEnv(params string[] args) => sh.Exec(ns, [.. Env, .. args]);

    /// <summary><c>ovs-vsctl --db=unix:… ARGS</c>, run inside the namespace.</summary>
    public string Vsctl(params string[] args) => sh.Exec(ns, [.. Env, "ovs-vsctl", $"--db={Db}", "--timeout=20", .. args]);

    public void AddBridge(string name) => Vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev");

    public void AddPort(string bridge, string port) => Vsctl("add-port", bridge, port);

    public void AddInternalPort(string bridge, string port, int mtu) =>
        Vsctl("add-port", bridge, port, "--", "set", "interface", port, "type=internal", $"mtu_request={mtu}");
}
