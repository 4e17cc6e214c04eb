using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip neigh [show [dev X] [proxy]]` (ipneigh.c print_neigh):
/// <code>
/// 198.18.2.46 dev ovn-k8s-mp0 lladdr 0a:58:0a:84:02:2e PERMANENT
/// 203.0.113.3 dev dum0 lladdr 02:00:00:00:00:03 router REACHABLE
/// 203.0.113.20 dev dum0  INCOMPLETE
/// 203.0.113.99 dev dum0 proxy
/// </code>
/// With `dev X` in the command iproute2 leaves "dev X" out of each line.
/// </summary>
internal static class IpNeighParser
{
    private static readonly HashSet<string> States = ["PERMANENT", "NOARP", "REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED", "NONE"];

    /// <summary>One entry per address, device and proxy flag (shared with arp).</summary>
    public static (System.Net.IPAddress, string, bool) NeighborKey(Neighbor n) => (n.Address, n.Device, n.Proxy);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        var dev = args.Arg("dev");
        var neighbors = Facts.Upsert(ns.Neighbors, NeighborKey);
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0 || Facts.IsToolError(output.Lines[i])) continue;
            var at = output.At(i);
            var addr = Facts.Ip(w[0] == "miss" && w.Length > 1 ? w[1] : w[0]);
            if (addr is null) { log.Warn(at, $"not a neighbour entry: '{output.Lines[i].Trim()}'"); continue; }
            var n = new Neighbor { Address = addr, Device = dev ?? "", Source = at, Proxy = args.Rest.Contains("proxy") };
            for (int k = 1; k < w.Length; k++)
            {
                switch (w[k])
                {
                    case "dev" when k + 1 < w.Length: n.Device = w[++k]; break;
                    case "lladdr" when k + 1 < w.Length:
                        if (MacAddress.TryParse(w[++k], out var mac)) n.Mac = mac;
                        break;
                    case "router": n.Router = true; break;
                    case "proxy": n.Proxy = true; break;
                    case "used" or "probes" or "protocol" when k + 1 < w.Length: k++; break;
                    default:
                        if (States.Contains(w[k])) n.State.Add(w[k]);
                        break;
                }
            }
            if (n.Device.Length == 0) { log.Warn(at, "neighbour entry without a device"); continue; }
            Facts.KeepEarlierReadings(neighbors.Add(n), n, at, log);
        }
        // `ip neigh` lists both families; an empty list is a known empty table
        if (!args.Selects())
            Facts.MarkKnown(output, ns, args.V4 && !args.V6 ? Sections.Neighbors4 : args.V6 && !args.V4 ? Sections.Neighbors6 : Sections.Neighbors);
    }
}
