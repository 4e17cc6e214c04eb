using NetSleuth.Model;

namespace NetSleuth.Import.NetTools;

/// <summary>
/// net-tools `arp -a` (BSD style) and `arp -n` / `arp` (table):
/// <code>
/// ? (198.18.2.46) at 0a:58:0a:84:02:2e [ether] PERM on ovn-k8s-mp0
/// ? (203.0.113.20) at &lt;incomplete&gt; on dum0
/// ? (203.0.113.99) at &lt;from_interface&gt; PERM PUB on dum0
///
/// Address                  HWtype  HWaddress           Flags Mask            Iface
/// 198.18.2.46              ether   0a:58:0a:84:02:2e   CM                    ovn-k8s-mp0
/// 203.0.113.20                     (incomplete)                              dum0
/// </code>
/// Flags: C complete, M permanent, P published (proxy). Every entry shown is a fact. arp shows IPv4
/// only: a whole listing (no host, no `-i DEV`, not cut by `| grep`) makes the IPv4 table known
/// (<see cref="Sections.Neighbors4"/>), never the IPv6 one.
/// </summary>
internal static class ArpParser
{
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var neighbors = Facts.Upsert(ns.Neighbors, Iproute2.IpNeighParser.NeighborKey);
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("Address ", StringComparison.Ordinal) || line.StartsWith("Entries:", StringComparison.Ordinal)) continue;
            if (line.Contains("no match found", StringComparison.Ordinal)) continue;
            var at = output.At(i);
            var n = line.Contains(" at ", StringComparison.Ordinal) ? ReadBsd(line) : ReadTable(line);
            if (n is null) { log.Warn(at, $"not an arp entry: '{line}'"); continue; }
            n.Source = at;
            Facts.KeepEarlierReadings(neighbors.Add(n), n, at, log);
        }
        if (IsWholeTable(output.Argv)) Facts.MarkKnown(output, ns, Sections.Neighbors4);
    }

    /// <summary>True when the arguments are flags only (`arp`, `arp -a`, `arp -an`, `arp -e`): no host name and no
    /// interface (`-i DEV`, `--device DEV`), so the listing is the whole IPv4 table.</summary>
    private static bool IsWholeTable(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a.Length < 2 || a[0] != '-') return false; // a host name or address
            if (a is "-i" or "--device" or "-H" or "--hw-type" or "-t" || a.StartsWith("--device=", StringComparison.Ordinal)) return false;
            if (a.StartsWith("-i", StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal)) return false;
        }
        return true;
    }

    // ? (198.18.2.46) at 0a:58:0a:84:02:2e [ether] PERM on ovn-k8s-mp0
    private static Neighbor? ReadBsd(string line)
    {
        var w = Facts.Words(line);
        if (w.Length < 5 || w[1].Length < 3 || !w[1].StartsWith('(') || !w[1].EndsWith(')')) return null;
        var addr = Facts.Ip(w[1][1..^1]);
        int on = Array.LastIndexOf(w, "on");
        if (addr is null || on < 0 || on + 1 >= w.Length) return null;
        var n = new Neighbor { Address = addr, Device = w[on + 1] };
        var hw = w[3];
        if (MacAddress.TryParse(hw, out var mac)) n.Mac = mac;
        bool perm = w.Contains("PERM"), pub = w.Contains("PUB");
        n.Proxy = pub;
        if (hw == "<incomplete>") n.State.Add("INCOMPLETE");
        else if (perm) n.State.Add("PERMANENT");
        return n;
    }

    // 198.18.2.46  ether  0a:58:0a:84:02:2e  CM  ovn-k8s-mp0
    private static Neighbor? ReadTable(string line)
    {
        var w = Facts.Words(line);
        if (w.Length < 2) return null;
        var addr = Facts.Ip(w[0]);
        if (addr is null) return null;
        var n = new Neighbor { Address = addr, Device = w[^1] };
        if (line.Contains("(incomplete)", StringComparison.Ordinal)) { n.State.Add("INCOMPLETE"); return n; }
        var macWord = w.FirstOrDefault(x => MacAddress.TryParse(x, out _));
        if (macWord is not null) n.Mac = MacAddress.Parse(macWord);
        var flags = w.Length >= 5 ? w[3] : "";
        if (flags.Contains('M')) n.State.Add("PERMANENT");
        if (flags.Contains('P')) n.Proxy = true;
        return n;
    }
}
