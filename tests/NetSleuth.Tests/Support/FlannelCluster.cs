using System.Net;
using NetSleuth.Model;
using NetSleuth.Synth;

namespace NetSleuth.Tests.Support;

/// <summary>A small healthy flannel-style cluster from the generator (cni0 + flannel.1 per node), and its objects by node.</summary>
internal sealed class FlannelCluster
{
    public FlannelCluster(int nodes)
    {
        (Snapshot, _) = new ClusterGenerator(new SynthOptions(nodes, 2, SynthStyle.Bridge, Seed: 3)).GenerateAll();
    }

    public Snapshot Snapshot { get; }

    public static string Node(int n) => Addressing.NodeName(n);
    public Host Host(int n) => Snapshot.Hosts.Single(h => h.Name == Node(n));
    public Link Flannel(int n) => Host(n).Root!.FindLink("flannel.1")!;
    public static IPAddress NodeIp(int n) => Addressing.Ip(Addressing.NodeIp(n));
    public static MacAddress Mac(int n) => Addressing.FlannelMac(n);
    /// <summary>Node n's FDB entry for node m's flannel.1 MAC.</summary>
    public FdbEntry Fdb(int n, int m) => Host(n).Root!.Fdb.Single(f => f.Device == "flannel.1" && f.Mac == Mac(m));
    /// <summary>Node n's flannel.1 address, the gateway other nodes route n's pods through.</summary>
    public IPAddress FlannelAddress(int n) => Flannel(n).Addresses[0].Address;
    /// <summary>The first pod address of node n.</summary>
    public IPAddress Pod(int n) => Host(n).Namespaces.Where(x => !x.IsRoot).SelectMany(x => x.Links).SelectMany(l => l.Addresses)
        .First(a => !IPAddress.IsLoopback(a.Address)).Address;
}
