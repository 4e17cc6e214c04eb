using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Turns the netnsids a namespace uses (IFLA_LINK_NETNSID of its links, `ip netns list-id`) into the
/// Ids of the real namespaces. A netnsid is local to the namespace that reports it, so the question
/// is asked from inside it (this thread is in it): "which id do you give the namespace behind this fd?"
/// for the discovered namespaces until every id is answered. An id no namespace answers to stays
/// unresolved with a warning — never a guess.
/// </summary>
internal static class NetnsIdResolver
{
    /// <param name="answered">how often each namespace (by inode) has been the answer so far, shared by the
    /// collecting threads: the namespaces many others point at (a node's, with every pod's veth peer) are asked
    /// first. Only the number of questions depends on it, never the answers.</param>
    public static void Resolve(NsHandle self, NetNamespace ns, List<NsHandle> all, ImportLog log,
        System.Collections.Concurrent.ConcurrentDictionary<long, int>? answered = null)
    {
        var wanted = new HashSet<int>(ns.NetnsIds.Select(e => e.Id));
        foreach (var l in ns.Links)
            if (l.LinkNetnsId is { } id) wanted.Add(id);
        var map = new Dictionary<int, string>();
        if (wanted.Count > 0)
        {
            using var q = NetnsIdQuery.Open();
            if (q is null)
            {
                log.Warn(new SourceRef("rtnetlink"), "cannot open a netlink socket; netnsids not resolved", ns.Id);
            }
            else
            {
                // namespaces `ip netns list-id` named first, then the rest (root first)
                var named = ns.NetnsIds.Where(e => e.Namespace is not null).Select(e => e.Namespace!).ToHashSet();
                var order = all.Where(h => h != self)
                    .OrderBy(h => h.Name is not null && named.Contains(h.Name) ? 0 : 1)
                    .ThenByDescending(h => answered?.GetValueOrDefault(h.Inode) ?? 0)
                    .ThenBy(h => h.IsRoot ? 0 : 1);
                foreach (var h in order)
                {
                    if (q.IdOf(h.Fd) is { } id && id >= 0 && wanted.Contains(id))
                    {
                        map[id] = h.Id;
                        answered?.AddOrUpdate(h.Inode, 1, (_, n) => n + 1);
                    }
                    if (map.Count == wanted.Count) break;
                }
            }
        }
        var src = new SourceRef("RTM_GETNSID");
        ns.NetnsIds = wanted.Order().Select(id => new NetnsIdEntry(id, map.GetValueOrDefault(id))).ToList();
        if (ns.Known.Contains(Sections.NetnsIds) || wanted.Count == 0) ns.Known.Add(Sections.NetnsIds);
        foreach (var e in ns.NetnsIds.Where(e => e.Namespace is null))
            log.Warn(src, $"netnsid {e.Id} belongs to a namespace with no process and no name here; left unresolved", ns.Id);
        foreach (var l in ns.Links)
        {
            if (l.LinkNetnsId is { } id) l.LinkNamespace = map.GetValueOrDefault(id);
            else if (l.LinkIndex is not null || l.Vxlan?.UnderlayIndex is not null) l.LinkNamespace = ns.Id;
        }
    }
}
