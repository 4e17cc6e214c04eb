using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>Faults in how a pod is plugged in: the veth pair and the bridge/OVS port.</summary>
internal static class PortFaults
{
    /// <summary>#17: the host end of a pod's veth is gone; eth0 in the pod points at an ifindex nobody has.</summary>
    public static PlacedFault DanglingVeth(FaultContext c)
    {
        var pod = c.AnyPod();
        var root = c.Unit.Root.Ns;
        root.Links.Remove(pod.HostVeth);
        root.Qdiscs.RemoveAll(q => q.Device == pod.HostVeth.Name);
        root.Fdb.RemoveAll(f => f.Device == pod.HostVeth.Name);
        foreach (var key in root.Sysctls.Keys.Where(k => k.StartsWith($"net.ipv4.conf.{pod.HostVeth.Name}.", StringComparison.Ordinal) ||
                                                         k.StartsWith($"net.ipv6.conf.{pod.HostVeth.Name}.", StringComparison.Ordinal)).ToList())
            root.Sysctls.Remove(key);
        if (pod.OvsPort is { } port)
        {
            port.Interfaces[0].Error = $"could not open network device {pod.HostVeth.Name} (No such device)";
            port.Interfaces[0].OfPort = -1;
            port.Interfaces[0].LinkState = null;
            port.Interfaces[0].AdminState = null;
            port.Interfaces[0].MacInUse = null;
        }
        return new PlacedFault(17, "dangling-veth", c.Node, pod.Ns.Ns.Id, "eth0", null,
            $"eth0's peer (ifindex {pod.HostVeth.Index} in root, {pod.HostVeth.Name}) does not exist: pod {Addressing.Ip(pod.Ip)} is cut off");
    }

    /// <summary>#18: a pod's host-side veth is attached to no bridge (and, under OVS, not a br-int port).</summary>
    public static PlacedFault NoMaster(FaultContext c)
    {
        var pod = c.AnyPod();
        var veth = pod.HostVeth;
        string? master = veth.Master;
        veth.Master = null;
        veth.SlaveKind = null;
        veth.BridgePort = null;
        veth.Promiscuity = 0;
        c.Unit.Root.Ns.Fdb.RemoveAll(f => f.Device == veth.Name);
        if (pod.OvsPort is { } port) c.Unit.OvsBridge!.Ports.Remove(port);
        return new PlacedFault(18, "bridge-port-without-master", c.Node, "root", veth.Name, null,
            $"{veth.Name} (host end of pod {Addressing.Ip(pod.Ip)}) has no master; it should be a port of {(master == "cni0" ? "cni0" : "br-int")}");
    }
}
