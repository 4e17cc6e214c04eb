using NetSleuth.Util;

namespace NetSleuth.Lab;

/// <summary>
/// Runs the commands that build a lab (no shell: words are passed as they are) and keeps the
/// transcript. A failing command raises <see cref="LabException"/> naming the command and its error.
/// </summary>
internal sealed class LabShell(Action<string>? log = null, CancellationToken cancel = default)
{
    private readonly List<string> _transcript = [];

    /// <summary>Every command run so far, shell-quoted, in order.</summary>
    public IReadOnlyList<string> Transcript => _transcript;

    public string Run(params string[] argv) => RunWithInput(null, argv);

    public string RunWithInput(string? stdin, params string[] argv)
    {
        var line = Shell.Join(argv);
        ThrowIfCancelled();
        _transcript.Add(line);
        log?.Invoke(line);
        var r = Proc.Run(argv[0], argv.Skip(1), stdin, TimeSpan.FromSeconds(30));
        if (!r.Ok)
            throw new LabException($"command failed (exit {r.ExitCode}): {line}: {FirstLine(r.Stderr.Length > 0 ? r.Stderr : r.Stdout)}");
        return r.Stdout;
    }

    /// <summary>Raises <see cref="LabException"/> once the build was asked to stop.</summary>
    public void ThrowIfCancelled()
    {
        if (cancel.IsCancellationRequested) throw new LabException("interrupted");
    }

    /// <summary><c>ip -n NS ARGS…</c></summary>
    public string Ip(string ns, params string[] args) => Run(["ip", "-n", ns, .. args]);

    /// <summary><c>ip netns exec NS ARGS…</c></summary>
    public string Exec(string ns, params string[] args) => Run(["ip", "netns", "exec", ns, .. args]);

    public void Sysctl(string ns, string key, string value) => Exec(ns, "sysctl", "-q", "-w", $"{key}={value}");

    private static string FirstLine(string s)
    {
        var t = s.Trim();
        int nl = t.IndexOf('\n');
        return nl < 0 ? t : t[..nl];
    }
}
