using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip netns [list]`, `ip netns list-id` and `ip netns identify` (ipnetns.c):
/// <code>
/// podns (id: 0)
/// other
///
/// nsid 0 (iproute2 netns name: wk)
/// nsid 1
/// </code>
/// `ip netns` lists the host's named namespaces (each becomes a namespace of the host, with nothing else
/// known); `list-id` is the running namespace's view of the others (<see cref="NetNamespace.NetnsIds"/>).
/// </summary>
internal static class IpNetnsParser
{
    /// <summary>Called with the host, since `ip netns` names namespaces, not facts inside one.</summary>
    public static void ParseList(CommandOutput output, NetNamespace current, Func<string, NetNamespace> getNamespace, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        HashSet<int>? ids = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length == 0) continue;
            var ns = getNamespace(w[0]);
            if (w.Length >= 3 && w[1] == "(id:" && Facts.Int(w[2].TrimEnd(')')) is int id)
            {
                // the id is how the namespace the command ran in numbers that namespace
                SetNetnsId(current, id, ns.Id, ref ids);
            }
            else if (w.Length > 1) log.Warn(output.At(i), $"unexpected words after namespace name: '{output.Lines[i].Trim()}'");
        }
    }

    public static void ParseListId(CommandOutput output, NetNamespace ns, Func<string, NetNamespace> getNamespace, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        HashSet<int>? ids = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0) continue;
            var w = Facts.Words(line);
            if (w.Length < 2 || w[0] != "nsid" || Facts.Int(w[1]) is not int id)
            {
                log.Warn(output.At(i), $"not an 'ip netns list-id' line: '{line}'");
                continue;
            }
            const string marker = "(iproute2 netns name: ";
            int m = line.IndexOf(marker, StringComparison.Ordinal);
            string? name = m >= 0 ? line[(m + marker.Length)..].TrimEnd(')', ' ') : null;
            SetNetnsId(ns, id, name is null ? null : getNamespace(name).Id, ref ids);
        }
        Facts.MarkKnown(output, ns, Sections.NetnsIds);
    }

    /// <summary>Sets netnsid <paramref name="id"/> of <paramref name="ns"/>, replacing an older entry for it
    /// (<paramref name="ids"/>: the ids present, made on first use so a long list stays linear).</summary>
    private static void SetNetnsId(NetNamespace ns, int id, string? target, ref HashSet<int>? ids)
    {
        ids ??= ns.NetnsIds.Select(e => e.Id).ToHashSet();
        if (!ids.Add(id)) ns.NetnsIds.RemoveAll(e => e.Id == id);
        ns.NetnsIds.Add(new NetnsIdEntry(id, target));
    }

    /// <summary>`ip netns identify [PID]`: the name of the namespace the command ran in.</summary>
    public static void ParseIdentify(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var name = output.Lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (name is null) return;
        if (CommandArgs.Of(output.Argv).Rest.Count > 0) return; // identify PID: another process's namespace
        ns.Name ??= name;
    }
}
