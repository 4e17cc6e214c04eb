using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Finds a namespace's links by name and by ifindex in constant time while an import fills the
/// namespace (<see cref="NetNamespace.FindLink(string)"/> is a linear search, so looking up every link
/// of a 40,000-link output was quadratic). The answers are those of the linear searches — the first
/// link in list order with that name / index — also when the list changed behind the index:
/// links appended by anyone are indexed on the next lookup, a shorter or replaced list is re-indexed,
/// and a hit whose name or index no longer matches (a link renamed or renumbered elsewhere) makes the
/// index rebuild itself. A link renamed or renumbered TO a key is only seen when the change goes through
/// <see cref="Rename"/> / <see cref="Renumber"/>, which every importer does.
/// </summary>
internal sealed class LinkLookup
{
    private static readonly ConditionalWeakTable<NetNamespace, LinkLookup> Table = new();

    private readonly NetNamespace _ns;
    private readonly Dictionary<string, Link> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Link> _byIndex = [];
    private List<Link>? _list;
    private int _indexed;
    private bool _anyNameless;

    private LinkLookup(NetNamespace ns) => _ns = ns;

    /// <summary>The lookup of <paramref name="ns"/>, made on first use.</summary>
    public static LinkLookup Of(NetNamespace ns) => Table.GetValue(ns, n => new LinkLookup(n));

    /// <summary>Drops the index of <paramref name="ns"/> (the import is done; a later use rebuilds it).</summary>
    public static void Forget(NetNamespace ns) => Table.Remove(ns);

    /// <summary>The first link named <paramref name="name"/>, as <c>ns.FindLink(name)</c>.</summary>
    public Link? ByName(string name)
    {
        Sync();
        if (!_byName.TryGetValue(name, out var link)) return null;
        if (link.Name == name) return link;
        Rebuild();
        return _byName.GetValueOrDefault(name);
    }

    /// <summary>The first link with ifindex <paramref name="index"/>, as <c>ns.FindLink(index)</c>.</summary>
    public Link? ByIndex(int index)
    {
        if (index <= 0) return _ns.FindLink(index); // not indexed: links whose index is not known yet have 0
        Sync();
        if (!_byIndex.TryGetValue(index, out var link)) return null;
        if (link.Index == index) return link;
        Rebuild();
        return _byIndex.GetValueOrDefault(index);
    }

    /// <summary>The first link with ifindex <paramref name="index"/> and no name yet.</summary>
    public Link? NamelessByIndex(int index)
    {
        Sync();
        return _anyNameless ? _ns.Links.FirstOrDefault(l => l.Index == index && l.Name.Length == 0) : null;
    }

    /// <summary>Appends a new link to the namespace and indexes it.</summary>
    public void Add(Link link)
    {
        Sync();
        _ns.Links.Add(link);
        Sync();
    }

    /// <summary>Renames <paramref name="link"/> (a link of this namespace), keeping the index right.</summary>
    public void Rename(Link link, string name)
    {
        if (link.Name == name) return;
        Sync();
        var old = link.Name;
        link.Name = name;
        if (_byName.TryGetValue(old, out var first) && ReferenceEquals(first, link)) Rebuild(); // another link may now be the first "old"
        else if (!_byName.TryGetValue(name, out var cur)) _byName[name] = link;
        else if (_ns.Links.IndexOf(cur) > _ns.Links.IndexOf(link)) Rebuild();
        if (name.Length == 0) _anyNameless = true;
    }

    /// <summary>Sets the ifindex of <paramref name="link"/> (a link of this namespace), keeping the index right.</summary>
    public void Renumber(Link link, int index)
    {
        if (link.Index == index) return;
        Sync();
        var old = link.Index;
        link.Index = index;
        bool wasFirst = old > 0 && _byIndex.TryGetValue(old, out var first) && ReferenceEquals(first, link);
        if (wasFirst || _byIndex.ContainsKey(index)) Rebuild(); // which link comes first depends on list order
        else if (index > 0) _byIndex[index] = link;
    }

    private void Sync()
    {
        var list = _ns.Links;
        if (!ReferenceEquals(list, _list) || list.Count < _indexed) { Rebuild(); return; }
        for (; _indexed < list.Count; _indexed++) IndexOne(list[_indexed]);
    }

    private void Rebuild()
    {
        _byName.Clear();
        _byIndex.Clear();
        _anyNameless = false;
        _list = _ns.Links;
        _indexed = 0;
        for (; _indexed < _list.Count; _indexed++) IndexOne(_list[_indexed]);
    }

    private void IndexOne(Link l)
    {
        _byName.TryAdd(l.Name, l);
        if (l.Index > 0) _byIndex.TryAdd(l.Index, l);
        if (l.Name.Length == 0) _anyNameless = true;
    }
}
