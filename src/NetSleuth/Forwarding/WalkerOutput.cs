using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Forwarding;

/// <summary>Local output (ip_route_output + ip_local_out): source selection, routing, OUTPUT hook, MTU, neighbour.</summary>
internal sealed partial class Walker
{
    /// <summary>The traced packet as it left its sender (the source address once selected).</summary>
    private Flow? _flow;

    private Next Output(Out o)
    {
        var ns = o.Ns;
        var flow = o.Flow;
        if (!ns.Ns.IsKnown(Sections.Routes4))
            return Missing(ns, "ip route show table all", $"the routes of {ns} are not in the input");
        var fib = Fib.Lookup(_t, ns, flow.Source, flow.Destination, "lo", o.Bound?.Link.Name, _record ? Assumed : null, flow);
        if (_record) foreach (var s in fib.Steps) Add(ns, s);
        if (RouteFailure(ns, fib, flow, input: false) is { } fail) return fail;
        var route = fib.Route!;

        if (fib.Type == RouteTypes.Local)
        {
            var src = flow.Source.Equals(IPAddress.Any) ? flow.Destination : flow.Source;
            flow = SetSource(ns, o, flow, src, "the destination is local: the kernel uses it as source");
            if (_record) Add(ns, new RoutingStep(RouteTables.Name(fib.Table), route.ToString(), "local", "lo", null) { Evidence = route.Source });
            var lo = _t.Device(ns, "lo") ?? _t.Device(ns, route.Device ?? "lo");
            if (!o.AfterNat)
            {
                var sent = flow;
                if (RunHook(ns, Forwarding.Hook.Output, ref flow, null, "lo", Disposition.DeniedOut) is { } denied) return denied;
                if (!flow.Destination.Equals(sent.Destination)) return o with { Flow = flow, AfterNat = true }; // routed again
            }
            if (RunHook(ns, Forwarding.Hook.Input, ref flow, "lo", null, Disposition.DeniedIn) is { } deniedIn) return deniedIn;
            if (o.Inner is null && !o.AfterNat && Ipvs(ns, flow) is { } ipvs) return ipvs;
            return Deliver(lo, ns, new Frame(flow, MacAddress.Zero, MacAddress.Zero, o.Inner));
        }

        var dev = fib.Device is null ? null : _t.Device(ns, fib.Device);
        if (dev is null)
            return Missing(ns, "ip link show", $"route {route} uses device {fib.Device ?? "?"}, which is not in the input");
        if (flow.Source.Equals(IPAddress.Any))
        {
            var (src, why) = SelectSource(ns, route, dev, fib.Gateway ?? flow.Destination);
            if (src is null)
                return new End(Disposition.NoRoute, $"no source address for {flow.Destination} in {ns}: {why}", ns);
            flow = SetSource(ns, o, flow, src, why);
        }
        else if (o.Inner is null && !_isReply && !o.AfterNat && !Linker.IsOwnedBy(_t, flow.Source, ns))
        {
            if (_record) Assume($"source {flow.Source} is not an address of {ns}: the kernel would refuse to bind it; traced as if sent anyway");
        }
        var nextHop = fib.Gateway ?? flow.Destination;
        if (_record) Add(ns, new RoutingStep(RouteTables.Name(fib.Table), route.ToString(), "output", dev.Link.Name, nextHop) { Evidence = route.Source });
        if (!o.AfterNat)
        {
            var sent = flow;
            if (RunHook(ns, Forwarding.Hook.Output, ref flow, null, dev.Link.Name, Disposition.DeniedOut) is { } deniedOut) return deniedOut;
            if (!flow.Destination.Equals(sent.Destination)) return o with { Flow = flow, AfterNat = true }; // ip_route_me_harder: routed again
        }
        if (RunHook(ns, Forwarding.Hook.Postrouting, ref flow, null, dev.Link.Name, Disposition.DeniedOut, nextHop) is { } deniedPost) return deniedPost;
        if (LinkCheck(dev) is { } down) return down;
        if (MtuCheck(dev, route, ref flow, local: true) is { } tooBig) return tooBig;
        return ResolveAndSend(dev, nextHop, flow, o.Inner);
    }

    private Flow SetSource(NsRef ns, Out o, Flow flow, IPAddress src, string why)
    {
        if (!flow.Source.Equals(IPAddress.Any)) return flow;
        flow = flow with { Source = src };
        if (_record) Add(ns, new SourceStep(src, why));
        if (o.Inner is null) _flow = flow;
        return flow;
    }

    /// <summary>inet_select_addr: the route's prefsrc, else the device's primary address (the one on the next hop's
    /// subnet first), else any global address of the namespace.</summary>
    private static (IPAddress? Src, string Why) SelectSource(NsRef ns, Route route, DeviceRef dev, IPAddress nextHop)
    {
        if (route.PrefSrc is { } pref) return (pref, $"prefsrc of the route");
        // the device's primary IPv4 addresses in order: the first on the next hop's subnet, else the first
        IfAddress? first = null, onLink = null;
        foreach (var a in dev.Link.Addresses)
        {
            if (!(a.Prefix.IsV4 && a.Scope is null or "global" or "link" && !a.Flags.Contains("secondary"))) continue;
            first ??= a;
            if (Fib.Contains(a.Prefix, nextHop)) { onLink = a; break; }
        }
        if (onLink is not null) return (onLink.Address, $"primary address of {dev.Link.Name} on the next hop's subnet");
        if (first is not null) return (first.Address, $"primary address of {dev.Link.Name}");
        var any = ns.Ns.Links.Where(l => !l.IsLoopback).SelectMany(l => l.Addresses)
            .FirstOrDefault(a => a.Prefix.IsV4 && a.Scope is null or "global");
        return any is null
            ? (null, $"{dev.Link.Name} has no IPv4 address and neither has any other device")
            : (any.Address, $"{dev.Link.Name} has no IPv4 address: the first global address of the namespace");
    }

