using System.Collections.Concurrent;
using System.Globalization;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Collects the running machine (or a chosen set of namespaces standing for one host) into a snapshot.
/// Each namespace is read on a dedicated thread that entered it with setns(2): the `ip`/`tc`/`nft`
/// processes it starts and the /proc/sys/net files it reads belong to that namespace, with no
/// nsenter. Needs root. Never changes the machine.
/// </summary>
public static class LiveCollector
{
    public static Snapshot Collect(CollectOptions options) => new() { Hosts = [CollectHost(options)] };

    public static Host CollectHost(CollectOptions options)
    {
        if (Native.geteuid() != 0) throw new UnauthorizedAccessException("collecting needs root (it enters every network namespace)");
        using var disc = NamespaceDiscovery.Run(options.RootNamespace);
        var host = new Host { Name = options.HostName ?? ReadTrim(CollectPaths.Hostname) ?? "localhost" };
        Select(disc, options, host);
        if (disc.All.Any(h => h.IsRoot && h.Selected)) host.Warnings.AddRange(disc.Notes);
        var selected = disc.All.Where(h => h.Selected).ToList();

        var results = new ConcurrentDictionary<string, (NetNamespace? Ns, ImportLog Log)>();
        var queue = new ConcurrentQueue<NsHandle>(selected);
        var answered = new ConcurrentDictionary<long, int>();
        int done = 0;
        int workers = Math.Clamp(options.Parallelism ?? 2 * Environment.ProcessorCount, 1, Math.Max(1, selected.Count));
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            while (queue.TryDequeue(out var h))
            {
                var log = new ImportLog();
                var ns = CollectOne(h, disc.All, log, options, answered);
                results[h.Id] = (ns, log);
                options.Progress?.Report($"namespaces {Interlocked.Increment(ref done)}/{selected.Count}");
            }
        }) { IsBackground = true, Name = "netsleuth-collect" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        foreach (var h in selected)
        {
            if (!results.TryGetValue(h.Id, out var r)) continue;
            if (r.Ns is not null) host.Namespaces.Add(r.Ns);
            host.Warnings.AddRange(r.Log.Warnings);
        }
        LinkResolution.Apply(host);
        OvsCollector.Read(host, options);
        OvnCollector.Read(host, options);
        host.Meta = Meta(options);
        return host;
    }

    /// <summary>Enters the namespace on this (dedicated) thread and reads it; null when it cannot be entered.</summary>
    private static NetNamespace? CollectOne(NsHandle h, List<NsHandle> all, ImportLog log, CollectOptions options, ConcurrentDictionary<long, int> answered)
    {
        var src = new SourceRef(h.OpenedFrom);
        if (Native.setns(h.Fd, Native.CLONE_NEWNET) != 0)
        {
            log.Warn(src, $"cannot enter namespace: {Native.LastError()}; not collected", h.Id);
            return null;
        }
        if (NamespaceDiscovery.InodeOf(CollectPaths.ThreadNetns) != h.Inode)
        {
            log.Warn(src, "setns did not switch this thread's namespace; not collected", h.Id);
            return null;
        }
        var ns = NamespaceCollector.Collect(h, log, options.ToolsOnly, options.Conntrack);
        NetnsIdResolver.Resolve(h, ns, all, log, answered);
        return ns;
    }

    private static void Select(NamespaceDiscovery disc, CollectOptions o, Host host)
    {
        bool lab = o.RootNamespace is not null;
        foreach (var h in disc.All)
        {
            bool byGlob = o.NetnsGlobs.Any(g => Glob.Matches(g, h.Id) || (h.Name is not null && Glob.Matches(g, h.Name)));
            h.Selected = lab
                ? h.IsRoot || (h.Name is not null && o.Namespaces.Contains(h.Name)) || byGlob
                : o.NetnsGlobs.Count == 0 || byGlob;
        }
        foreach (var name in disc.Unopened)
            if (o.Namespaces.Contains(name) || (!lab && o.NetnsGlobs.Count == 0) || o.NetnsGlobs.Any(g => Glob.Matches(g, name)))
                host.Warnings.Add(new Warning($"named namespace {name} vanished before it could be opened; not collected", new SourceRef(CollectPaths.NamedNetns(name))));
        foreach (var name in o.Namespaces)
            if (!disc.All.Any(h => h.Name == name) && !disc.Unopened.Contains(name))
                host.Warnings.Add(new Warning($"named namespace {name} not found; not collected", new SourceRef(CollectPaths.NamedNetns(name))));
        foreach (var g in o.NetnsGlobs)
            if (!disc.All.Any(h => Glob.Matches(g, h.Id) || (h.Name is not null && Glob.Matches(g, h.Name))))
                host.Warnings.Add(new Warning($"--netns {g} matches no namespace"));
    }

    private static HostMeta Meta(CollectOptions o)
    {
        var v = Tools.Run(Tools.IpVersion);
        string? iproute = null;
        int i = v.Stdout.IndexOf("iproute2-", StringComparison.Ordinal);
        if (i >= 0) iproute = new string(v.Stdout[(i + 9)..].TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).TrimEnd('.');
        return new HostMeta
        {
            Hostname = ReadTrim(CollectPaths.Hostname),
            Kernel = ReadTrim(CollectPaths.KernelRelease),
            Iproute2Version = iproute,
            CollectedAt = DateTimeOffset.UtcNow,
            ToolVersion = o.ToolVersion ?? typeof(LiveCollector).Assembly.GetName().Version?.ToString(3),
            Origin = o.Origin,
            Sources = ["netsleuth collect"],
        };
    }

    private static string? ReadTrim(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    internal static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Shell-style globs: * and ? (no character classes).</summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text) => Match(pattern.AsSpan(), text.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> t)
    {
        while (!p.IsEmpty)
        {
            if (p[0] == '*')
            {
                p = p[1..];
                for (int i = 0; i <= t.Length; i++)
                    if (Match(p, t[i..])) return true;
                return false;
            }
            if (t.IsEmpty || (p[0] != '?' && p[0] != t[0])) return false;
            p = p[1..];
            t = t[1..];
        }
        return t.IsEmpty;
    }
}
