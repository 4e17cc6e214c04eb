using NetSleuth.Model;

namespace NetSleuth.Import.Tc;

/// <summary>
/// `tc qdisc show [dev X]` (tc/tc_qdisc.c print_qdisc):
/// <code>
/// qdisc noqueue 0: dev eth0 root refcnt 2
/// qdisc ingress ffff: dev eth0 parent ffff:fff1 ----------------
/// qdisc clsact ffff: dev vethA parent ffff:fff1
/// qdisc htb 1: dev eth0 root refcnt 2 r2q 10 default 0x10 direct_packets_stat 0
/// </code>
/// </summary>
internal static class TcQdiscParser
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        var dev = args.Arg("dev");
        var qdiscs = Facts.Upsert(ns.Qdiscs, x => $"{x.Device}|{x.Handle}|{x.Kind}");
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0 || w[0] != "qdisc") continue; // statistics lines (-s) and option lines
            var at = output.At(i);
            if (w.Length < 3) { log.Warn(at, $"not a qdisc line: '{output.Lines[i].Trim()}'"); continue; }
            var q = new TcQdisc { Kind = w[1], Handle = w[2], Device = dev ?? "", Source = at };
            for (int k = 3; k < w.Length; k++)
            {
                switch (w[k])
                {
                    case "dev" when k + 1 < w.Length: q.Device = w[++k]; break;
                    case "root": q.Parent = "root"; break;
                    case "parent" when k + 1 < w.Length: q.Parent = w[++k]; break;
                }
            }
            if (q.Kind is "ingress" or "clsact") q.Parent = q.Kind;
            if (q.Device.Length == 0) { log.Warn(at, "qdisc without a device"); continue; }
            qdiscs.Add(q); // a qdisc listed again replaces the older entry
        }
    }
}
