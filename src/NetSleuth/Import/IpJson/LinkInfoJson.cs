using NetSleuth.Model.Collections;
using System.Globalization;
using System.Net;
using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>The kind-specific "info_data" object of `ip -d -j link`, e.g. for vxlan
/// <code>{"id":555005,"remote":"198.51.100.201","link":"ens3","port_range":{"low":0,"high":0},"port":4789,"learning":false,"ttl":0}</code></summary>
internal static class LinkInfoJson
{
    public static void ReadKind(Link link, JsonElement? data)
    {
        link.Vxlan = null; link.Bridge = null; link.Vlan = null; link.Macvlan = null;
        link.Bond = null; link.Vrf = null; link.Tun = null; link.ExtraInfo = null;
        if (data is not { } d || d.ValueKind != JsonValueKind.Object) return;
        switch (link.Kind)
        {
            case LinkKinds.Vxlan: link.Vxlan = Vxlan(d); break;
            case LinkKinds.Bridge:
                link.Bridge = new BridgeInfo { StpState = d.Int("stp_state"), VlanFiltering = d.Bool("vlan_filtering"), AgeingTime = d.Int("ageing_time") };
                break;
            case LinkKinds.Vlan: link.Vlan = new VlanInfo { Id = d.Int("id"), Protocol = d.Str("protocol") }; break;
            case LinkKinds.Macvlan or LinkKinds.Macvtap: link.Macvlan = new MacvlanInfo { Mode = d.Str("mode") }; break;
            case LinkKinds.Bond: link.Bond = new BondInfo { Mode = d.Str("mode") }; break;
            case LinkKinds.Vrf: link.Vrf = new VrfInfo { Table = d.Int("table") is >= 0 and var t ? (uint)t : null }; break;
            case LinkKinds.Tun: link.Tun = new TunInfo { Type = d.Str("type") }; break;
            default: link.ExtraInfo = Flatten(d); break;
        }
    }

    private static VxlanInfo Vxlan(JsonElement d)
    {
        var v = new VxlanInfo
        {
            Vni = d.Long("id") is { } id ? (uint)id : null,
            Remote = Ip(d.Str("remote") ?? d.Str("remote6")),
            Group = Ip(d.Str("group") ?? d.Str("group6")),
            Local = Ip(d.Str("local") ?? d.Str("local6")),
            DstPort = d.Int("port"),
            Learning = d.Bool("learning"),
            Proxy = d.Bool("proxy"),
            External = d.Bool("external") ?? (d.Has("external") ? true : null),
            Ttl = d.Int("ttl"),
            Df = d.Str("df"),
        };
        if (d.Obj("port_range") is { } pr && pr.Int("high") is > 0)
        {
            v.SrcPortMin = pr.Int("low");
            v.SrcPortMax = pr.Int("high");
        }
        // iproute2 names IFLA_VXLAN_LINK with an ifindex lookup in the *reporting* namespace, which is
        // wrong when the underlay lives elsewhere; the collector turns the name back into the index.
        v.UnderlayDevice = d.Str("link");
        if (v.UnderlayDevice is { } u && u.StartsWith("if", StringComparison.Ordinal) && int.TryParse(u.AsSpan(2), out int n))
            v.UnderlayIndex = n;
        return v;
    }

    private static IPAddress? Ip(string? s) => s is not null && IPAddress.TryParse(s, out var a) ? a : null;

    private static StringMap? Flatten(JsonElement d)
    {
        var dict = new StringMap();
        foreach (var p in d.EnumerateObject())
        {
            var s = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => "",
                _ => p.Value.GetRawText(),
            };
            if (s is not null) dict[p.Name] = s;
        }
        return dict.Count == 0 ? null : dict;
    }

    internal static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}
