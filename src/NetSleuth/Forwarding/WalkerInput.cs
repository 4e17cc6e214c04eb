using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>IP receive (ip_rcv → ip_route_input): PREROUTING, input routing, rp_filter, local delivery or forwarding.</summary>
internal sealed partial class Walker
{
    private int _ttl = 64;

    private Next IpReceive(IpIn p)
    {
        var dev = p.Dev;
        var ns = dev.Namespace;
        var flow = p.Frame.Ip;
        if (RunHook(ns, Forwarding.Hook.Prerouting, ref flow, dev.Link.Name, null, Disposition.DeniedIn) is { } pre) return pre;
        if (!ns.Ns.IsKnown(Sections.Routes4))
            return Missing(ns, "ip route show table all", $"the routes of {ns} are not in the input");
        var fib = Fib.Lookup(_t, ns, flow.Source, flow.Destination, dev.Link.Name, null, _record ? Assumed : null, flow);
        if (_record) foreach (var s in fib.Steps) Add(ns, s);
        // ip_route_input_slow: with forwarding off, a packet for another host fails before the route's type counts
        // (no route, blackhole, unreachable alike): EHOSTUNREACH, an address error (IP_INADDRERRORS), no ICMP
        if (fib.Type is "none" or RouteTypes.Unicast or RouteTypes.Blackhole or RouteTypes.Unreachable or RouteTypes.Prohibit && ForwardingValue(dev) == "0" && ForwardingCheck(dev) is { } notForwarded) return notForwarded;
        if (RouteFailure(ns, fib, flow, input: true) is { } fail) return fail;
        var route = fib.Route!;

        if (fib.Type == RouteTypes.Local)
        {
            if (_record) Add(ns, new RoutingStep(RouteTables.Name(fib.Table), route.ToString(), "local", null, null) { Evidence = route.Source });
            if (RpFilter(dev, flow) is { } rp) return rp;
            if (RunHook(ns, Forwarding.Hook.Input, ref flow, dev.Link.Name, null, Disposition.DeniedIn) is { } denied) return denied;
            if (p.Frame.Inner is null && Ipvs(ns, flow) is { } ipvs) return ipvs;
            return Deliver(dev, ns, p.Frame with { Ip = flow });
        }

        var outDev = fib.Device is null ? null : _t.Device(ns, fib.Device);
        var nextHop = fib.Gateway ?? flow.Destination;
        if (_record) Add(ns, new RoutingStep(RouteTables.Name(fib.Table), route.ToString(), "forward", fib.Device, nextHop) { Evidence = route.Source });
        if (ForwardingCheck(dev) is { } off) return off;
        if (RpFilter(dev, flow) is { } rpf) return rpf;
        if (--_ttl <= 0) return new End(Disposition.Loop, $"TTL ran out in {ns}", ns);
        if (outDev is null)
            return Missing(ns, "ip link show", $"route {route} uses device {fib.Device ?? "?"}, which is not in the input");
        if (MtuCheck(outDev, route, ref flow, local: false) is { } tooBig) return tooBig;
        if (Filter(ns, Hook.Forward, flow, dev.Link.Name, outDev.Link.Name, Disposition.DeniedForward, Established(ns), Ctx(ns)) is { } fwd) return fwd;
        if (RunHook(ns, Forwarding.Hook.Postrouting, ref flow, null, outDev.Link.Name, Disposition.DeniedOut, nextHop) is { } post) return post;
        if (LinkCheck(outDev) is { } down) return down;
        return ResolveAndSend(outDev, nextHop, flow, p.Frame.Inner);
    }