    /// <summary>A route lookup that ends the packet (no route, blackhole, unreachable, prohibit, unsupported types).</summary>
    private End? RouteFailure(NsRef ns, FibResult fib, Flow flow, bool input)
    {
        Place at = ns;
        switch (fib.Type)
        {
            case "none":
                if (_record) Add(ns, new RoutingStep("*", null, "in every table the rules looked up", null, null));
                if (DownLinkFor(ns, flow.Destination) is { } down)
                    return new End(Disposition.LinkDown, $"{ns} has no route to {flow.Destination}: {down.Link.Name}, whose subnet holds it, is down (the kernel removed its routes)",
                        down);
                return new End(Disposition.NoRoute, $"{ns} has no route to {flow.Destination}" +
                    (input ? " (ICMP net unreachable)" : " (connect: Network is unreachable)"), at);
            case RouteTypes.Blackhole:
                AddRouteStep(ns, fib, "blackhole");
                return new End(Disposition.Blackhole, $"{Describe(fib)} in {ns}: discarded silently", at);
            case RouteTypes.Unreachable:
                AddRouteStep(ns, fib, "unreachable");
                return new End(Disposition.Unreachable, $"{Describe(fib)} in {ns} (No route to host)", at);
            case RouteTypes.Prohibit:
                AddRouteStep(ns, fib, "prohibit");
                return new End(Disposition.Prohibited, $"{Describe(fib)} in {ns} (administratively prohibited)", at);
            case RouteTypes.Local or RouteTypes.Unicast:
                return null;
            default:
                AddRouteStep(ns, fib, fib.Type);
                return new End(Disposition.Uncertain, $"route type {fib.Type} ({fib.Route}) in {ns} is not simulated", at);
        }
    }

    /// <summary>A device that is down and has an address on the destination's subnet: why its routes are gone.</summary>
    private DeviceRef? DownLinkFor(NsRef ns, IPAddress dst)
    {
        foreach (var l in ns.Ns.Links)
            if (!l.IsUp && l.Addresses.Any(a => a.Prefix.Length < a.Prefix.MaxLength && Fib.Contains(a.Prefix, dst)))
                return _t.Device(ns, l.Name);
        return null;
    }

    private void AddRouteStep(NsRef ns, FibResult fib, string decision)
    {
        if (fib.Route is { } r) Add(ns, new RoutingStep(RouteTables.Name(fib.Table), r.ToString(), decision, null, null) { Evidence = r.Source });
    }

    private static string Describe(FibResult fib) => fib.Route is { } r ? $"route {r}" : $"rule action {fib.Type}";

    /// <summary>Administrative state and carrier of a device the packet leaves or enters by.</summary>
    private End? LinkCheck(DeviceRef dev)
    {
        var l = dev.Link;
        if (l.IsLoopback) return null;
        if (!l.IsUp)
        {
            if (_record) Add(dev.Namespace, new LinkStep(l.Name, "DOWN (administratively)", false) { Evidence = l.Source });
            return new End(Disposition.LinkDown, $"{dev} is down", dev);
        }
        // carrier is LOWER_UP; operstate lags behind it (linkwatch) and is only used when flags do not say
        if (!l.Flags.Contains("LOWER_UP") && (l.Flags.Contains("NO-CARRIER") || l.OperState is "DOWN" or "LOWERLAYERDOWN"))
        {
            if (_record) Add(dev.Namespace, new LinkStep(l.Name, $"UP but without carrier (state {l.OperState})", false) { Evidence = l.Source });
            var peer = l.IsVeth ? _t.VethPeer(dev) : null;
            // the packet is queued on the device, whose qdisc drops it (QDISC_DROP after it): it passed it
            Passed(dev);
            return peer is not null && !peer.Link.IsUp
                ? new End(Disposition.LinkDown, $"{dev} has no carrier: its veth peer {peer} is down", peer)
                : new End(Disposition.LinkDown, $"{dev} has no carrier", dev);
        }
        return null;
    }

    /// <summary>ip_finish_output / ip_forward: a packet larger than the path MTU with DF set fails.</summary>
    /// <remarks>Without DF the packet is fragmented: <paramref name="flow"/> becomes the first fragment.</remarks>
    private End? MtuCheck(DeviceRef dev, Route? route, ref Flow flow, bool local)
    {
        int? mtu = route?.Mtu ?? dev.Link.Mtu;
        if (mtu is not { } m || flow.Size <= m) return null;
        var what = route?.Mtu is not null ? $"route mtu {m}" : $"mtu {m}";
        if (!flow.DontFragment)
        {
            if (_record) Add(dev.Namespace, new MtuStep(dev.Link.Name, m, flow.Size, "fragmented (DF not set); following the first fragment"));
            flow = flow with { Size = m };
            return null;
        }
        if (_record) Add(dev.Namespace, new MtuStep(dev.Link.Name, m, flow.Size, "too big, DF set"));
        return new End(Disposition.MtuExceeded, $"{flow.Size}-byte packet with DF does not fit {what} of {dev}" +
            (local ? " (local error: message too long)" : " (ICMP fragmentation needed sent back)"), dev);
    }
}
