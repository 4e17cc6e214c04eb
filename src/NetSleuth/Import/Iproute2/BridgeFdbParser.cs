using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `bridge fdb show [dev X] [br B]` (bridge/fdb.c print_fdb):
/// <code>
/// 3a:91:47:af:9f:19 dev 8b7266486ea2861 vlan 1 master br-int permanent
/// 00:00:00:00:00:00 dev vxlan0 dst 198.51.100.163 self permanent
/// 02:11:22:33:44:55 dev vx9 dst 203.0.113.21 vni 9 port 4790 via eth1 self permanent
/// </code>
/// </summary>
internal static class BridgeFdbParser
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        var dev = args.Arg("dev");
        var fdb = Facts.Upsert(ns.Fdb, e => $"{e.Mac}|{e.Device}|{e.Vlan}|{e.Dst}|{e.Master}");
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0 || Facts.IsToolError(output.Lines[i])) continue;
            var at = output.At(i);
            if (!MacAddress.TryParse(w[0], out var mac)) { log.Warn(at, $"not an FDB entry: '{output.Lines[i].Trim()}'"); continue; }
            var e = new FdbEntry { Mac = mac, Device = dev ?? "", Source = at };
            for (int k = 1; k < w.Length; k++)
            {
                string? next = k + 1 < w.Length ? w[k + 1] : null;
                switch (w[k])
                {
                    case "dev": e.Device = next ?? ""; k++; break;
                    case "master": e.Master = next; k++; break;
                    case "vlan": e.Vlan = Facts.Int(next); k++; break;
                    case "dst": e.Dst = Facts.Ip(next); k++; break;
                    case "vni": e.Vni = Facts.UInt(next); k++; break;
                    case "port": e.Port = Facts.Int(next); k++; break;
                    case "via" or "src_vni" or "nhid" or "used" or "updated": k++; break;
                    default: e.Flags.Add(w[k]); break;
                }
            }
            if (e.Device.Length == 0) { log.Warn(at, "FDB entry without a device"); continue; }
            fdb.Add(e);
        }
        if (!args.Selects()) Facts.MarkKnown(output, ns, Sections.Fdb);
    }
}
