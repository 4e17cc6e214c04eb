using System.Collections.Concurrent;
using System.Diagnostics;
using NetSleuth.Model;
using NetSleuth.Util;

namespace NetSleuth.Collect.Remote;

/// <summary>What <see cref="KubeCollector"/> does.</summary>
public sealed class KubeCollectOptions
{
    public required string OutputDir { get; init; }
    public required string Image { get; init; }
    public string? Context { get; init; }
    /// <summary>A label selector for the nodes (kubectl get nodes -l); null: every node.</summary>
    public string? NodeSelector { get; init; }
    public string KubeNamespace { get; init; } = "default";
    public int Parallelism { get; init; } = 16;
    /// <summary>The kubectl program; default "kubectl" on PATH.</summary>
    public string Kubectl { get; init; } = "kubectl";
    /// <summary>How long a pod may take to become Ready (image pull included).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);
    public Action<int, int, IReadOnlyList<RemoteHostResult>>? Progress { get; init; }
}

/// <summary>
/// <c>collect --kubernetes</c> through <c>kubectl</c> (the user's kubeconfig, context, credential plugins
/// and proxy apply as they are, and the native binary stays free of a Kubernetes client): the node list,
/// then per node a collector pod (<see cref="KubeManifest"/>) created, waited for, <c>kubectl exec</c>'d to
/// run <c>netsleuth collect</c> with the snapshot streamed back on stdout, and deleted — on success, on
/// failure, and (all the run's pods at once, by label) on Ctrl-C.
/// </summary>
public sealed class KubeCollector
{
    private readonly KubeCollectOptions _o;
    private readonly ConcurrentDictionary<Process, byte> _running = new();
    private volatile bool _cancelled;
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];
    public bool Cancelled => _cancelled;

    public KubeCollector(KubeCollectOptions options) => _o = options;

    public void Cancel()
    {
        _cancelled = true;
        foreach (var p in _running.Keys)
        {
            try { p.Kill(); } catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }

    /// <summary>The nodes to collect; a failure of kubectl itself is an <see cref="InvalidOperationException"/> with its words.</summary>
    public IReadOnlyList<string> Nodes()
    {
        var args = new List<string> { "get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}" };
        if (_o.NodeSelector is { } sel) { args.Add("-l"); args.Add(sel); }
        var r = Kubectl(args, null, TimeSpan.FromSeconds(60));
        if (!r.Ok) throw new InvalidOperationException($"kubectl get nodes failed: {FirstLine(r.Stderr) ?? $"exit code {r.ExitCode}"}");
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public IReadOnlyList<RemoteHostResult> Run(IReadOnlyList<string> nodes)
    {
        Directory.CreateDirectory(_o.OutputDir);
        var results = new RemoteHostResult[nodes.Count];
        var failures = new ConcurrentBag<RemoteHostResult>();
        int next = -1, done = 0;
        int workers = Math.Clamp(_o.Parallelism, 1, Math.Max(1, nodes.Count));
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < nodes.Count)
            {
                results[i] = _cancelled ? new RemoteHostResult(nodes[i], null, null, new RemoteFailure("cancelled", "not started"), []) : One(nodes[i]);
                if (!results[i].Ok) failures.Add(results[i]);
                _o.Progress?.Invoke(Interlocked.Increment(ref done), nodes.Count, [.. failures]);
            }
        }) { IsBackground = true, Name = "netsleuth-kube" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        // whatever a cut-off run created: every pod of this run, by its label
        if (_cancelled) DeleteRun();
        return results;
    }

    /// <summary>Deletes every pod of this run (its label), not waiting for them to go.</summary>
    public void DeleteRun() =>
        Kubectl(["delete", "pods", "-n", _o.KubeNamespace, "-l", $"{KubeManifest.RunLabel}={RunId}", "--ignore-not-found", "--wait=false"], null, TimeSpan.FromSeconds(30));

    private RemoteHostResult One(string node)
    {
        RemoteHostResult Fail(string kind, string message) => new(node, null, null, new RemoteFailure(kind, message), []);
        var manifest = KubeManifest.Pod(node, _o.Image, _o.KubeNamespace, RunId);
        var created = Kubectl(["create", "-f", "-", "-o", "name"], manifest, TimeSpan.FromSeconds(60));
        if (!created.Ok) return _cancelled ? Fail("cancelled", "interrupted") : Fail("create", $"kubectl create: {FirstLine(created.Stderr) ?? $"exit code {created.ExitCode}"}");
        var pod = created.Stdout.Trim(); // "pod/netsleuth-collect-x7k2q"
        try
        {
            var ready = Kubectl(["wait", "-n", _o.KubeNamespace, "--for=condition=Ready", pod, $"--timeout={(int)_o.ReadyTimeout.TotalSeconds}s"], null,
                _o.ReadyTimeout + TimeSpan.FromSeconds(30));
            if (!ready.Ok)
                return _cancelled ? Fail("cancelled", "interrupted") : Fail("unreachable", $"{pod} did not become ready: {FirstLine(ready.Stderr) ?? $"exit code {ready.ExitCode}"}");
            var tmp = Path.Combine(_o.OutputDir, $".{SshDestination.SafeName(node)}.{Guid.NewGuid():N}.partial");
            var exec = KubectlToFile(["exec", "-n", _o.KubeNamespace, pod, "-c", "collect", "--",
                KubeManifest.BinaryPath, "collect", "--host-name", node], tmp, out var stderr);
            if (exec != 0)
            {
                File.Delete(tmp);
                return _cancelled ? Fail("cancelled", "interrupted") : Fail("collect", $"kubectl exec: {LastLine(stderr) ?? $"exit code {exec}"}");
            }
            try
            {
                var snap = SnapshotJson.Load(tmp);
                if (snap.Hosts.Count != 1) throw new InputException(tmp, 0, $"{snap.Hosts.Count} hosts in the snapshot, not one");
            }
            catch (InputException e)
            {
                File.Delete(tmp);
                return Fail("collect", $"what came back is not a snapshot: {e.Message}");
            }
            var file = Path.Combine(_o.OutputDir, SshDestination.SafeName(node) + ".json");
            File.Move(tmp, file, overwrite: true);
            var warnings = stderr.Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).Select(l => l["warning: ".Length..]).ToList();
            return new RemoteHostResult(node, file, node, null, warnings);
        }
        finally
        {
            Kubectl(["delete", "-n", _o.KubeNamespace, pod, "--ignore-not-found", "--wait=false"], null, TimeSpan.FromSeconds(30), track: false);
        }
    }

    private IEnumerable<string> Base()
    {
        if (_o.Context is { } c) { yield return "--context"; yield return c; }
    }

    private ProcResult Kubectl(IEnumerable<string> args, string? stdin, TimeSpan timeout, bool track = true)
    {
        var psi = new ProcessStartInfo(_o.Kubectl)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Base().Concat(args)) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { return new ProcResult(127, "", $"cannot run {_o.Kubectl}: {e.Message}"); }
        using (p)
        {
            if (track) _running[p] = 0;
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                try { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
                catch (IOException) { }
            }
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                p.WaitForExit();
            }
            _running.TryRemove(p, out _);
            return new ProcResult(p.ExitCode, o.Result, e.Result);
        }
    }

    /// <summary>kubectl with its standard output streamed into a file (a snapshot can be megabytes).</summary>
    private int KubectlToFile(IEnumerable<string> args, string file, out List<string> stderr)
    {
        var psi = new ProcessStartInfo(_o.Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Base().Concat(args)) psi.ArgumentList.Add(a);
        stderr = [];
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { stderr.Add($"cannot run {_o.Kubectl}: {e.Message}"); return 127; }
        using (p)
        {
            _running[p] = 0;
            var err = p.StandardError.ReadToEndAsync();
            using (var fs = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                p.StandardOutput.BaseStream.CopyTo(fs);
            p.WaitForExit();
            _running.TryRemove(p, out _);
            stderr.AddRange(err.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            return p.ExitCode;
        }
    }

    private static string? FirstLine(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    private static string? LastLine(List<string> lines) => lines.Count == 0 ? null : lines[^1].Trim();
}
