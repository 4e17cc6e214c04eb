using System.Net;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis;

/// <summary>What every check reads: the linked topology and shared, lazily built indexes.</summary>
internal sealed class DiagnosisContext
{
    public DiagnosisContext(Topology.Topology topology)
    {
        Topology = topology;
        Namespaces = topology.Namespaces.ToList();
    }

    public Topology.Topology Topology { get; }
    /// <summary>What the one FIB (<see cref="Forwarding.Fib"/>) decides for a packet to <paramref name="dst"/> in the namespace.</summary>
    public Forwarding.FibResult Route(NsRef ns, IPAddress dst, IPAddress? src = null, string? iif = null) =>
        Forwarding.Fib.Lookup(Topology, ns, dst, src, iif);
    /// <summary>The path a frame to <paramref name="dst"/> takes at layer 2 (<see cref="Forwarding.L2Reach.PathTo"/>).</summary>
    public Forwarding.L2Result L2Path(DeviceRef start, bool egress, MacAddress dst) => Forwarding.L2Reach.PathTo(Topology, start, egress, dst);
    public IReadOnlyList<NsRef> Namespaces { get; }

    private readonly Dictionary<string, object> _cache = new(StringComparer.Ordinal);

    /// <summary>A result several checks share, computed once.</summary>
    public T Cache<T>(string key, Func<T> make) where T : class
    {
        if (_cache.TryGetValue(key, out var v)) return (T)v;
        var made = make();
        _cache[key] = made;
        return made;
    }

    private List<DeviceRef>? _devices;
    public IReadOnlyList<DeviceRef> Devices => _devices ??= Topology.Devices.ToList();

    private List<(DeviceRef Device, IfAddress Address)>? _podAddresses;

    /// <summary>Pod-like addresses: global IPv4/IPv6 addresses of devices in non-root namespaces.</summary>
    public IReadOnlyList<(DeviceRef Device, IfAddress Address)> PodAddresses => _podAddresses ??= Devices
        .Where(d => !d.Ns.IsRoot && !d.Link.IsLoopback)
        .SelectMany(d => d.Link.Addresses.Where(IsGlobal).Select(a => (d, a)))
        .ToList();

    /// <summary>The IPv4 pod addresses inside a prefix, in address order: the topology's address index
    /// (<see cref="Topology.Topology.AddressesIn"/>) without the root namespaces' and loopback devices' addresses.</summary>
    public IEnumerable<(DeviceRef Device, IfAddress Address)> PodsIn(IpPrefix prefix)
    {
        foreach (var (d, a) in Topology.AddressesIn(prefix))
            if (!d.Ns.IsRoot && !d.Link.IsLoopback) yield return (d, a);
    }

    public static bool IsGlobal(IfAddress a) =>
        a.Scope is null or "global" or "universe" && !IPAddress.IsLoopback(a.Address) && !a.Address.IsIPv6LinkLocal;

    /// <summary>True when a match-all tc redirect takes every frame arriving on the device elsewhere: its stack never sees them.</summary>
    public bool IngressRedirectedAway(DeviceRef d) =>
        d.Ns.Filters.Count > 0 && Topology.MirredFrom(d, "ingress").Any(m => m.Edge.Kind == EdgeKind.TcRedirect && m.Filter.MatchesAll == true);

    /// <summary>A sysctl as the kernel applies it to a device: the max of conf.all and conf.DEV (rp_filter, forwarding use other rules).</summary>
    public int? ConfMax(NetNamespace ns, string dev, string name)
    {
        // through the topology's index: a node's hundreds of sysctls, asked for each of a mesh's thousand routes
        int? all = Int(Topology.ConfSysctl(ns, "all", name));
        int? one = Int(Topology.ConfSysctl(ns, dev, name));
        if (all is null && one is null) return null;
        return Math.Max(all ?? 0, one ?? 0);
    }

    public static int? Int(string? s) => int.TryParse(s, out var n) ? n : null;

    /// <summary>A missing-input note for a section of a namespace.</summary>
    public static MissingInput Need(NsRef ns, string command, string why) =>
        new(ns.Host.Name, NsCommand.Label(ns), NsCommandFor(ns, command), why);

    private static string NsCommandFor(NsRef ns, string command) =>
        ns.Ns.Name is { } n ? $"ip netns exec {Util.Shell.Quote(n)} {command}" : ns.Ns.IsRoot ? command : $"nsenter -t PID -n {command}";
}
