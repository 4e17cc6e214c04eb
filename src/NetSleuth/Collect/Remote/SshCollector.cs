using System.Collections.Concurrent;
using System.Diagnostics;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Util;

namespace NetSleuth.Collect.Remote;

/// <summary>What <see cref="SshCollector"/> does.</summary>
public sealed class SshCollectOptions
{
    public required IReadOnlyList<SshDestination> Destinations { get; init; }
    /// <summary>The directory that receives HOST.json per host (created when missing).</summary>
    public required string OutputDir { get; init; }
    /// <summary>The executable copied to each host and run as <c>collect</c>; null with <see cref="NoCopy"/>.</summary>
    public string? Binary { get; init; }
    /// <summary>Run the iproute2/tc/nft/ovs tools over the session instead of copying a binary.</summary>
    public bool NoCopy { get; init; }
    /// <summary>An OpenSSH client configuration (ssh -F); default: the user's ~/.ssh/config.</summary>
    public string? SshConfig { get; init; }
    /// <summary>Hosts collected at once.</summary>
    public int Parallelism { get; init; } = 16;
    /// <summary>Extra arguments for the remote <c>collect</c> (--netns …).</summary>
    public IReadOnlyList<string> CollectArgs { get; init; } = [];
    /// <summary>Seconds ssh waits for a connection (ConnectTimeout).</summary>
    public int ConnectTimeout { get; init; } = 10;
    /// <summary>The ssh client; default "ssh" on PATH.</summary>
    public string SshProgram { get; init; } = "ssh";
    /// <summary>Called after each host ends (done, total, the failures so far).</summary>
    public Action<int, int, IReadOnlyList<RemoteHostResult>>? Progress { get; init; }
}

/// <summary>One host's outcome: the snapshot file written, or why none was.</summary>
public sealed record RemoteHostResult(string Target, string? File, string? HostName, RemoteFailure? Failure, IReadOnlyList<string> Warnings)
{
    public bool Ok => Failure is null;
}

/// <summary>
/// <c>collect --ssh</c>: runs the collector on many hosts at once through the system OpenSSH client, so the
/// user's keys, agent, ~/.ssh/config (ProxyJump, aliases, per-host users) and known_hosts checking apply as
/// they are; BatchMode=yes makes it fail instead of prompting. Per host one ssh session: the binary goes over
/// the session's standard input into a <c>mktemp -d</c> directory that the remote shell removes on every exit
/// (<see cref="RemoteScript"/>), and the snapshot comes back on its standard output. A host that fails is
/// reported with the reason; the others are still collected. Cancelling kills the ssh clients and runs one
/// more session per interrupted host that stops its collector and removes its directory.
/// </summary>
public sealed class SshCollector
{
    private readonly SshCollectOptions _o;
    private readonly ConcurrentDictionary<Process, byte> _running = new();
    private readonly ConcurrentBag<(SshDestination Dest, int Pid, string? Dir)> _interrupted = [];
    private volatile bool _cancelled;

    public SshCollector(SshCollectOptions options) => _o = options;

