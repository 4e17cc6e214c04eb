using System.Text.Json;
using NetSleuth.Import;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Reads one namespace. Runs on a thread that has already entered it (setns), so every child
/// process and every /proc/sys/net read sees that namespace. Never changes anything.
/// </summary>
internal static class NamespaceCollector
{
    /// <param name="toolsOnly">read everything with the `ip`/`tc`/`bridge`/`nft` processes (the reference path)
    /// instead of rtnetlink and nf_tables dumps in this process</param>
    /// <param name="conntrack">also read the connection-tracking table (`conntrack -L`)</param>
    public static NetNamespace Collect(NsHandle h, ImportLog log, bool toolsOnly = false, bool conntrack = false)
    {
        var ns = new NetNamespace { Id = h.Id, Name = h.Name, Inode = h.Inode, IsRoot = h.IsRoot };
        if (h.Name is null && !h.IsRoot)
            foreach (var pid in h.Pids.Take(3))
                ns.Processes.Add(new NsProcess(pid, ReadComm(pid)));
        bool? nftHasIptables;
        IReadOnlyDictionary<string, string>? deviceSysctls = null;
        if (toolsOnly)
        {
            ReadIpBatch(ns, log, Tools.IpBatch);
            ReadRulesAndFdb(ns, log);
            ReadTc(ns, log);
            nftHasIptables = ReadNft(ns, log);
        }
        else
        {
            var left = Netlink.NetlinkNamespaceReader.Read(ns, log);
            if (left.IpLines.Count > 0) ReadIpBatch(ns, log, [.. Tools.IpBatch.Where(left.IpLines.Contains)]);
            if (left.Rules6) ReadSingle(Tools.Ip6Rules, ns, log);
            if (left.Fdb) ReadSingle(Tools.BridgeFdb, ns, log);
            if (left.Tc) ReadTc(ns, log);
            nftHasIptables = ReadNftIfAny(ns, log);
            deviceSysctls = left.DeviceSysctls;
        }
        ReadIptables(ns, nftHasIptables, log);
        Sysctls.Read(ns, log, deviceSysctls);
        if (conntrack) ReadConntrack(ns, log);
        return ns;
    }

    /// <summary>`nft -j list ruleset` only when nf_tables says the namespace has a table; an empty ruleset costs no process.</summary>
    private static bool? ReadNftIfAny(NetNamespace ns, ImportLog log)
    {
        if (Netlink.NftProbe.CountTables() != 0) return ReadNft(ns, log);
        ns.Nftables = new NftRuleset { Source = new SourceRef("nfnetlink NFT_MSG_GETTABLE") };
        ns.Known.Add(Sections.Nftables);
        return false;
    }

