using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Builds one host from command outputs: picks the namespace each output ran in, runs the parser the
/// <see cref="CommandTable"/> names, and at the end resolves what only the whole host can tell (a veth
/// peer named "@eth0", a "link-netns NAME"). Parsers that fail leave a warning, never an exception.
/// </summary>
internal sealed class HostBuilder
{
    public const string RootId = "root";

    public Host Host { get; }
    public ImportLog Log { get; }

    // namespaces by Id and by Name (the first in Host.Namespaces wins, as a scan would), the root, the sources seen
    private readonly Dictionary<string, NetNamespace> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<NetNamespace, int> _position = [];
    private NetNamespace? _root;
    private readonly HashSet<string> _sources = new(StringComparer.Ordinal);
    private int _sourcesIndexed;

    public HostBuilder(string name, ImportLog? log = null)
    {
        Host = new Host { Name = name, Meta = new HostMeta { Origin = "import" } };
        Log = log ?? new ImportLog();
    }

    /// <summary>The namespace a command ran in: the root (null, null), a named one, or a process's one.</summary>
    public NetNamespace Namespace(string? netns, int? pid = null)
    {
        SyncNamespaces();
        if (netns is null && pid is null)
            return _root ?? Add(new NetNamespace { Id = RootId, IsRoot = true });
        if (netns is not null)
        {
            // the root namespace may itself be named (found by `ip netns identify`)
            return _byKey.GetValueOrDefault(netns) ?? Add(new NetNamespace { Id = netns, Name = netns });
        }
        var id = "pid:" + pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (_byKey.TryGetValue(id, out var byId) && byId.Id == id ? byId : null) ??
               Add(new NetNamespace { Id = id, Processes = [new NsProcess(pid.Value, null)] });
    }

    private NetNamespace Add(NetNamespace ns)
    {
        Host.Namespaces.Add(ns);
        SyncNamespaces();
        return ns;
    }

    /// <summary>Indexes namespaces added to the host since the last call (by anyone), and a name learned later.</summary>
    private void SyncNamespaces()
    {
        var list = Host.Namespaces;
        if (list.Count < _position.Count) { _byKey.Clear(); _position.Clear(); _root = null; }
        for (int i = _position.Count; i < list.Count; i++)
        {
            var ns = list[i];
            _position[ns] = i;
            Key(ns.Id, ns);
            if (ns.Name is { } n) Key(n, ns);
            if (ns.IsRoot) _root ??= ns;
        }
    }

    // a key names the first namespace, in host order, whose Id or Name it is
    private void Key(string key, NetNamespace ns)
    {
        if (!_byKey.TryGetValue(key, out var cur) || _position[cur] > _position[ns]) _byKey[key] = ns;
    }

    /// <summary>Reads one command's output into the namespace it ran in. False (with a warning) when no parser knows the command.</summary>
    public bool Apply(CommandOutput output, string? netns = null, int? pid = null)
    {
        var entry = CommandTable.Find(output.Argv);
        if (entry is null)
        {
            Log.Warn(output.At(0), $"output of '{output.CommandText}' skipped: not a command netsleuth reads");
            return false;
        }
        var ns = Namespace(netns, pid);
        var nameBefore = ns.Name;
        try
        {
            if (entry.HostParse is { } hp) hp(output, ns, name => Namespace(name), Log);
            else entry.Parse(output, ns, Log);
        }
        catch (Exception e) when (e is not OutOfMemoryException) // a parser bug must not lose the rest of the input
        {
            Log.Warn(output.At(0), $"could not read the output of '{output.CommandText}': {e.Message}");
        }
        if (ns.Name != nameBefore && ns.Name is { } learned) Key(learned, ns); // `ip netns identify` named it
        AddSource(output.File);
        return true;
    }

