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

    public HostBuilder(string name, ImportLog? log = null)
    {
        Host = new Host { Name = name, Meta = new HostMeta { Origin = "import" } };
        Log = log ?? new ImportLog();
    }

    /// <summary>The namespace a command ran in: the root (null, null), a named one, or a process's one.</summary>
    public NetNamespace Namespace(string? netns, int? pid = null)
    {
        if (netns is null && pid is null)
            return Host.Root ?? Add(new NetNamespace { Id = RootId, IsRoot = true });
        if (netns is not null)
        {
            // the root namespace may itself be named (found by `ip netns identify`)
            var named = Host.Namespaces.FirstOrDefault(n => n.Name == netns || n.Id == netns);
            return named ?? Add(new NetNamespace { Id = netns, Name = netns });
        }
        var id = "pid:" + pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Host.FindNamespace(id) ?? Add(new NetNamespace { Id = id, Processes = [new NsProcess(pid.Value, null)] });
    }

    private NetNamespace Add(NetNamespace ns)
    {
        Host.Namespaces.Add(ns);
        return ns;
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
        try
        {
            if (entry.HostParse is { } hp) hp(output, ns, name => Namespace(name), Log);
            else entry.Parse(output, ns, Log);
        }
        catch (Exception e) when (e is not OutOfMemoryException) // a parser bug must not lose the rest of the input
        {
            Log.Warn(output.At(0), $"could not read the output of '{output.CommandText}': {e.Message}");
        }
        if (!Host.Meta.Sources.Contains(output.File)) Host.Meta.Sources.Add(output.File);
        return true;
    }

    /// <summary>Resolves cross references and hands the host over, with the log's warnings.</summary>
    public Host Finish()
    {
        foreach (var ns in Host.Namespaces)
        {
            foreach (var link in ns.Links)
            {
                // a vxlan device's IFLA_LINK ("vxlan1@if7") is its own ifindex; its underlay is "dev X" of the kind line
                if (link.Kind == Model.LinkKinds.Vxlan && link.LinkIndex == link.Index) link.LinkIndex = null;
                // "@eth0": a device of the same namespace
                if (link.LinkName is { } parent && link.LinkIndex is null && ns.FindLink(parent) is { Index: > 0 } p)
                    link.LinkIndex = p.Index;
                if (link.LinkNetnsName is { } nsName)
                    link.LinkNamespace = Host.Namespaces.FirstOrDefault(n => n.Name == nsName)?.Id ?? nsName;
                else if (link.LinkNetnsId is int id && ns.NetnsIds.FirstOrDefault(e => e.Id == id) is { Namespace: { } target })
                    link.LinkNamespace = target;
            }
        }
        Host.Warnings.AddRange(Log.Warnings);
        return Host;
    }
}
