using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// The main-table route a namespace would pick for an address (longest prefix, then lowest metric).
/// Only what drawing and linking need (which device leads towards an address); the tracer does the
/// full lookup with policy rules.
/// </summary>
internal static class RouteLookup
{
    public static Route? Main(NetNamespace ns, IPAddress ip) =>
        ns.Routes
            .Where(r => r.Table == RouteTables.Main && r.Type == RouteTypes.Unicast && r.Destination.Contains(ip))
            .OrderByDescending(r => r.Destination.Length)
            .ThenBy(r => r.Metric ?? 0)
            .FirstOrDefault();

    /// <summary>The output device of a route (the first next hop's for a multipath route).</summary>
    public static string? DeviceOf(Route r) => r.Device ?? r.NextHops.FirstOrDefault(h => h.Device is not null)?.Device;

    /// <summary>The device in <paramref name="ns"/> that the main table sends <paramref name="ip"/> out of.</summary>
    public static DeviceRef? OutDevice(Topology t, NsRef ns, IPAddress ip) =>
        Main(ns.Ns, ip) is { } r && DeviceOf(r) is { } dev ? t.Device(ns, dev) : null;
}
