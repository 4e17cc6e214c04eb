using System.Diagnostics;

namespace NetSleuth.Lab;

/// <summary>The processes a lab started (its private OVS and OVN daemons, the services lab's socat listeners): found by their pid files and by the
/// lab's own directory on their command line, never by a program name.</summary>
internal static class LabProcesses
{
    /// <summary>Pids of live processes whose command line mentions /run/netsleuth/PREFIX/, or listed in its pid files.</summary>
    public static IReadOnlyList<int> Find(string prefix)
    {
        var dir = LabPaths.WorkDir(prefix) + "/";
        var pids = new SortedSet<int>();
        if (Directory.Exists(LabPaths.WorkDir(prefix)))
            foreach (var f in Directory.GetFiles(LabPaths.WorkDir(prefix), "*.pid", SearchOption.AllDirectories))
                if (int.TryParse(SafeRead(f)?.Trim(), out var pid) && CommandLine(pid) is { } cl && cl.Contains(dir, StringComparison.Ordinal))
                    pids.Add(pid);
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid) || pid == Environment.ProcessId) continue;
            if (CommandLine(pid) is { } cl && cl.Contains(dir, StringComparison.Ordinal) && IsLabProgram(cl)) pids.Add(pid);
        }
        return [.. pids];
    }

    /// <summary>Kills (SIGKILL) every process of the lab and waits for it to go; returns their pids.</summary>
    public static IReadOnlyList<int> Stop(string prefix)
    {
        var pids = Find(prefix);
        foreach (var pid in pids)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
        }
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (pids.Any(Alive) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        return pids;
    }

    /// <summary>True while PID runs (a zombie waiting for its parent counts as gone).</summary>
    public static bool Alive(int pid)
    {
        var stat = SafeRead($"/proc/{pid}/stat");
        if (stat is null) return false;
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
    }

    /// <summary>The command line of PID with NULs as spaces, or null when it is gone.</summary>
    private static string? CommandLine(int pid) => SafeRead($"/proc/{pid}/cmdline")?.Replace('\0', ' ');

    private static readonly string[] LabPrograms = ["ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl", "ovs-ofctl", "ovsdb-tool", "env", "ip", "socat",
        "ovn-northd", "ovn-controller", "ovn-nbctl", "ovn-sbctl", "ovn-appctl", "ovn-trace"];

    // only what a lab runs: a user's `less /run/netsleuth/P/ovs/ovs-vswitchd.log` is left alone
    private static bool IsLabProgram(string cmdline)
    {
        var argv0 = cmdline.Split(' ', 2)[0];
        return LabPrograms.Contains(Path.GetFileName(argv0), StringComparer.Ordinal);
    }

    private static string? SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