    /// <summary>Local delivery: a VXLAN outer packet goes to the tunnel socket; the traced packet is delivered.</summary>
    private Next Deliver(DeviceRef? dev, NsRef ns, Frame frame)
    {
        if (frame.Inner is { } payload) return Decapsulate(ns, frame, payload);
        var flow = frame.Ip;
        _deliveredOn = dev ?? _t.Device(ns, "lo");
        _deliveredFlow = flow;
        string note = (flow.Protocol, _isReply) switch
        {
            (Protocols.Icmp, false) => "the kernel answers the echo request",
            (Protocols.Icmp, true) => "the echo reply reaches the sender",
            (_, false) => $"whether a process listens on {flow.Protocol} port {flow.DestinationPort?.ToString() ?? "?"} is not in the input",
            _ => "the reply reaches the sender",
        };
        if (_record) Add(ns, new DeliveredStep(dev?.Link.Name ?? "lo", flow.Destination, note));
        return new End(Disposition.Delivered,
            dev is null ? $"delivered to {flow.Destination} in {ns}" : $"delivered to {flow.Destination} in {ns} (arrived on {dev.Link.Name})",
            dev is null ? ns : dev);
    }

    private string? ForwardingValue(DeviceRef dev) =>
        _t.ConfSysctl(dev.Ns, dev.Link.Name, "forwarding") ?? _t.Sysctl(dev.Ns, "net.ipv4.ip_forward");

    /// <summary>IN_DEV_FORWARD: conf.DEV.forwarding, which net.ipv4.ip_forward sets on every device.</summary>
    private End? ForwardingCheck(DeviceRef dev)
    {
        var ns = dev.Namespace;
        var value = _t.ConfSysctl(ns.Ns, dev.Link.Name, "forwarding");
        bool perDevice = value is not null;
        value ??= _t.Sysctl(ns.Ns, "net.ipv4.ip_forward");
        if (value is null)
            return Missing(ns, "sysctl net.ipv4.ip_forward", $"the packet is to be forwarded by {ns}, but whether forwarding is on is not in the input");
        string Key() => perDevice ? $"net.ipv4.conf.{dev.Link.Name}.forwarding" : "net.ipv4.ip_forward";
        if (value == "1")
        {
            if (_record) Add(ns, new SysctlStep(Key(), value, "forwarding on"));
            return null;
        }
        if (_record) Add(ns, new SysctlStep(Key(), value, "forwarding off"));
        return new End(Disposition.ForwardingDisabled, $"{ns} would forward it out another device, but {Key()} = {value}", dev);
    }

    /// <summary>fib_validate_source: the reverse route to the source must leave by the arrival device (strict, 1)
    /// or exist at all (loose, 2); the mode is max(conf.all, conf.DEV).</summary>
    private End? RpFilter(DeviceRef dev, Flow flow)
    {
        var ns = dev.Namespace;
        if (dev.Link.IsLoopback) return null;
        var all = _t.ConfSysctl(ns.Ns, "all", "rp_filter");
        var own = _t.ConfSysctl(ns.Ns, dev.Link.Name, "rp_filter");
        int? mode = all is null && own is null ? null : Math.Max(ParseInt(all), ParseInt(own));
        if (mode == 0) return null;
        var (reverse, exists, viaDev) = ReversePath(dev, flow.Destination, flow.Source, _record ? Assumed : null, flow);
        if (mode is null && viaDev) return null;
        bool ok = mode == 1 ? viaDev : exists;
        if (mode is not null && ok && !_record) return null; // passes, and nobody reads the note
        string back = reverse.Route is { } r ? $"the route back to {flow.Source} is {r}" : $"there is no route back to {flow.Source}";
        if (mode is null)
            return Missing(ns, $"sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.{dev.Link.Name}.rp_filter",
                $"{back}, not via {dev.Link.Name}: whether rp_filter drops it is not in the input");
        var key = ParseInt(own) >= ParseInt(all) && own is not null ? $"net.ipv4.conf.{dev.Link.Name}.rp_filter" : "net.ipv4.conf.all.rp_filter";
        var meaning = mode == 1 ? "strict" : "loose";
        if (_record) Add(ns, new SysctlStep(key, mode.ToString(), $"{meaning} reverse-path filter: {back}" + (ok ? " — passes" : " — fails")));
        return ok ? null : new End(Disposition.RpFilterDrop,
            $"rp_filter ({meaning}) on {dev}: {back}" + (mode == 1 && exists ? $", not via {dev.Link.Name}" : ""), dev);
    }

