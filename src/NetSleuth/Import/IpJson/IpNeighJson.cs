using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// `ip -j neigh show [nud all | proxy]`, e.g.
/// <code>{"dst":"198.51.100.9","dev":"ens3","lladdr":"02:00:00:00:00:09","router":null,"state":["PERMANENT"]}
/// {"dst":"198.18.2.99","dev":"ovn-k8s-mp0","proxy":null}</code>
/// </summary>
internal static class IpNeighJson
{
    public static void Read(JsonElement root, NetNamespace ns, SourceRef src, ImportLog log)
    {
        var neighbors = Facts.Upsert(ns.Neighbors, Iproute2.IpNeighParser.NeighborKey);
        foreach (var e in root.Items())
        {
            var dst = IpRouteJson.Ip(e.Str("dst"));
            var dev = e.Str("dev");
            if (dst is null || dev is null)
            {
                log.Warn(src, $"ip -j neigh: entry '{e.Str("dst")}' without address or device skipped");
                continue;
            }
            var n = new Neighbor
            {
                Address = dst,
                Device = dev,
                Mac = MacAddress.TryParse(e.Str("lladdr"), out var mac) ? mac : null,
                State = e.Strings("state"),
                Router = e.Has("router"),
                Proxy = e.Has("proxy"),
                Source = src,
            };
            Facts.KeepEarlierReadings(neighbors.Add(n), n, src, log);
        }
    }
}

/// <summary>
/// `bridge -j fdb show`, e.g.
/// <code>{"mac":"00:00:00:00:00:00","ifname":"vxlan1","dst":"198.51.100.201","flags":["self"],"state":"permanent"}
/// {"mac":"0a:58:0a:84:02:2e","ifname":"veth1","vlan":1,"master":"br0","flags":[],"state":""}</code>
/// </summary>
internal static class BridgeFdbJson
{
    public static void Read(JsonElement root, NetNamespace ns, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            var dev = e.Str("ifname") ?? e.Str("dev");
            if (!MacAddress.TryParse(e.Str("mac"), out var mac) || dev is null)
            {
                log.Warn(src, $"bridge -j fdb: entry '{e.Str("mac")}' without MAC or device skipped");
                continue;
            }
            var f = new FdbEntry
            {
                Mac = mac,
                Device = dev,
                Master = e.Str("master"),
                Vlan = e.Int("vlan"),
                Dst = IpRouteJson.Ip(e.Str("dst")),
                Vni = e.Long("vni") is { } v ? (uint)v : null,
                Port = e.Int("port"),
                Source = src,
            };
            if (e.Str("state") is { Length: > 0 } st) f.Flags.Add(st);
            f.Flags.AddRange(e.Strings("flags"));
            ns.Fdb.Add(f);
        }
    }
}

/// <summary>`ip -j netns list-id`: <code>[{"nsid":0,"name":"wk"},{"nsid":1}]</code> (a name only for named namespaces).</summary>
internal static class NetnsListIdJson
{
    public static void Read(JsonElement root, NetNamespace ns, SourceRef src, ImportLog log)
    {
        foreach (var e in root.Items())
        {
            if (e.Int("nsid") is not { } id)
            {
                log.Warn(src, "ip -j netns list-id: entry without nsid skipped");
                continue;
            }
            ns.NetnsIds.RemoveAll(x => x.Id == id);
            ns.NetnsIds.Add(new NetnsIdEntry(id, e.Str("name")));
        }
    }
}
