using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `ipset list` (also `ipset -L`, `ipset save`):
/// <code>
/// Name: KUBE-CLUSTER-IP
/// Type: hash:ip,port
/// Header: family inet hashsize 1024 maxelem 65536
/// Members:
/// 10.96.0.1,tcp:443
/// create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
/// add KUBE-LOOP-BACK 10.244.1.5,tcp:8080,10.244.1.5
/// </code>
/// </summary>
internal static class IpsetParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 2 && Path.GetFileName(argv[0]) == "ipset" && argv[1] is "list" or "-L" or "--list" or "save" or "-S" or "--save";

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        IpSet? set = null;
        bool members = false;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0) { members = false; continue; }
            if (line.StartsWith("Name: ", StringComparison.Ordinal))
            {
                var name = line[6..].Trim();
                ns.Ipsets.RemoveAll(s => s.Name == name);
                set = new IpSet { Name = name, Source = output.At(i) };
                ns.Ipsets.Add(set);
                members = false;
                continue;
            }
            if (line.StartsWith("create ", StringComparison.Ordinal) || line.StartsWith("add ", StringComparison.Ordinal))
            {
                var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (w.Length < 3) { log.Warn(output, i, $"ipset: cannot read '{IptablesSaveParser.Short(line)}'"); continue; }
                var s = ns.Ipsets.FirstOrDefault(x => x.Name == w[1]);
                if (w[0] == "create")
                {
                    if (s is not null) ns.Ipsets.Remove(s);
                    ns.Ipsets.Add(new IpSet { Name = w[1], Type = w[2], Source = output.At(i) });
                }
                else if (s is null) log.Warn(output, i, $"ipset: member of {w[1]}, which was not created before");
                else s.Members.Add(w[2]);
                continue;
            }
            if (set is null) { log.Warn(output, i, $"ipset: a line before any Name: '{IptablesSaveParser.Short(line)}'"); continue; }
            if (line.StartsWith("Type: ", StringComparison.Ordinal)) { set.Type = line[6..].Trim(); continue; }
            if (line == "Members:") { members = true; continue; }
            if (members) { set.Members.Add(line.Split(' ')[0]); continue; }
            // Revision, Header, Size in memory, References, Number of entries
        }
        ns.Known.Add(Sections.Ipsets);
    }
}