    /// <summary>arp_process: a request is answered only when ip_route_input(target, sender, dev) succeeds, and that
    /// validates the sender (fib_validate_source) like any packet from it: with rp_filter on, the route back to the
    /// sender must leave by the arrival device (strict) or exist (loose). Null when it passes; else why not.</summary>
    private string? ArpSenderRefused(DeviceRef dev, IPAddress sender, IPAddress target)
    {
        var ns = dev.Namespace;
        if (dev.Link.IsLoopback) return null;
        int mode = Math.Max(ParseInt(_t.ConfSysctl(ns.Ns, "all", "rp_filter")), ParseInt(_t.ConfSysctl(ns.Ns, dev.Link.Name, "rp_filter")));
        if (mode == 0) return null;
        var (reverse, exists, viaDev) = ReversePath(dev, target, sender, null, null);
        if (mode == 1 ? viaDev : exists) return null;
        return $"{dev} does not answer: rp_filter ({(mode == 1 ? "strict" : "loose")}) refuses the sender {sender}" +
            (reverse.Route is { } r ? $", whose route back is {r}" : ", to which it has no route");
    }

    /// <summary>fib_validate_source's lookup, shared by the packet's rp_filter and ARP's: the route back to
    /// <paramref name="src"/> in <paramref name="dev"/>'s namespace, whether one exists (unicast) and whether it leaves by
    /// <paramref name="dev"/>.</summary>
    private (FibResult Reverse, bool Exists, bool ViaDev) ReversePath(DeviceRef dev, IPAddress dst, IPAddress src, List<string>? assumptions, Flow? flow)
    {
        var reverse = Fib.Lookup(_t, dev.Namespace, dst, src, "lo", null, assumptions, flow, reverse: true);
        bool exists = reverse.Type == RouteTypes.Unicast;
        bool viaDev = exists && (reverse.Device == dev.Link.Name || HasNextHopVia(reverse.Route!, dev.Link.Name));
        return (reverse, exists, viaDev);
    }

    private static bool HasNextHopVia(Route r, string dev)
    {
        foreach (var n in r.NextHops) if (n.Device == dev) return true;
        return false;
    }

    private static int ParseInt(string? s) => int.TryParse(s, out var n) ? n : 0;

    /// <summary>Runs one netfilter hook; a drop or reject ends the packet with <paramref name="denied"/>.</summary>
    private End? Filter(NsRef ns, Hook hook, Flow flow, string? inDev, string? outDev, Disposition denied, bool? established = null, NfContext? ctx = null)
    {
        var verdict = Netfilter.Evaluate(ns, hook, flow, inDev, outDev, established ?? _isReply, ctx);
        if (_record) foreach (var s in verdict.Steps) Add(ns, s);
        for (int i = 0; i < verdict.Assumptions.Count; i++) Assume(verdict.Assumptions[i]);
        return verdict.Kind switch
        {
            VerdictKind.Accept => null,
            VerdictKind.Unknown => Defer(ns, hook, Missing(ns, "iptables-save; nft list ruleset", $"the firewall of {ns} is not in the input")),
            VerdictKind.Uncertain => new End(Disposition.Uncertain, $"{ns} {hook.ToString().ToUpperInvariant()}: {verdict.Reason}", ns),
            _ => new End(denied, $"{ns} {hook.ToString().ToUpperInvariant()}: {verdict.Reason}", ns),
        };
    }

    /// <summary>
    /// An unknown firewall does not stop the walk: pasted sessions rarely show one, and what lies
    /// behind it (the mission's MAC drop) is what the user needs. The packet goes on as if accepted,
    /// the step says so, and a walk that would end Delivered ends InsufficientInfo instead.
    /// </summary>
    private End? Defer(NsRef ns, Hook hook, End missing)
    {
        if (_record) Add(ns, new FilterStep("netfilter", "?", hook.ToString().ToUpperInvariant(), null,
            $"not in the input, assumed to accept (to know: {missing.Missing})"));
        _deferred ??= missing;
        return null;
    }
}