    /// <summary>Adds <paramref name="file"/> to the host's sources unless it is there already.</summary>
    public void AddSource(string file)
    {
        var sources = Host.Meta.Sources;
        if (sources.Count < _sourcesIndexed) { _sources.Clear(); _sourcesIndexed = 0; }
        for (; _sourcesIndexed < sources.Count; _sourcesIndexed++) _sources.Add(sources[_sourcesIndexed]);
        if (!_sources.Add(file)) return;
        sources.Add(file);
        _sourcesIndexed++;
    }

    /// <summary>Resolves cross references and hands the host over, with the log's warnings.</summary>
    public Host Finish()
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal); // netns name → Id of the first namespace with it
        foreach (var n in Host.Namespaces)
            if (n.Name is { } name) byName.TryAdd(name, n.Id);
        foreach (var ns in Host.Namespaces)
        {
            var links = LinkLookup.Of(ns);
            Dictionary<int, NetnsIdEntry>? ids = null; // netnsid → the first entry with it
            foreach (var link in ns.Links)
            {
                // a vxlan device's IFLA_LINK ("vxlan1@if7") is its own ifindex; its underlay is "dev X" of the kind line
                if (link.Kind == Model.LinkKinds.Vxlan && link.LinkIndex == link.Index) link.LinkIndex = null;
                // "@eth0": a device of the same namespace
                if (link.LinkName is { } parent && link.LinkIndex is null && links.ByName(parent) is { Index: > 0 } p)
                    link.LinkIndex = p.Index;
                if (link.LinkNetnsName is { } nsName)
                    link.LinkNamespace = byName.GetValueOrDefault(nsName) ?? nsName;
                else if (link.LinkNetnsId is int id)
                {
                    if (ids is null)
                    {
                        ids = [];
                        foreach (var e in ns.NetnsIds) ids.TryAdd(e.Id, e);
                    }
                    if (ids.GetValueOrDefault(id) is { Namespace: { } target }) link.LinkNamespace = target;
                }
            }
            Facts.ForgetIndexes(ns);
        }
        AddListedVethPeers();
        Host.Warnings.AddRange(Log.Warnings);
        return Host;
    }

    /// <summary>
    /// A veth whose peer is in a named namespace the input lists (`ip netns`) but does not dump: the peer exists
    /// there with the ifindex "@ifN" gives, its name and state unknown ("ifN", as iproute2 itself calls it), so the
    /// namespace is drawn with the end of the pair instead of "(no devices)".
    /// </summary>
    private void AddListedVethPeers()
    {
        var byId = new Dictionary<string, NetNamespace>(StringComparer.Ordinal);
        foreach (var n in Host.Namespaces) byId.TryAdd(n.Id, n);
        var added = new List<(NetNamespace Ns, Link Link)>();
        foreach (var ns in Host.Namespaces)
            foreach (var link in ns.Links)
            {
                if (link.LinkNamespace is not { } target || link.LinkIndex is not int peerIndex || peerIndex <= 0) continue;
                if (link.Kind is not (null or Model.LinkKinds.Veth) || !byId.TryGetValue(target, out var peerNs) || ReferenceEquals(peerNs, ns)) continue;
                if (peerNs.IsKnown(Sections.Links) || peerNs.Links.Any(l => l.Index == peerIndex)) continue;
                // a dumped namespace holds the pair's other end by the ifindex pair (a lab captured in a namespace the
                // link-netns name calls by its own name): the linker pairs them, nothing is missing
                if (Host.Namespaces.Any(o => !ReferenceEquals(o, ns) && o.Links.Any(l => l.Index == peerIndex && l.LinkIndex == link.Index))) continue;
                added.Add((peerNs, new Link
                {
                    Index = peerIndex,
                    Name = "if" + peerIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Kind = Model.LinkKinds.Veth,
                    LinkIndex = link.Index > 0 ? link.Index : null,
                    LinkNamespace = ns.Id,
                    Source = link.Source,
                }));
            }
        foreach (var (ns, link) in added)
            if (!ns.Links.Any(l => l.Index == link.Index)) ns.Links.Add(link);
    }
}
