using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Model;
using NetSleuth.Topology;
using NetSleuth.Util;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #24–26, asked of the tracer (<see cref="Tracer"/>, which runs OVN's port security, L2 lookup and ARP
/// responder from the logical switch ports in the input):
/// <list type="bullet">
/// <item>ovn-port-security-drop: a packet from a node's OVN port (ovn-k8s-mp0) to a pod dies at the pod's OVS port because
/// the logical switch port's port_security does not allow the MAC its frames carry (the addresses moved, port security did not);</item>
/// <item>ovn-lsp-no-address: it dies there because the logical switch port has no addresses: no ARP responder, the ARP is
/// flooded and answered from behind the port, and OVN's L2 lookup drops the unicast;</item>
/// <item>ovn-tunnel-down: an OVN tunnel port (Geneve/VXLAN/STT, options:remote_ip) whose remote chassis the underlay does not
/// reach (the trace from the node to the remote encap IP dies), or whose OVSDB row says it is down (bfd_status, error).</item>
/// </list>
/// </summary>
internal sealed class OvnCheck : ICheck
{
    public string Id => "ovn-port-security-drop, ovn-lsp-no-address, ovn-tunnel-down";

    private const int MaxTargetsPerPort = 16;

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var lsps = ctx.Topology.LogicalSwitchPorts;
        var bound = Bound(ctx, lsps);
        if (bound.Count > 0)
            foreach (var f in PortFindings(ctx, bound)) yield return f;
        foreach (var f in Tunnels(ctx)) yield return f;
    }

    /// <summary>An OVS interface bound to a logical switch port in the input (external_ids:iface-id).</summary>
    private sealed record BoundPort(DeviceRef Port, DeviceRef Bridge, OvnLogicalSwitchPort Lsp, OvsInterface Iface, bool Internal);

    private static List<BoundPort> Bound(DiagnosisContext ctx, IReadOnlyDictionary<string, OvnLogicalSwitchPort> lsps)
    {
        var list = new List<BoundPort>();
        if (lsps.Count == 0) return list;
        foreach (var ns in ctx.Namespaces)
        {
            if (ns.Ns.Ovs is not { } ovs) continue;
            foreach (var b in ovs.Bridges)
                foreach (var p in b.Ports)
                    foreach (var i in p.Interfaces)
                    {
                        if (!i.ExternalIds.TryGetValue("iface-id", out var id) || !lsps.TryGetValue(id, out var lsp)) continue;
                        if (ctx.Topology.Device(ns, i.Name) is not { } dev || ctx.Topology.Device(ns, b.Name) is not { } br) continue;
                        list.Add(new BoundPort(dev, br, lsp, i, i.Type == "internal"));
                    }
        }
        return list;
    }

    // ---- ovn-port-security-drop, ovn-lsp-no-address ----

    private static IEnumerable<Finding> PortFindings(DiagnosisContext ctx, List<BoundPort> bound)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in bound)
        {
            if (target.Internal) continue;
            var lsp = target.Lsp;
            bool noAddress = lsp.Type is null or "" && lsp.Addresses.Count == 0;
            bool moved = lsp is { PortSecurityKnown: true, PortSecurity.Count: > 0 } &&
                lsp.AddressMacs().Any(m => !lsp.PortSecurityMacs().Contains(m));
            bool foreign = !noAddress && !moved && lsp is { PortSecurityKnown: true, PortSecurity.Count: > 0 } &&
                BehindMacs(ctx, target.Port).Any(m => !lsp.PortSecurityMacs().Contains(m));
            if (!noAddress && !moved && !foreign) continue;
            // the node's own OVN ports on the same bridge (ovn-k8s-mp0) send to the pod
            foreach (var source in bound.Where(b => b.Internal && b.Bridge == target.Bridge && b.Port.Link.Addresses.Any(a => a.Prefix.IsV4)))
            {
                foreach (var ip in Targets(ctx, source, target, bound).Take(MaxTargetsPerPort))
                {
                    var src = source.Port.Namespace;
                    var r = Tracer.Trace(ctx.Topology, new TraceRequest(src.Host.Name, src.Ns.IsRoot ? null : src.Ns.Name ?? src.Ns.Id, null, ip) { Start = src });
                    var died = Died(r, target.Port);
                    if (died is null) continue;
                    var f = died == r.Forward && noAddress ? NoAddress(ctx, target, source, ip, r.Forward)
                        : lsp is { PortSecurityKnown: true, PortSecurity.Count: > 0 } ? PortSecurity(ctx, target, source, ip, died, r) : null;
                    if (f is null || !reported.Add(f.RootCause)) continue;
                    yield return f;
                    break;
                }
            }
        }
    }

    /// <summary>The trace (forward or reply) that died by an OVN flow drop at PORT, or null.</summary>
    private static Trace? Died(TraceResult r, DeviceRef port)
    {
        foreach (var t in new[] { r.Forward, r.Reply })
            if (t is { Disposition: Disposition.OvsFlowDrop, AtPlace: { } at } && at.Equals((Place)port)) return t;
        return null;
    }

    /// <summary>What a frame from behind PORT carries as source: the MAC of the device at the far end of its veth,
    /// or of what that device's ingress is redirected to and beyond, as the L2 path from the port shows.</summary>
    private static List<MacAddress> BehindMacs(DiagnosisContext ctx, DeviceRef port)
    {
        var macs = new List<MacAddress>();
        var walk = ctx.L2Path(port, egress: true, MacAddress.Broadcast);
        foreach (var d in walk.Path)
            if (d != port && d.Link.Mac is { } m && d.Link.Addresses.Any(a => a.Prefix.IsV4) && !macs.Contains(m)) macs.Add(m);
        return macs;
    }

    /// <summary>The IPv4 addresses a packet from SOURCE to the pod behind TARGET goes to: the logical port's own, else
    /// the pod addresses of SOURCE's subnet no other logical port claims.</summary>
    private static IEnumerable<IPAddress> Targets(DiagnosisContext ctx, BoundPort source, BoundPort target, List<BoundPort> bound)
    {
        var own = target.Lsp.Addresses.SelectMany(IpsOf).Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Distinct().ToList();
        if (own.Count > 0) return own;
        var claimed = new HashSet<IPAddress>(bound.SelectMany(b => b.Lsp.Addresses.SelectMany(IpsOf)));
        return source.Port.Link.Addresses.Where(a => a.Prefix.IsV4 && a.Prefix.Length < 31)
            .SelectMany(a => ctx.PodsIn(a.Prefix.Network))
            .Select(p => p.Address.Address)
            .Where(ip => !claimed.Contains(ip))
            .Distinct();
    }

    private static IEnumerable<IPAddress> IpsOf(string entry)
    {
        var words = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 1; i < words.Length; i++)
        {
            var w = words[i];
            int slash = w.IndexOf('/');
            if (IPAddress.TryParse(slash < 0 ? w : w[..slash], out var a)) yield return a;
        }
    }

    /// <summary>The MAC the frames to the pod carried: what the last ARP or neighbour step of the trace resolved.</summary>
    private static MacAddress? ResolvedMac(Trace t)
    {
        MacAddress? mac = null;
        foreach (var h in t.Hops)
            foreach (var s in h.Steps)
                if (s is ArpStep { Mac: { } a }) mac = a;
                else if (s is NeighborStep { Mac: { } n }) mac = n;
        return mac;
    }

    private static Finding NoAddress(DiagnosisContext ctx, BoundPort target, BoundPort source, IPAddress ip, Trace t)
    {
        var lsp = target.Lsp;
        var mac = ResolvedMac(t);
        var (nbNs, nbctl) = Nbctl(ctx, lsp);
        var entry = mac is { } m ? $"{m} {ip}" : $"MAC {ip}";
        var fix = new List<FixStep>();
        if (nbNs is not null)
            fix.Add(NsCommand.Step(nbNs, [Shell.Join([.. nbctl, "lsp-set-addresses", lsp.Name, entry])],
                mac is null ? "MAC: the MAC of the pod's interface (the trace could not tell which MAC answered)" : null));
        return new Finding
        {
            Id = "ovn-lsp-no-address",
            Severity = Severity.Error,
            Title = $"OVN logical switch port {lsp.Name} (on {target.Port}) has no addresses: {source.Port} cannot reach {ip} behind it",
            Explanation = $"{lsp.Name} is bound to OVS port {target.Port.Link.Name} of {target.Bridge.Link.Name} (external_ids:iface-id) but its " +
                "addresses are empty, so OVN's ARP responder does not answer for it and its L2 lookup switches no unicast to it. " +
                $"The ARP from {source.Port} for {ip} is flooded and answered from behind the port" + (mac is { } am ? $" ({am})" : "") +
                $", and the unicast frames to that MAC are dropped in br-int: no logical port has it and none has \"unknown\". " +
                "Give the port the pod's MAC and IP (ovnkube does it from the pod's annotation).",
            Evidence =
            [
                Ev.Text(target.Port.Namespace, "ovn logical switch port", $"{lsp.Name}: addresses [] port_security [{string.Join(", ", lsp.PortSecurity)}]", lsp.Source),
                Ev.Text(target.Port.Namespace, "ovs interface", $"{target.Iface.Name} external_ids:iface-id={lsp.Name}", target.Iface.Source),
                Ev.Device(source.Port, "the node's port that sends to the pod"),
            ],
            Fix = fix,
            RootCause = "ovn-lsp:" + lsp.Name,
            Devices = [target.Port, target.Bridge, source.Port],
            Trace = new FindingTrace($"{source.Port.Namespace}", ip.ToString(), $"{t.Disposition}: {t.Reason}", t.Hops.Select(h => h.Node).ToList(), t.At),
        };
    }

    private static Finding? PortSecurity(DiagnosisContext ctx, BoundPort target, BoundPort source, IPAddress ip, Trace died, TraceResult r)
    {
        var lsp = target.Lsp;
        var allowed = lsp.PortSecurityMacs().ToList();
        // the MAC the dropped frames carry: to the port, what OVN's ARP responder (or the neighbour entry) gave; from it, the
        // MAC of the device behind the port
        MacAddress? mac = died == r.Forward ? ResolvedMac(died) : BehindMacs(ctx, target.Port).FirstOrDefault(m => !allowed.Contains(m));
        if (mac is not { } m || allowed.Contains(m)) return null;
        // the new port security: the address entry with that MAC (the addresses moved with the pod), else the MAC with the IPs port security had
        var entry = lsp.Addresses.FirstOrDefault(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } w &&
            MacAddress.TryParse(w[0], out var am) && am == m);
        if (entry is null)
        {
            var ips = lsp.PortSecurity.SelectMany(IpsOf).Select(a => a.ToString()).DefaultIfEmpty(ip.ToString());
            entry = string.Join(' ', new[] { m.ToString() }.Concat(ips.Distinct()));
        }
        var (nbNs, nbctl) = Nbctl(ctx, lsp);
        var dir = died == r.Forward ? $"to {m} on their way out to the port" : $"from {m} coming in by the port";
        return new Finding
        {
            Id = "ovn-port-security-drop",
            Severity = Severity.Error,
            Title = $"OVN port security of {lsp.Name} (on {target.Port}) allows only {string.Join(", ", allowed)}, but the pod's frames carry {m}",
            Explanation = $"{lsp.Name} is bound to OVS port {target.Port.Link.Name} of {target.Bridge.Link.Name}. Its addresses are " +
                $"[{string.Join(", ", lsp.Addresses)}], its port_security [{string.Join(", ", lsp.PortSecurity)}]: br-int drops frames {dir} " +
                $"(OVN checks port security both ways), so {source.Port} and {ip} cannot talk. A MAC that moved: the port's addresses " +
                "followed it, its port security did not. Set the port security to the address the pod has now (ovnkube writes both from the pod's annotation).",
            Evidence =
            [
                Ev.Text(target.Port.Namespace, "ovn logical switch port", $"{lsp.Name}: addresses [{string.Join(", ", lsp.Addresses)}] port_security [{string.Join(", ", lsp.PortSecurity)}]", lsp.Source),
                Ev.Text(target.Port.Namespace, "ovs interface", $"{target.Iface.Name} external_ids:iface-id={lsp.Name}", target.Iface.Source),
                Ev.Device(source.Port, "the node's port that sends to the pod"),
            ],
            Fix = nbNs is null ? [] : [NsCommand.Step(nbNs, [Shell.Join([.. nbctl, "lsp-set-port-security", lsp.Name, entry])])],
            RootCause = "ovn-lsp:" + lsp.Name,
            Devices = [target.Port, target.Bridge, source.Port],
            Trace = new FindingTrace($"{source.Port.Namespace}", ip.ToString(), (died == r.Forward ? "" : "reply ") + $"{died.Disposition}: {died.Reason}",
                died.Hops.Select(h => h.Node).ToList(), died.At),
        };
    }

    /// <summary>The namespace holding the northbound rows of LSP, and `ovn-nbctl [--db=DB]` for it.</summary>
    private static (NsRef? Ns, string[] Argv) Nbctl(DiagnosisContext ctx, OvnLogicalSwitchPort lsp)
    {
        foreach (var ns in ctx.Namespaces)
            if (ns.Ns.Ovn is { } ovn && ovn.Ports.Contains(lsp))
                return (ns, ovn.NbDb is { } db ? ["ovn-nbctl", "--db=" + db] : ["ovn-nbctl"]);
        return (null, ["ovn-nbctl"]);
    }

    // ---- ovn-tunnel-down ----

    private static readonly HashSet<string> TunnelTypes = new(StringComparer.Ordinal) { "geneve", "vxlan", "stt" };

    /// <summary>A full mesh of N chassis has N×(N−1) tunnels: the underlay is traced for the first tunnel of each node and the
    /// first tunnel to each remote encap IP (2N traces; a node cut off, or a chassis nobody reaches, shows in them); a tunnel
    /// whose OVSDB row says it is down (BFD, error) is always looked at. A fault between one pair of nodes only (a firewall
    /// rule on one path) can be missed.</summary>
    private static IEnumerable<Finding> Tunnels(DiagnosisContext ctx)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var remotesSeen = new HashSet<IPAddress>();
        foreach (var ns in ctx.Namespaces)
        {
            if (ns.Ns.Ovs is not { } ovs) continue;
            bool sourceTraced = false;
            foreach (var b in ovs.Bridges)
                foreach (var p in b.Ports)
                    foreach (var i in p.Interfaces)
                    {
                        if (i.Type is not { } type || !TunnelTypes.Contains(type)) continue;
                        if (!i.Options.TryGetValue("remote_ip", out var remoteText) || !IPAddress.TryParse(remoteText, out var remote)) continue;
                        bool flagged = i.BfdStatus.Count > 0 || !string.IsNullOrEmpty(i.Error);
                        bool newRemote = remotesSeen.Add(remote);
                        if (!flagged && !newRemote && sourceTraced) continue;
                        sourceTraced = true;
                        if (Tunnel(ctx, ns, b, i, type, remote) is { } f && reported.Add(f.RootCause)) yield return f;
                    }
        }
    }

    private static Finding? Tunnel(DiagnosisContext ctx, NsRef ns, OvsBridge br, OvsInterface iface, string type, IPAddress remote)
    {
        bool bfdDown = iface.BfdStatus.TryGetValue("forwarding", out var fwd) && fwd == "false" ||
            iface.BfdStatus.TryGetValue("state", out var st) && st is "down" or "admin_down";
        bool error = !string.IsNullOrEmpty(iface.Error);
        var (chassis, owner) = RemoteChassis(ctx, remote);
        // the underlay, asked of the tracer: the node to the remote encap IP, both ways
        var r = Tracer.Trace(ctx.Topology, new TraceRequest(ns.Host.Name, ns.Ns.IsRoot ? null : ns.Ns.Name ?? ns.Ns.Id, null, remote) { Start = ns, Protocol = Protocols.Udp, DestinationPort = type == "vxlan" ? 4789 : type == "stt" ? 7471 : 6081, SourcePort = 50000 });
        var broken = !r.Forward.Delivered ? r.Forward : r.Reply is { Delivered: false } rep ? rep : null;
        if (broken is null && !bfdDown && !error) return null;
        // no owner of the remote IP in the input and the trace could not decide: nothing to say
        if (broken is { Disposition: Disposition.InsufficientInfo } || (owner is null && chassis is null && broken is not null && !bfdDown && !error)) return null;

        var down = broken is { AtPlace: { Link: not null } at } ? DownOnPath(ctx, ctx.Topology.Device(at.Namespace, at.Link!.Name)) : null;
        var remoteName = chassis?.Name ?? owner?.Device.Host.Name ?? remote.ToString();
        var dests = Destinations(ctx, chassis, owner);
        var evidence = new List<Evidence>
        {
            Ev.Text(ns, "ovs interface", $"{iface.Name} type {type} options:remote_ip={remote}" +
                (iface.LinkState is { } ls ? $" link_state {ls}" : "") +
                (iface.BfdStatus.Count > 0 ? $" bfd_status {{{string.Join(", ", iface.BfdStatus.Select(kv => kv.Key + "=" + kv.Value))}}}" : "") +
                (error ? $" error \"{iface.Error}\"" : ""), iface.Source),
        };
        if (chassis is not null)
            evidence.Add(Ev.Text(ns, "ovn chassis", $"{chassis.Name}" + (chassis.Hostname is { } hn ? $" hostname {hn}" : "") +
                $": encap {string.Join(", ", chassis.Encaps.Select(e => $"{e.Type} {e.Ip}"))}; ports {string.Join(", ", chassis.PortBindings)}", chassis.Source));
        if (down is not null) evidence.Add(Ev.Device(down, "the underlay device the tunnel's packets die at"));
        if (owner is not null) evidence.Add(Ev.Device(owner.Value.Device, $"holds the remote encap IP {remote}"));

        var fix = new List<FixStep>();
        if (down is not null) fix.Add(NsCommand.Step(down.Namespace, [NsCommand.Ip(down.Namespace, "link", "set", "dev", down.Link.Name, "up")]));
        var why = broken is not null ? $"the underlay does not carry it: a packet from {ns} to {remote} ends {broken.Disposition} ({broken.Reason})"
            : bfdDown ? $"BFD on it says so (bfd_status {string.Join(", ", iface.BfdStatus.Select(kv => kv.Key + "=" + kv.Value))})"
            : $"OVS reports an error on it: {iface.Error}";
        return new Finding
        {
            Id = "ovn-tunnel-down",
            Severity = Severity.Error,
            Title = $"OVN's {type} tunnel {iface.Name} from {ns.Host.Name} to chassis {remoteName} ({remote}) is down" +
                (down is not null ? $": {down} is down" : ""),
            Explanation = $"br-int on {ns.Host.Name} reaches the logical ports bound on chassis {remoteName} through the {type} tunnel " +
                $"{iface.Name} (options:remote_ip={remote}); {why}. Every packet from {ns.Host.Name}'s pods and node to " +
                (dests.Count > 0 ? string.Join(", ", dests.Take(6)) + (dests.Count > 6 ? $" and {dests.Count - 6} more" : "") : $"the pods on {remoteName}") +
                " is lost in the tunnel, while traffic within each node works." +
                (down is not null ? $" Bring {down.Link.Name} up." : " Fix the underlay between the two encap IPs (route, link, firewall on the tunnel's UDP port)."),
            Evidence = evidence,
            Fix = fix,
            Decide = down is null && broken is not null
                ? [DiagnosisContext.Need(ns, $"ip route get {remote}", "which device and gateway the tunnel's packets take")]
                : [],
            RootCause = down is not null ? "link:" + down.Key : $"ovn-tunnel:{ns.Key}/{remote}",
            Devices = down is null ? [ns] : [ns, down],
            Trace = broken is null ? null : new FindingTrace($"{ns}", remote.ToString(), $"{broken.Disposition}: {broken.Reason}",
                broken.Hops.Select(h => h.Node).ToList(), broken.At),
        };
    }

    /// <summary>The chassis (southbound) whose encap IP is REMOTE, and the device that holds the IP in the input.</summary>
    private static (OvnChassis? Chassis, (DeviceRef Device, IfAddress Address)? Owner) RemoteChassis(DiagnosisContext ctx, IPAddress remote)
    {
        OvnChassis? chassis = null;
        foreach (var ns in ctx.Namespaces)
            if (ns.Ns.Ovn is { } ovn)
                foreach (var c in ovn.Chassis)
                    if (chassis is null && c.Encaps.Any(e => IPAddress.TryParse(e.Ip, out var ip) && ip.Equals(remote))) chassis = c;
        var owners = ctx.Topology.OwnersOf(remote);
        return (chassis, owners.Count > 0 ? owners[0] : null);
    }

    /// <summary>"198.18.4.10 (default_web)" for each logical port bound on the remote chassis: from the southbound port
    /// bindings, else from the OVS interfaces of the host that holds the remote encap IP.</summary>
    private static List<string> Destinations(DiagnosisContext ctx, OvnChassis? chassis, (DeviceRef Device, IfAddress Address)? owner)
    {
        var lsps = ctx.Topology.LogicalSwitchPorts;
        var names = new List<string>();
        if (chassis is not null) names.AddRange(chassis.PortBindings);
        else if (owner is { } o)
            foreach (var n in o.Device.Host.Namespaces)
                if (n.Ovs is { } ovs)
                    foreach (var i in ovs.Bridges.SelectMany(b => b.Ports).SelectMany(p => p.Interfaces))
                        if (i.ExternalIds.TryGetValue("iface-id", out var id)) names.Add(id);
        var list = new List<string>();
        foreach (var n in names.Distinct())
        {
            var ips = lsps.TryGetValue(n, out var lsp) ? lsp.Addresses.SelectMany(IpsOf).Select(a => a.ToString()).ToList() : [];
            list.Add(ips.Count > 0 ? $"{string.Join(" ", ips)} ({n})" : n);
        }
        return list;
    }

    /// <summary>The device that is down where a trace died (an ARP nobody answered, say): DEV, or a device of the layer-2 path
    /// from DEV (a port of its OVS bridge, the veth behind it), or the veth peer of one of them without carrier.</summary>
    private static DeviceRef? DownOnPath(DiagnosisContext ctx, DeviceRef? dev)
    {
        if (dev is null) return null;
        if (DownDevice(ctx, dev) is { } d) return d;
        // the encap IP on an OVS bridge's own port (breth1 with eth1 in it): its ports
        foreach (var p in ctx.Topology.PortList(dev))
            if (DownDevice(ctx, p) is { } pd) return pd;
        foreach (var p in ctx.L2Path(dev, egress: true, MacAddress.Broadcast).Path)
            if (DownDevice(ctx, p) is { } pd) return pd;
        return null;
    }

    /// <summary>The device that is down where a trace died: DEV itself, or (DEV up without carrier) its veth peer.</summary>
    private static DeviceRef? DownDevice(DiagnosisContext ctx, DeviceRef? dev)
    {
        if (dev is null || dev.Link.Flags.Count == 0 && dev.Link.OperState is null) return null;
        if (!dev.Link.IsUp) return dev;
        if (!dev.Link.HasCarrier && ctx.Topology.VethPeer(dev) is { } peer && !peer.Link.IsUp) return peer;
        return null;
    }
}
