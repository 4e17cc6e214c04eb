using NetSleuth.Import.Saved;
using NetSleuth.Import.Transcript;
using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Loads the inputs of every analysis command: <c>[HOST=]PATH</c>, where PATH is a snapshot JSON,
/// a text file (a terminal transcript, or one command's saved output), or a directory (a sosreport, or
/// saved outputs). The kind is found from the content. Inputs naming the same host are merged into one
/// host. Text inputs with no HOST= are named after the prompt's host name, else the directory's name,
/// else "host".
/// </summary>
public static class InputLoader
{
    /// <summary>Larger text files are not read (a warning says so).</summary>
    public const long MaxTextBytes = 256L * 1024 * 1024;
    public const string DefaultHost = "host";

    /// <summary>Loads and merges every input. A path that does not exist raises <see cref="InputException"/>;
    /// problems inside an input become warnings in the snapshot (file:line).</summary>
    public static Snapshot Load(IEnumerable<string> specs)
    {
        // many snapshot files (a cluster's collect output): parsed in parallel, same result
        if (specs is IReadOnlyList<string> { Count: > 1 } many && SnapshotBulkLoader.TryLoadAll(many) is { } bulk) return bulk;
        var result = new Snapshot();
        var builders = new Dictionary<string, HostBuilder>(StringComparer.Ordinal);
        HostBuilder Builder(string name)
        {
            if (!builders.TryGetValue(name, out var b)) builders[name] = b = new HostBuilder(name);
            return b;
        }
        foreach (var spec in specs)
        {
            var (hostName, path) = SplitSpec(spec);
            if (Directory.Exists(path)) LoadDirectory(path, hostName, result, Builder);
            else if (File.Exists(path)) LoadFile(path, hostName, null, null, result, Builder);
            else throw new InputException(path, 0, "no such file or directory");
        }
        foreach (var b in builders.Values)
        {
            var host = b.Finish();
            if (host.Namespaces.Count == 0)
            {
                // nothing but warnings: keep them, without an empty host
                result.Warnings.AddRange(host.Warnings);
                continue;
            }
            Merge(result, new Snapshot { Hosts = [host] });
        }
        return result;
    }

    /// <summary>"worker=out.txt" → ("worker", "out.txt"); a path containing '=' before any '/' counts as HOST=.</summary>
    public static (string? Host, string Path) SplitSpec(string spec)
    {
        int eq = spec.IndexOf('=');
        int slash = spec.IndexOf('/');
        if (eq > 0 && (slash < 0 || eq < slash) && !File.Exists(spec) && !Directory.Exists(spec)) return (spec[..eq], spec[(eq + 1)..]);
        return (null, spec);
    }

    private static void LoadDirectory(string dir, string? hostName, Snapshot result, Func<string, HostBuilder> builder)
    {
        var log = new ImportLog();
        foreach (var reader in DirectoryReaders.All)
        {
            if (!reader(dir, hostName, log, out var host) || host is null) continue;
            host.Warnings.AddRange(log.Warnings);
            Merge(result, new Snapshot { Hosts = [host] });
            return;
        }
        result.Warnings.AddRange(log.Warnings);
        var dirHost = hostName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
        int files = 0;
        foreach (var (file, netns) in SavedOutputReader.Files(dir))
        {
            LoadFile(file, hostName, dirHost, netns, result, builder);
            files++;
        }
        if (files == 0) result.Warnings.Add(new Warning("empty directory", new SourceRef(dir)));
    }

    private static void LoadFile(string path, string? hostName, string? fallbackHost, string? netns, Snapshot result, Func<string, HostBuilder> builder)
    {
        List<string> lines;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxTextBytes)
            {
                result.Warnings.Add(new Warning($"skipped: {info.Length} bytes is more than the {MaxTextBytes} netsleuth reads", new SourceRef(path)));
                return;
            }
            // the start tells the kind; text is read line by line (a 100 MB transcript is not held as one string)
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var headBuf = new char[8192];
            var head = headBuf.AsSpan(0, reader.ReadBlock(headBuf));
            if (SnapshotJson.LooksLikeSnapshot(head))
            {
                LoadSnapshot(string.Concat(head, reader.ReadToEnd()), path, hostName, result);
                return;
            }
            if (head.Contains('\0'))
            {
                result.Warnings.Add(new Warning("skipped: a binary file, not text", new SourceRef(path)));
                return;
            }
            lines = TextCleaner.ReadLines(reader, head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, 0, e.Message);
        }
        var unit = TranscriptReader.LooksLikeTranscript(lines)
            ? TranscriptReader.Read(lines, path)
            : SavedOutputReader.ReadFile(lines, path, netns);
        var b = builder(hostName ?? unit.HostName ?? fallbackHost ?? DefaultHost);
        foreach (var w in unit.Warnings) b.Log.Warn(w.Source ?? new SourceRef(path), w.Message);
        foreach (var c in unit.Commands)
        {
            var target = c.Host is { } other ? builder(other) : b;
            target.Apply(c.Output, c.Netns, c.Pid);
            if (!ReferenceEquals(target, b)) target.AddSource(path);
        }
        b.AddSource(path);
    }

    private static void LoadSnapshot(string text, string path, string? hostName, Snapshot result)
    {
        var snap = SnapshotJson.Deserialize(text, path);
        if (hostName is not null)
        {
            if (snap.Hosts.Count != 1)
                throw new InputException(path, 0, $"HOST= names one host, but the snapshot has {snap.Hosts.Count}");
            snap.Hosts[0].Name = hostName;
        }
        Merge(result, snap);
    }

    /// <summary>Adds <paramref name="part"/>'s hosts to <paramref name="into"/>; a host already there gets the new namespaces.</summary>
    public static void Merge(Snapshot into, Snapshot part)
    {
        into.Warnings.AddRange(part.Warnings);
        foreach (var h in part.Hosts)
        {
            var existing = into.Hosts.FirstOrDefault(x => x.Name == h.Name);
            if (existing is null) { into.Hosts.Add(h); continue; }
            existing.Warnings.AddRange(h.Warnings);
            existing.Meta.Sources.AddRange(h.Meta.Sources);
            var ids = existing.Namespaces.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var ns in h.Namespaces)
            {
                if (ids.Add(ns.Id)) existing.Namespaces.Add(ns);
                else existing.Warnings.Add(new Warning($"namespace {ns.Id} given twice for host {h.Name}; the first one is kept"));
            }
        }
    }
}