    private static string? ReadComm(int pid)
    {
        try { return File.ReadAllText(CollectPaths.ProcComm(pid)).TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static SourceRef Src(IReadOnlyList<string> argv) => new(Util.Shell.Join(argv));

    private static void ReadIpBatch(NetNamespace ns, ImportLog log, string[] batch)
    {
        var stdin = string.Join('\n', batch) + "\n";
        var r = Tools.Run(Tools.IpBatchArgv, stdin);
        var src = Src(Tools.IpBatchArgv);
        if (r.ExitCode == 127) { log.Warn(src, "ip not found: links, addresses, routes, rules, neighbours not collected", ns.Id); return; }
        var values = JsonValues.Split(r.Stdout, out var error);
        if (values is null) { log.Warn(src, $"ip: {error}; is iproute2 too old for -j?", ns.Id); return; }
        string[] globals = ["-d", "-j"];
        for (int i = 0; i < batch.Length; i++)
        {
            var argv = Tools.BatchLineArgv("ip", globals, batch[i]);
            if (i >= values.Count)
            {
                log.Warn(Src(argv), $"no output ({JsonValues.FirstLine(r.Stderr.Trim())}); not collected", ns.Id);
                continue;
            }
            IpJsonCommands.Parse(argv, values[i].GetRawText(), ns, Src(argv), log);
        }
    }

    /// <summary>IPv6 rules and the bridge FDB by rtnetlink dumps in this process (two child processes fewer per
    /// namespace); `ip -6 -j rule show` / `bridge -j fdb show` when a dump fails.</summary>
    private static void ReadRulesAndFdb(NetNamespace ns, ImportLog log)
    {
        using var rtnl = RtnlDump.Open();
        var rules = rtnl?.Dump(RtnlObjects.RTM_GETRULE, RtnlObjects.AF_INET6, RtnlObjects.RuleHeader);
        if (rules is null) ReadSingle(Tools.Ip6Rules, ns, log);
        else
        {
            var src = new SourceRef("RTM_GETRULE inet6");
            ns.Rules.AddRange(rules.Select(m => RtnlObjects.Rule(m, src)));
            ns.Known.Add(Sections.Rules6);
        }
        var fdb = rtnl?.Dump(RtnlObjects.RTM_GETNEIGH, RtnlObjects.AF_BRIDGE, RtnlObjects.NeighHeader);
        if (fdb is null) ReadSingle(Tools.BridgeFdb, ns, log);
        else
        {
            var src = new SourceRef("RTM_GETNEIGH bridge");
            string NameOf(int index) => ns.FindLink(index)?.Name ?? "if" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ns.Fdb.AddRange(fdb.Select(m => RtnlObjects.Fdb(m, NameOf, src)).OfType<FdbEntry>());
            ns.Known.Add(Sections.Fdb);
        }
    }

    private static void ReadSingle(IReadOnlyList<string> argv, NetNamespace ns, ImportLog log)
    {
        var r = Tools.Run(argv);
        if (!r.Ok)
        {
            log.Warn(Src(argv), $"failed ({r.ExitCode}): {JsonValues.FirstLine(r.Stderr.Trim())}; not collected", ns.Id);
            return;
        }
        IpJsonCommands.Parse(argv, r.Stdout, ns, Src(argv), log);
    }

    private static void ReadTc(NetNamespace ns, ImportLog log)
    {
        var qdiscArgv = new[] { "tc", "-j", "qdisc", "show" };
        var (qdiscs, lines, cmds, error) = Tools.TcConversation(q => FilterCommands(q));
        if (qdiscs is null)
        {
            log.Warn(Src(qdiscArgv), $"{error ?? "no output"}; tc not collected", ns.Id);
            return;
        }
        if (!IpJsonCommands.Parse(qdiscArgv, qdiscs, ns, Src(qdiscArgv), log)) return;
        if (lines.Count != cmds.Count)
        {
            log.Warn(Src(["tc", "-j", "-batch", "-"]), $"{cmds.Count} filter listings asked, {lines.Count} answered ({error}); tc filters incomplete", ns.Id);
            return;
        }
        for (int i = 0; i < cmds.Count; i++)
        {
            var argv = Tools.BatchLineArgv("tc", ["-j"], cmds[i]);
            if (!IpJsonCommands.Parse(argv, lines[i], ns, Src(argv), log)) return;
        }
        ns.Known.Add(Sections.Tc);
    }

    /// <summary>
    /// The filter listings worth asking for: "ingress" where an ingress or clsact qdisc is, "egress"
    /// where clsact is (an ingress qdisc lists the same filters for both), and the root qdisc's
    /// filters unless it is noqueue (which has none).
    /// </summary>
    internal static List<string> FilterCommands(string qdiscJson)
    {
        var cmds = new List<string>();
        var values = JsonValues.Split(qdiscJson, out _);
        if (values is not [var arr]) return cmds;
        foreach (var q in arr.Items())
        {
            var dev = q.Str("dev");
            var kind = q.Str("kind");
            if (dev is null || kind is null || dev.Contains(' ')) continue;
            if (kind == "ingress") cmds.Add($"filter show dev {dev} ingress");
            else if (kind == "clsact") { cmds.Add($"filter show dev {dev} ingress"); cmds.Add($"filter show dev {dev} egress"); }
            else if (q.Bool("root") == true && kind != "noqueue") cmds.Add($"filter show dev {dev}");
        }
        return cmds;
    }

    /// <summary>Reads nft; returns whether iptables-nft tables exist (null when unknown).</summary>
    private static bool? ReadNft(NetNamespace ns, ImportLog log)
    {
        var r = Tools.Run(Tools.Nft);
        var src = Src(Tools.Nft);
        if (!r.Ok)
        {
            log.Warn(src, $"{(r.ExitCode == 127 ? "nft not found" : "failed: " + JsonValues.FirstLine(r.Stderr.Trim()))}; nftables not collected", ns.Id);
            return null;
        }
        if (!ParseWithImporter(Tools.Nft, r.Stdout, ns, log) || !ns.Known.Contains(Sections.Nftables)) return null;
        return ns.Nftables!.Tables.Any(t => t.Family is "ip" or "ip6" && t.Name is "filter" or "nat" or "mangle" or "raw" or "security");
    }

    /// <summary>`conntrack -L` (only when asked); the table is known only when the tool ran.</summary>
    private static void ReadConntrack(NetNamespace ns, ImportLog log)
    {
        string[] argv = ["conntrack", "-L"];
        var r = Tools.Run(argv);
        if (!r.Ok)
        {
            log.Warn(Src(argv), $"{(r.ExitCode == 127 ? "conntrack not found (apt-get install conntrack)" : "failed: " + JsonValues.FirstLine(r.Stderr.Trim()))}; connection tracking not collected", ns.Id);
            return;
        }
        if (ParseWithImporter(argv, r.Stdout, ns, log)) ns.Known.Add(Sections.Conntrack);
    }

    /// <summary>Hands one command's output to the importer's parser for it (CommandTable).</summary>
    private static bool ParseWithImporter(IReadOnlyList<string> argv, string stdout, NetNamespace ns, ImportLog log)
    {
        var src = Src(argv);
        if (CommandTable.Find(argv) is not { } entry)
        {
            log.Warn(src, "no parser for this command", ns.Id);
            return false;
        }
        var lines = stdout.Length == 0 ? [] : stdout.TrimEnd('\n').Split('\n');
        entry.Parse(new CommandOutput(argv, lines, src.File, 1), ns, log);
        return true;
    }

    /// <summary>iptables-save runs only when some iptables table can exist (nft or legacy); an empty
    /// ruleset without legacy tables is an empty iptables, known without a process.</summary>
    private static void ReadIptables(NetNamespace ns, bool? nftHasIptables, ImportLog log)
    {
        bool ok = true;
        foreach (var (tool, legacy) in new[] { ("iptables-save", CollectPaths.IptablesNames), ("ip6tables-save", CollectPaths.Ip6tablesNames) })
        {
            bool legacyTables = (Native.ReadSmallFile(legacy)?.Trim().Length ?? 0) > 0;
            if (nftHasIptables == false && !legacyTables) continue;
            var r = Tools.Run([tool]);
            if (!r.Ok)
            {
                log.Warn(new SourceRef(tool), $"{(r.ExitCode == 127 ? "not found" : "failed: " + JsonValues.FirstLine(r.Stderr.Trim()))}; iptables not collected", ns.Id);
                ok = false;
                continue;
            }
            ParseWithImporter([tool], r.Stdout, ns, log);
        }
        if (ok) ns.Known.Add(Sections.Iptables);
    }
}