    /// <summary>Stops every ssh session now (Ctrl-C); <see cref="Run"/> then cleans up and returns.</summary>
    public void Cancel()
    {
        _cancelled = true;
        foreach (var p in _running.Keys)
        {
            try { p.Kill(); } catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }

    public bool Cancelled => _cancelled;

    public IReadOnlyList<RemoteHostResult> Run()
    {
        Directory.CreateDirectory(_o.OutputDir);
        var dests = _o.Destinations;
        var raw = new (string? Tmp, RemoteHostResult R)[dests.Count];
        int next = -1, done = 0;
        var failures = new ConcurrentBag<RemoteHostResult>();
        int workers = Math.Clamp(_o.Parallelism, 1, Math.Max(1, dests.Count));
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < dests.Count)
            {
                raw[i] = _cancelled ? (null, Failed(dests[i], new RemoteFailure("cancelled", "not started"))) : One(dests[i]);
                if (!raw[i].R.Ok) failures.Add(raw[i].R);
                _o.Progress?.Invoke(Interlocked.Increment(ref done), dests.Count, [.. failures]);
            }
        }) { IsBackground = true, Name = "netsleuth-ssh" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var (dest, pid, dir) in _interrupted) CleanUp(dest, pid, dir);
        return Name(raw);
    }

    private static RemoteHostResult Failed(SshDestination d, RemoteFailure f) => new(d.Text, null, null, f, []);

    /// <summary>One host: the session, its snapshot in a temporary file of the output directory.</summary>
    private (string? Tmp, RemoteHostResult R) One(SshDestination dest)
    {
        var tmp = Path.Combine(_o.OutputDir, $".{dest.FileName}.{Guid.NewGuid():N}.partial");
        long size = _o.NoCopy ? 0 : new FileInfo(_o.Binary!).Length;
        var script = _o.NoCopy ? RemoteScript.Tools() : RemoteScript.Copy(size, _o.CollectArgs);
        var psi = new ProcessStartInfo(_o.SshProgram)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in SshArgs(dest)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("sh -c " + Shell.Quote(script));
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, Failed(dest, new RemoteFailure("ssh", $"cannot run {_o.SshProgram}: {e.Message} (apt-get install openssh-client)")));
        }
        using var _p = p;
        _running[p] = 0;
        if (_cancelled) Cancel();
        var stderr = new List<string>();
        int pid = 0;
        string? dir = null, remoteError = null;
        var warnings = new List<string>();
        var errTask = Task.Run(() =>
        {
            string? line;
            while ((line = p.StandardError.ReadLine()) is not null)
            {
                if (line.StartsWith(RemoteScript.Marker, StringComparison.Ordinal))
                {
                    var rest = line[RemoteScript.Marker.Length..].Trim();
                    if (rest.StartsWith("error: ", StringComparison.Ordinal)) remoteError = rest["error: ".Length..];
                    foreach (var word in rest.Split(' '))
                    {
                        if (word.StartsWith("pid=", StringComparison.Ordinal)) int.TryParse(word[4..], out pid);
                        else if (word.StartsWith("dir=", StringComparison.Ordinal)) dir = word[4..];
                    }
                    continue;
                }
                lock (stderr) stderr.Add(line);
                if (line.StartsWith("warning: ", StringComparison.Ordinal)) lock (warnings) warnings.Add(line["warning: ".Length..]);
            }
        });
        Task outTask;
        var outFile = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        outTask = p.StandardOutput.BaseStream.CopyToAsync(outFile);
        try
        {
            if (!_o.NoCopy)
            {
                using var bin = new FileStream(_o.Binary!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                bin.CopyTo(p.StandardInput.BaseStream);
            }
            p.StandardInput.Close();
        }
        catch (IOException) { /* the host stopped reading (not root, wrong machine, gone): its stderr says why */ }
        p.WaitForExit();
        _running.TryRemove(p, out _);
        try { outTask.Wait(); } catch (AggregateException) { }
        outFile.Dispose();
        errTask.Wait();
        int code = p.ExitCode;

        if (_cancelled && code != 0)
        {
            if (pid > 0) _interrupted.Add((dest, pid, dir));
            File.Delete(tmp);
            return (null, Failed(dest, new RemoteFailure("cancelled", pid > 0 ? "interrupted; its session is cleaned up" : "interrupted before it started")));
        }
        if (code != 0)
        {
            File.Delete(tmp);
            return (null, Failed(dest, RemoteFailure.Classify(code, stderr, remoteError)));
        }
        return (tmp, new RemoteHostResult(dest.Text, null, null, null, warnings));
    }

    private IEnumerable<string> SshArgs(SshDestination dest)
    {
        yield return "-T";
        foreach (var o in new[] { "BatchMode=yes", $"ConnectTimeout={_o.ConnectTimeout}", "ServerAliveInterval=10", "ServerAliveCountMax=3" })
        {
            yield return "-o";
            yield return o;
        }
        if (_o.SshConfig is { } cfg) { yield return "-F"; yield return cfg; }
        foreach (var a in dest.SshArgs()) yield return a;
    }

    /// <summary>After a Ctrl-C: one short session that stops the interrupted run and removes its directory.</summary>
    private void CleanUp(SshDestination dest, int pid, string? dir)
    {
        var args = SshArgs(dest).ToList();
        args.Insert(0, "-o");
        args.Insert(1, "ConnectTimeout=5");
        args.Add("sh -c " + Shell.Quote(RemoteScript.Cleanup(pid, dir)));
        Proc.Run(_o.SshProgram, args, timeout: TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Reads each snapshot and names its file after the host's own name (its hostname, as a node knows
    /// itself); when two hosts give the same name, or none, the name given on the command line is used.
    /// </summary>
    private List<RemoteHostResult> Name((string? Tmp, RemoteHostResult R)[] raw)
    {
        var loaded = new Snapshot?[raw.Length];
        var results = new List<RemoteHostResult>(raw.Length);
        var failed = new RemoteHostResult?[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i].Tmp is not { } tmp) continue;
            var dest = _o.Destinations[i];
            try
            {
                loaded[i] = _o.NoCopy ? Import(tmp, dest) : SnapshotJson.Load(tmp);
                if (loaded[i]!.Hosts.Count != 1) throw new InputException(tmp, 0, $"{loaded[i]!.Hosts.Count} hosts in the snapshot, not one");
            }
            catch (InputException e)
            {
                failed[i] = Failed(dest, new RemoteFailure("collect", $"what came back is not a snapshot: {e.Message}"));
                loaded[i] = null;
                File.Delete(tmp);
            }
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in loaded)
            if (s is not null) counts[SshDestination.SafeName(s.Hosts[0].Name)] = counts.GetValueOrDefault(SshDestination.SafeName(s.Hosts[0].Name)) + 1;
        for (int i = 0; i < raw.Length; i++)
        {
            if (failed[i] is { } f) { results.Add(f); continue; }
            if (loaded[i] is not { } snap) { results.Add(raw[i].R); continue; }
            var host = snap.Hosts[0];
            var own = SshDestination.SafeName(host.Name);
            var warnings = raw[i].R.Warnings.ToList();
            bool useGiven = counts[own] > 1 || host.Name is "" or "localhost" or "host";
            if (useGiven)
            {
                warnings.Add($"the host calls itself '{host.Name}' like another one (or says nothing); named '{_o.Destinations[i].FileName}' as given");
                if (!host.Meta.Aliases.Contains(host.Name)) host.Meta.Aliases.Add(host.Name);
                host.Name = _o.Destinations[i].FileName;
            }
            var file = Path.Combine(_o.OutputDir, (useGiven ? host.Name : own) + ".json");
            if (useGiven || _o.NoCopy)
            {
                using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    SnapshotJson.Write(snap, stream);
                    stream.WriteByte((byte)'\n');
                }
                File.Delete(raw[i].Tmp!);
            }
            else File.Move(raw[i].Tmp!, file, overwrite: true);
            results.Add(raw[i].R with { File = file, HostName = host.Name, Warnings = warnings });
        }
        return results;
    }

    /// <summary>No-copy mode: the session's tool outputs read by the transcript importer, as one host.</summary>
    private Snapshot Import(string tmp, SshDestination dest)
    {
        // the transcript keeps a readable name: evidence lines point into it while it exists
        var dir = Directory.CreateTempSubdirectory("netsleuth-ssh-").FullName;
        var session = Path.Combine(dir, dest.FileName + ".session");
        try
        {
            File.Move(tmp, session);
            var snap = InputLoader.Load([session]);
            if (snap.Hosts.Count > 1)
                snap = new Snapshot { Hosts = [snap.Hosts[0]], Warnings = snap.Warnings };
            if (snap.Hosts.Count == 1)
            {
                snap.Hosts[0].Meta.Origin = "ssh --no-copy";
                snap.Hosts[0].Meta.Sources = [$"ssh {dest.Text} (iproute2/tc/nft/ovs tools, --no-copy)"];
            }
            return snap;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
