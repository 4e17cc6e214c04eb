using NetSleuth.Lab;

namespace NetSleuth.LabTests.Lab;

/// <summary>What a lab leaves on the machine: namespaces, processes, files.</summary>
internal static class LabLeftovers
{
    public static IReadOnlyList<string> Namespaces(string prefix) =>
        Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>().Where(n => LabPaths.BelongsTo(n, prefix)).ToList()
            : [];

    /// <summary>Live processes whose command line names the lab's directory (any program, not only OVS).</summary>
    public static IReadOnlyList<string> Processes(string prefix)
    {
        var dir = LabPaths.WorkDir(prefix) + "/";
        var found = new List<string>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            string cl;
            try { cl = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            if (cl.Contains(dir, StringComparison.Ordinal) && LabProcesses.Alive(pid)) found.Add($"{pid}: {cl}");
        }
        return found;
    }

    public static IReadOnlyList<string> Files(string prefix) =>
        new[] { LabPaths.WorkDir(prefix), LabPaths.StateFile(prefix) }.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();

    public static void AssertNone(string prefix)
    {
        Assert.Empty(Namespaces(prefix));
        Assert.Empty(Processes(prefix));
        Assert.Empty(Files(prefix));
    }
}
