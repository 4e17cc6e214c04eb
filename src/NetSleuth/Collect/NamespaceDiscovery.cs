using System.Globalization;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Finds every network namespace: the root (/proc/1/ns/net), named ones (/run/netns/*) and every
/// process's (/proc/PID/ns/net), de-duplicated by inode. Each one is opened (O_RDONLY|O_CLOEXEC) so it
/// stays alive until the collection ends. Ids: "root", the netns name, "inode:N".
/// </summary>
internal sealed class NamespaceDiscovery : IDisposable
{
    public List<NsHandle> All { get; } = [];
    /// <summary>Named namespaces listed under /run/netns that could not be opened (deleted meanwhile).</summary>
    public List<string> Unopened { get; } = [];
    /// <summary>Assumptions discovery had to make, for the host's warnings.</summary>
    public List<Warning> Notes { get; } = [];

    public NsHandle? ByInode(long inode) => All.FirstOrDefault(h => h.Inode == inode);

    /// <param name="rootName">a named namespace standing in as the host's root (lab hosts), or null</param>
    public static NamespaceDiscovery Run(string? rootName)
    {
        var d = new NamespaceDiscovery();
        try
        {
            d.Discover(rootName);
            return d;
        }
        catch
        {
            d.Dispose();
            throw;
        }
    }

    private void Discover(string? rootName)
    {
        if (rootName is not null)
        {
            var h = Open(CollectPaths.NamedNetns(rootName), "root", rootName, isRoot: true)
                ?? throw new InputException(CollectPaths.NamedNetns(rootName), 0, "no such network namespace");
            All.Add(h);
        }
        // the machine's own root: "root" unless a named namespace stands in for it
        var machineRoot = OpenAs(CollectPaths.RootNetns, rootName is null ? "root" : null, null, isRoot: rootName is null);
        if (machineRoot is null)
        {
            // some sandboxes hide pid 1's namespace even from root: take the collector's own
            var why = Native.LastError();
            machineRoot = OpenAs(CollectPaths.SelfNetns, rootName is null ? "root" : null, null, isRoot: rootName is null);
            if (rootName is null && machineRoot is not null)
                Notes.Add(new Warning($"{CollectPaths.RootNetns} cannot be opened ({why}); the collector's own namespace is taken as the root",
                    new SourceRef(CollectPaths.RootNetns)));
        }
        if (machineRoot is not null && ByInode(machineRoot.Inode) is null) All.Add(machineRoot);
        else machineRoot?.Dispose();

        if (Directory.Exists(CollectPaths.NetnsDir))
        {
            foreach (var path in Directory.GetFiles(CollectPaths.NetnsDir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (name == rootName) continue;
                var h = Open(path, name, name, isRoot: false);
                if (h is null) { Unopened.Add(name); continue; }
                if (ByInode(h.Inode) is null) All.Add(h);
                else h.Dispose();
            }
        }
        foreach (var pid in Pids())
        {
            var inode = InodeOf(CollectPaths.ProcNetns(pid));
            if (inode is null) continue; // a process that just exited, or a kernel thread
            if (ByInode(inode.Value) is { } known)
            {
                known.Pids.Add(pid);
                continue;
            }
            var h = OpenAs(CollectPaths.ProcNetns(pid), null, null, isRoot: false, expectInode: inode);
            if (h is null) continue; // gone between readlink and open
            h.Pids.Add(pid);
            All.Add(h);
        }
    }

    private static IEnumerable<int> Pids()
    {
        var list = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) list.Add(pid);
        list.Sort();
        return list;
    }

    private NsHandle? Open(string path, string id, string? name, bool isRoot) => OpenAs(path, id, name, isRoot);

    /// <summary>Opens a namespace file; a null id becomes "inode:N".</summary>
    private static NsHandle? OpenAs(string path, string? id, string? name, bool isRoot, long? expectInode = null)
    {
        int fd = Native.Open(path, Native.O_RDONLY | Native.O_CLOEXEC);
        if (fd < 0) return null;
        var inode = Native.Inode(fd);
        if (inode is null || (expectInode is not null && inode != expectInode))
        {
            Native.Close(fd);
            return null;
        }
        return new NsHandle
        {
            Id = id ?? "inode:" + inode.Value.ToString(CultureInfo.InvariantCulture),
            Name = name,
            Inode = inode.Value,
            IsRoot = isRoot,
            Fd = fd,
            OpenedFrom = path,
        };
    }

    /// <summary>"net:[4026531840]" → 4026531840 (readlink of a namespace file or fd).</summary>
    internal static long? InodeOf(string link)
    {
        string? target;
        try { target = new FileInfo(link).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return ParseNsLink(target);
    }

    internal static long? ParseNsLink(string? target)
    {
        if (target is null || !target.StartsWith("net:[", StringComparison.Ordinal) || !target.EndsWith(']')) return null;
        return long.TryParse(target.AsSpan(5, target.Length - 6), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    public void Dispose()
    {
        foreach (var h in All) h.Dispose();
        All.Clear();
    }
}
