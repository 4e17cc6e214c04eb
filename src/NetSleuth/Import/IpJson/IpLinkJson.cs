using System.Net;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// `ip -j [-d] link show` and `ip -j [-d] address show`: one object per device, e.g.
/// <code>{"ifindex":2,"link_index":6,"ifname":"eth0","flags":["BROADCAST","UP"],"mtu":1500,"qdisc":"noqueue",
///  "master":"br0","operstate":"UP","link_type":"ether","address":"0a:58:…","link_netnsid":0,
///  "linkinfo":{"info_kind":"veth","info_slave_kind":"bridge","info_slave_data":{…}},
///  "addr_info":[{"family":"inet","local":"198.18.2.46","prefixlen":23,"scope":"global","label":"eth0"}]}</code>
/// Devices are merged into the namespace by ifindex, so `link` then `addr` output fill one Link.
/// </summary>
internal static class IpLinkJson
{
    public static void Read(JsonElement root, NetNamespace ns, bool details, bool withAddresses, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            int? index = e.Int("ifindex");
            var name = e.Str("ifname");
            if (index is null || name is null)
            {
                log.Warn(src, "ip -j link: an entry without ifindex/ifname was skipped");
                continue;
            }
            var links = LinkLookup.Of(ns);
            var link = links.ByIndex(index.Value);
            if (link is null)
            {
                link = new Link { Index = index.Value, Name = name, Source = src };
                links.Add(link);
            }
            links.Rename(link, name);
            Fill(link, e, details);
            if (withAddresses) ReadAddresses(link, e, src, log);
        }
        ResolveSameNamespaceLinks(ns);
    }

    private static void Fill(Link link, JsonElement e, bool details)
    {
        link.Flags = e.Strings("flags");
        link.Mtu = e.Int("mtu") ?? link.Mtu;
        link.Qdisc = e.Str("qdisc") ?? link.Qdisc;
        link.Master = e.Str("master");
        link.OperState = e.Str("operstate") ?? link.OperState;
        link.LinkType = e.Str("link_type") ?? link.LinkType;
        if (MacAddress.TryParse(e.Str("address"), out var mac)) link.Mac = mac;
        if (MacAddress.TryParse(e.Str("broadcast"), out var brd)) link.Broadcast = brd;
        link.Promiscuity = e.Int("promiscuity") ?? link.Promiscuity;
        var alt = e.Strings("altnames");
        if (alt.Count > 0) link.AltNames = alt;
        link.LinkNetnsId = e.Int("link_netnsid");
        link.LinkNetnsName = e.Str("link_netns");
        link.LinkIndex = e.Int("link_index");
        link.LinkName = e.Str("link");
        if (link.LinkIndex is null && link.LinkName is { } ln && ln.StartsWith("if", StringComparison.Ordinal) &&
            int.TryParse(ln.AsSpan(2), out int n))
            link.LinkIndex = n;

        if (!details && e.Obj("linkinfo") is null) return;
        link.DetailsKnown = true;
        var info = e.Obj("linkinfo");
        link.Kind = info?.Str("info_kind");
        link.SlaveKind = info?.Str("info_slave_kind");
        var data = info?.Obj("info_data");
        LinkInfoJson.ReadKind(link, data);
        if (link.SlaveKind == LinkKinds.Bridge && info?.Obj("info_slave_data") is { } sd)
            link.BridgePort = new BridgePortInfo
            {
                State = sd.Str("state"),
                Learning = sd.Bool("learning"),
                Flood = sd.Bool("flood"),
                Isolated = sd.Bool("isolated"),
                Hairpin = sd.Bool("hairpin"),
            };
        // IFLA_LINK of a vxlan device is its own ifindex; the underlay is IFLA_VXLAN_LINK.
        if (link.Kind == LinkKinds.Vxlan && link.LinkIndex == link.Index) link.LinkIndex = null;
    }

    private static readonly string[] AddressFlags =
        ["secondary", "temporary", "deprecated", "tentative", "dadfailed", "optimistic", "home", "nodad", "mngtmpaddr",
         "noprefixroute", "autojoin", "stable-privacy", "dynamic", "permanent"];

    private static void ReadAddresses(Link link, JsonElement e, SourceRef src, ImportLog log)
    {
        link.Addresses.Clear();
        foreach (var a in e.Obj("addr_info")?.Items() ?? [])
        {
            var local = a.Str("local");
            int? len = a.Int("prefixlen");
            if (local is null || len is null || !IPAddress.TryParse(local, out var addr))
            {
                log.Warn(src, $"ip -j addr: an address of {link.Name} without local/prefixlen was skipped");
                continue;
            }
            var ifa = new IfAddress
            {
                Prefix = new IpPrefix(addr, len.Value),
                Scope = a.Str("scope"),
                Label = a.Str("label"),
                Source = src,
            };
            // "address" differs from "local" only for point-to-point peers
            if (a.Str("address") is { } peer && peer != local && IpPrefix.TryParse(peer, out var pp))
                ifa.Peer = new IpPrefix(pp.Address, len.Value);
            if (a.Str("broadcast") is { } b && IPAddress.TryParse(b, out var ba)) ifa.Broadcast = ba;
            foreach (var f in AddressFlags)
                if (a.Bool(f) == true) ifa.Flags.Add(f);
            if (a.Long("valid_life_time") is { } v && v != uint.MaxValue && !ifa.Flags.Contains("dynamic")) ifa.Flags.Add("dynamic");
            link.Addresses.Add(ifa);
        }
    }

    /// <summary>A veth whose peer is in the same namespace prints "link":"NAME" without an index: find it.</summary>
    internal static void ResolveSameNamespaceLinks(NetNamespace ns)
    {
        var links = LinkLookup.Of(ns);
        foreach (var l in ns.Links)
            if (l.LinkIndex is null && l.LinkNetnsId is null && l.LinkName is { } name && links.ByName(name) is { } peer)
                l.LinkIndex = peer.Index;
        // vxlan "link" is the name of IFLA_VXLAN_LINK looked up here, right or wrong: keep the index only
        foreach (var l in ns.Links)
        {
            if (l.Vxlan is not { UnderlayIndex: null, UnderlayDevice: { } dev } vx) continue;
            if (links.ByName(dev) is { } u) vx.UnderlayIndex = u.Index;
            if (l.LinkNetnsId is not null) vx.UnderlayDevice = null;
        }
    }
}
