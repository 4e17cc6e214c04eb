namespace NetSleuth.Lab.Scenarios;

/// <summary>What the peer-pods scenarios need of br-int: a Linux bridge or a private OVS.</summary>
internal interface IBrInt
{
    void AddBridge(string name);
    void AddPort(string bridge, string port);
    /// <summary>Makes PORT, a device of the worker's root namespace that is also a port of BRIDGE.</summary>
    void AddManagementPort(string bridge, string port, int mtu);
}

/// <summary>br-int as a Linux bridge; the management port is a veth whose other end (PORT-br… "mp0-br") is the bridge port.</summary>
internal sealed class LinuxBrInt(LabShell sh, string ns) : IBrInt
{
    public void AddBridge(string name)
    {
        sh.Ip(ns, "link", "add", name, "type", "bridge");
        sh.Ip(ns, "link", "set", name, "up");
    }

    public void AddPort(string bridge, string port) => sh.Ip(ns, "link", "set", port, "master", bridge);

    public void AddManagementPort(string bridge, string port, int mtu)
    {
        sh.Ip(ns, "link", "add", port, "mtu", $"{mtu}", "type", "veth", "peer", "name", "mp0-br", "mtu", $"{mtu}");
        AddPort(bridge, "mp0-br");
        sh.Ip(ns, "link", "set", "mp0-br", "up");
    }
}

/// <summary>br-int as real Open vSwitch (userspace datapath); the management port is an internal port.</summary>
internal sealed class OvsBrInt(LabOvs ovs) : IBrInt
{
    private bool _started;

    public void AddBridge(string name)
    {
        if (!_started) { ovs.Start(); _started = true; }
        ovs.AddBridge(name);
    }

    public void AddPort(string bridge, string port) => ovs.AddPort(bridge, port);

    public void AddManagementPort(string bridge, string port, int mtu) => ovs.AddInternalPort(bridge, port, mtu);
}
