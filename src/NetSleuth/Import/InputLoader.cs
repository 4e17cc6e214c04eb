using NetSleuth.Import.Saved;
using NetSleuth.Import.Transcript;
using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>
/// Loads the inputs of every analysis command: <c>[HOST=]PATH</c>, where PATH is a snapshot JSON,
/// a text file (a terminal transcript, or one command's saved output), or a directory (a sosreport, or
/// saved outputs). The kind is found from the content. Inputs naming the same host are merged into one
/// host. Text inputs with no HOST= are named after the prompt's host name, else the directory's name,
/// else "host" — unless such a file disagrees with the earlier ones (<see cref="UnnamedInputs"/>).
/// </summary>
public static class InputLoader
{
    /// <summary>Larger text files are not read (a warning says so).</summary>
    public const long MaxTextBytes = 256L * 1024 * 1024;
    public const string DefaultHost = "host";

    /// <summary>Loads and merges every input. A path that does not exist raises <see cref="InputException"/>;
    /// problems inside an input (a damaged snapshot included) become warnings in the snapshot (file:line).</summary>
    public static Snapshot Load(IEnumerable<string> specs) => LoadInputs(specs).Snapshot;

    /// <summary><see cref="Load"/>, and what was read from each input (so a caller can tell "nothing").</summary>
    public static LoadedInputs LoadInputs(IEnumerable<string> specs)
    {
        var reads = new List<InputRead>();
        // many snapshot files (a cluster's collect output): parsed in parallel, same result
        if (specs is IReadOnlyList<string> { Count: > 1 } many && SnapshotBulkLoader.TryLoadAll(many, reads: reads) is { } bulk)
            return new LoadedInputs(bulk, reads);
        reads.Clear();
        var result = new Snapshot();
        var builders = new Dictionary<string, HostBuilder>(StringComparer.Ordinal);
        var unnamed = new UnnamedInputs();
        HostBuilder Builder(string name)
        {
            if (!builders.TryGetValue(name, out var b)) builders[name] = b = new HostBuilder(name);
            return b;
        }
        foreach (var spec in specs)
        {
            var (hostName, path) = SplitSpec(spec);
            var count = new ReadCount();
            if (path == "-") LoadStandardInput(hostName, result, Builder, count, unnamed, builders.Keys);
            else if (Directory.Exists(path)) LoadDirectory(path, hostName, result, Builder, count);
            else if (File.Exists(path)) LoadFile(path, hostName, null, null, result, Builder, count, unnamed, builders.Keys);
            else if (IsSymlinkLoop(path)) result.Warnings.Add(new Warning("skipped: a symbolic link that leads back to itself", new SourceRef(path)));
            else throw new InputException(path, 0, "no such file or directory");
            reads.Add(new InputRead(path == "-" ? "(standard input)" : path, count.Describe()));
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
        return new LoadedInputs(result, reads);
    }

    /// <summary>"-": standard input, read as a text file (or a snapshot) named "(standard input)".</summary>
    private static void LoadStandardInput(string? hostName, Snapshot result, Func<string, HostBuilder> builder, ReadCount count,
        UnnamedInputs unnamed, IReadOnlyCollection<string> taken)
    {
        using var stdin = Console.OpenStandardInput();
        LoadStream(stdin, StandardInputName, hostName, null, null, result, builder, count, unnamed, taken);
    }

    /// <summary>The name warnings and evidence give to standard input ("-").</summary>
    public const string StandardInputName = "(standard input)";

    private static bool IsSymlinkLoop(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return false;
            info.ResolveLinkTarget(returnFinalTarget: true);
            return false;
        }
        catch (IOException) { return true; } // ELOOP: too many levels of symbolic links
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>"worker=out.txt" → ("worker", "out.txt"); a path containing '=' before any '/' counts as HOST=.</summary>
    public static (string? Host, string Path) SplitSpec(string spec)
    {
        int eq = spec.IndexOf('=');
        int slash = spec.IndexOf('/');
        if (eq > 0 && (slash < 0 || eq < slash) && !File.Exists(spec) && !Directory.Exists(spec)) return (spec[..eq], spec[(eq + 1)..]);
        return (null, spec);
    }

    private static void LoadDirectory(string dir, string? hostName, Snapshot result, Func<string, HostBuilder> builder, ReadCount count)
    {
        var log = new ImportLog();
        foreach (var reader in DirectoryReaders.All)
        {
            if (!reader(dir, hostName, log, out var host) || host is null) continue;
            host.Warnings.AddRange(log.Warnings);
            count.Hosts++;
            count.Namespaces += host.Namespaces.Count;
            Merge(result, new Snapshot { Hosts = [host] });
            return;
        }
        result.Warnings.AddRange(log.Warnings);
        var dirHost = hostName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
        var files = SavedOutputReader.Files(dir).ToList();
        // a directory of snapshot files (a cluster's `collect --lab` or `synth` output): those are parsed in
        // parallel first, then everything is merged in the same order as one file at a time would
        var parsed = files.Count > 1 ? SnapshotBulkLoader.ParseFiles(files.ConvertAll(f => f.Path), hostName) : null;
        var index = new Dictionary<string, Host>(StringComparer.Ordinal);
        foreach (var h in result.Hosts) index.TryAdd(h.Name, h);
        for (int i = 0; i < files.Count; i++)
        {
            var (file, netns) = files[i];
            if (parsed?[i] is ({ } snap, _))
            {
                Merge(result, snap, index);
                count.Hosts += snap.Hosts.Count;
                foreach (var h in snap.Hosts) count.Namespaces += h.Namespaces.Count;
            }
            else if (parsed?[i] is (_, { } e))
            {
                result.Warnings.Add(new Warning(e.Reason, new SourceRef(e.File, e.Line)));
                count.Damaged = true;
            }
            else
            {
                int hosts = result.Hosts.Count;
                LoadFile(file, hostName, dirHost, netns, result, builder, count);
                if (result.Hosts.Count != hosts)
                    foreach (var h in result.Hosts) index.TryAdd(h.Name, h);
            }
        }
        if (files.Count == 0) result.Warnings.Add(new Warning("empty directory", new SourceRef(dir)));
    }

    private static void LoadFile(string path, string? hostName, string? fallbackHost, string? netns, Snapshot result, Func<string, HostBuilder> builder,
        ReadCount count, UnnamedInputs? unnamed = null, IReadOnlyCollection<string>? taken = null)
    {
        try
        {
            // a FIFO, a device or a socket would block or never end: only regular files are read
            if (FileKinds.Of(path) is { } kind && kind != FileKinds.Regular)
            {
                result.Warnings.Add(new Warning($"skipped: {kind}, not a regular file", new SourceRef(path)));
                return;
            }
            var info = new FileInfo(path);
            if (info.Length > MaxTextBytes)
            {
                result.Warnings.Add(new Warning($"skipped: {info.Length} bytes is more than the {MaxTextBytes} netsleuth reads", new SourceRef(path)));
                return;
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            LoadStream(stream, path, hostName, fallbackHost, netns, result, builder, count, unnamed, taken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (IsSymlinkLoop(path)) result.Warnings.Add(new Warning("skipped: a symbolic link that leads back to itself", new SourceRef(path)));
            else result.Warnings.Add(new Warning($"cannot read: {e.Message}", new SourceRef(path)));
        }
    }

    private static void LoadStream(Stream stream, string path, string? hostName, string? fallbackHost, string? netns, Snapshot result,
        Func<string, HostBuilder> builder, ReadCount count, UnnamedInputs? unnamed = null, IReadOnlyCollection<string>? taken = null)
    {
        List<string> lines;
        // the start tells the kind; text is read line by line (a 100 MB transcript is not held as one string)
        using (var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            var headBuf = new char[8192];
            var head = headBuf.AsSpan(0, reader.ReadBlock(headBuf));
            if (SnapshotJson.LooksLikeSnapshot(head))
            {
                try
                {
                    var snap = LoadSnapshot(string.Concat(head, reader.ReadToEnd()), path, hostName, result);
                    count.Hosts += snap.Hosts.Count;
                    foreach (var h in snap.Hosts) count.Namespaces += h.Namespaces.Count;
                }
                catch (InputException e)
                {
                    // one damaged snapshot does not stop the others: a warning with its file and line
                    result.Warnings.Add(new Warning(e.Reason, new SourceRef(e.File, e.Line)));
                    count.Damaged = true;
                }
                return;
            }
            if (head.Contains('\0'))
            {
                result.Warnings.Add(new Warning("skipped: a binary file, not text", new SourceRef(path)));
                return;
            }
            lines = TextCleaner.ReadLines(reader, head);
        }
        var unit = TranscriptReader.LooksLikeTranscript(lines)
            ? TranscriptReader.Read(lines, path)
            : SavedOutputReader.ReadFile(lines, path, netns);
        // a file that names no host joins the default one, unless it disagrees with the earlier such files
        var b = builder(hostName ?? unit.HostName ?? fallbackHost ??
            (unnamed is null ? DefaultHost : unnamed.HostFor(unit, path, taken ?? [], result.Warnings)));
        foreach (var alias in unit.HostName is null ? unit.OtherHostNames : [unit.HostName, .. unit.OtherHostNames])
            if (alias != b.Host.Name && !b.Host.Meta.Aliases.Contains(alias)) b.Host.Meta.Aliases.Add(alias);
        foreach (var w in unit.Warnings) b.Log.Warn(w.Source ?? new SourceRef(path), w.Message);
        foreach (var c in unit.Commands)
        {
            var target = c.Host is { } other ? builder(other) : b;
            target.Apply(c.Output, c.Netns, c.Pid);
            if (!ReferenceEquals(target, b)) target.AddSource(path);
        }
        count.Commands += unit.Commands.Count;
        b.AddSource(path);
    }

    private static Snapshot LoadSnapshot(string text, string path, string? hostName, Snapshot result)
    {
        var snap = SnapshotJson.Deserialize(text, path);
        if (hostName is not null)
        {
            if (snap.Hosts.Count != 1)
                throw new InputException(path, 0, $"HOST= names one host, but the snapshot has {snap.Hosts.Count}");
            snap.Hosts[0].Name = hostName;
        }
        Merge(result, snap);
        return snap;
    }

    /// <summary>Adds <paramref name="part"/>'s hosts to <paramref name="into"/>; a host already there gets the new namespaces.</summary>
    public static void Merge(Snapshot into, Snapshot part) => Merge(into, part, null);

    /// <summary><see cref="Merge(Snapshot, Snapshot)"/> with INDEX (every host of INTO by name, kept up to date) when given.</summary>
    private static void Merge(Snapshot into, Snapshot part, Dictionary<string, Host>? index)
    {
        into.Warnings.AddRange(part.Warnings);
        foreach (var h in part.Hosts)
        {
            var existing = index is not null ? index.GetValueOrDefault(h.Name) : into.Hosts.FirstOrDefault(x => x.Name == h.Name);
            if (existing is null) { into.Hosts.Add(h); index?.Add(h.Name, h); continue; }
            existing.Warnings.AddRange(h.Warnings);
            existing.Meta.Sources.AddRange(h.Meta.Sources);
            var ids = existing.Namespaces.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var ns in h.Namespaces)
            {
                if (ids.Add(ns.Id)) existing.Namespaces.Add(ns);
                else if (!Ovs.OvsBuilder.MergeFlows(existing.Namespaces.First(n => n.Id == ns.Id), ns))
                    existing.Warnings.Add(new Warning($"namespace {ns.Id} given twice for host {h.Name}; the first one is kept"));
            }
        }
    }
}

/// <summary>What one input gave: a line for "what was read".</summary>
public sealed record InputRead(string Path, string? What)
{
    /// <summary>True when nothing usable came from this input.</summary>
    public bool Nothing => What is null;
}

/// <summary>The merged snapshot of the inputs and what each input gave.</summary>
public sealed record LoadedInputs(Snapshot Snapshot, IReadOnlyList<InputRead> Reads)
{
    /// <summary>True when no input gave a namespace: there is nothing to analyse.</summary>
    public bool NothingRead => Snapshot.Hosts.Count == 0 || Snapshot.Hosts.All(h => h.Namespaces.Count == 0);
}

/// <summary>Counts what one input gave while it is read.</summary>
internal sealed class ReadCount
{
    public int Commands;
    public int Hosts;
    public int Namespaces;
    public bool Damaged;

    /// <summary>"12 command outputs", "a snapshot of 2 hosts", or null for nothing.</summary>
    public string? Describe()
    {
        var parts = new List<string>();
        if (Hosts > 0) parts.Add($"{Hosts} host{(Hosts == 1 ? "" : "s")}, {Namespaces} namespace{(Namespaces == 1 ? "" : "s")}");
        if (Commands > 0) parts.Add($"{Commands} command output{(Commands == 1 ? "" : "s")}");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
