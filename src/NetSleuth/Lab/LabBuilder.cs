using NetSleuth.Util;

namespace NetSleuth.Lab;

/// <summary>
/// Builds and removes labs. <see cref="Up"/> is all-or-nothing; <see cref="Down"/> removes
/// everything carrying the prefix, also what a killed `up` left behind.
/// </summary>
public static class LabBuilder
{
    /// <summary>
    /// Builds SCENARIO with FAULTS in namespaces named PREFIX-…, records it in the state file and
    /// returns it (dispose it to take it down). On any failure everything made is removed and a
    /// <see cref="LabException"/> says why. LOG gets every command as it is run; CANCEL stops the
    /// build between two commands (and removes what was made).
    /// </summary>
    public static LabInstance Up(string scenario, IEnumerable<string> faults, string prefix, Action<string>? log = null,
        CancellationToken cancel = default)
    {
        LabPaths.Validate(prefix);
        var sc = LabCatalog.Find(scenario);
        var faultSet = new SortedSet<string>(faults, StringComparer.Ordinal);
        sc.CheckFaults(faultSet);
        var plan = sc.Plan(prefix, faultSet);
        CheckTools(plan);
        CheckFree(prefix);

        var state = new LabState
        {
            Prefix = prefix, Scenario = sc.Name, Faults = [.. faultSet], CreatedAt = DateTimeOffset.UtcNow,
            Pid = Environment.ProcessId, Hosts = [.. plan.Hosts], ExtraNamespaces = [.. plan.ExtraNamespaces],
            Probes = [.. plan.Probes],
        };
        var sh = new LabShell(log, cancel);
        LabStateFile.Claim(state);
        try
        {
            foreach (var ns in state.AllNamespaces)
            {
                sh.Run("ip", "netns", "add", ns);
                // IPv4 only: no router solicitations or DAD packets blur what the probes show
                sh.Sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
                sh.Sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
                sh.Ip(ns, "link", "set", "lo", "up");
            }
            sc.Build(sh, plan, faultSet);
            state.Status = LabState.Up;
            LabStateFile.Write(state);
        }
        catch (Exception e) when (e is LabException or IOException or UnauthorizedAccessException)
        {
            var removed = Down(prefix);
            throw new LabException($"lab {prefix} ({sc.Name}) could not be built, removed what was made ({removed}): {e.Message}");
        }
        return new LabInstance(state);
    }

    /// <summary>The lab PREFIX as its state file records it.</summary>
    public static LabInstance Open(string prefix)
    {
        LabPaths.Validate(prefix);
        var state = LabStateFile.Read(prefix) ?? throw new LabException($"no lab '{prefix}' (no {LabPaths.StateFile(prefix)}); see 'netsleuth lab status'");
        return new LabInstance(state);
    }

    /// <summary>Every lab with a state file.</summary>
    public static IReadOnlyList<LabState> List() =>
        LabStateFile.Prefixes().Select(p => LabStateFile.Read(p)).OfType<LabState>().ToList();

    /// <summary>
    /// Removes the lab PREFIX: stops the processes it started (OVS), deletes every namespace named
    /// PREFIX-…, its files and its state file. Safe to run on a half-built or already removed lab.
    /// </summary>
    public static LabDownResult Down(string prefix)
    {
        LabPaths.Validate(prefix);
        var stopped = LabProcesses.Stop(prefix);
        var deleted = new List<string>();
        var errors = new List<string>();
        foreach (var ns in LabNamespaces.List().Where(n => LabPaths.BelongsTo(n, prefix)))
        {
            var r = Proc.Run("ip", "netns", "del", ns);
            if (r.Ok) deleted.Add(ns);
            else errors.Add($"ip netns del {ns}: {r.Stderr.Trim()}");
        }
        bool files = false;
        try
        {
            if (Directory.Exists(LabPaths.WorkDir(prefix))) { Directory.Delete(LabPaths.WorkDir(prefix), recursive: true); files = true; }
            if (File.Exists(LabPaths.StateFile(prefix))) { File.Delete(LabPaths.StateFile(prefix)); files = true; }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(e.Message);
        }
        return new LabDownResult(prefix, deleted, stopped, files, errors);
    }

    private static void CheckTools(LabPlan plan)
    {
        var missing = plan.Tools.Where(t => !Proc.Exists(t.Key)).ToList();
        if (missing.Count == 0) return;
        var pkgs = missing.Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();
        throw new LabException($"missing {string.Join(", ", missing.Select(m => m.Key))}; install with: " +
                               Shell.Join(["apt-get", "install", "-y", .. pkgs]));
    }

    private static void CheckFree(string prefix)
    {
        var taken = LabNamespaces.List().Where(n => LabPaths.BelongsTo(n, prefix)).ToList();
        if (taken.Count > 0 || File.Exists(LabPaths.StateFile(prefix)))
            throw new LabException($"lab prefix '{prefix}' is in use ({(taken.Count > 0 ? string.Join(", ", taken) : LabPaths.StateFile(prefix))}); " +
                                   $"remove it with: {Shell.Join("netsleuth", "lab", "down", "--prefix", prefix)}");
    }
}

/// <summary>What <see cref="LabBuilder.Down"/> removed.</summary>
public sealed record LabDownResult(string Prefix, IReadOnlyList<string> Namespaces, IReadOnlyList<int> StoppedPids, bool RemovedFiles, IReadOnlyList<string> Errors)
{
    public bool Nothing => Namespaces.Count == 0 && StoppedPids.Count == 0 && !RemovedFiles;
    public override string ToString() =>
        $"{Namespaces.Count} namespace(s), {StoppedPids.Count} process(es){(RemovedFiles ? ", files" : "")}";
}

/// <summary>The named network namespaces (/run/netns).</summary>
internal static class LabNamespaces
{
    public const string Dir = "/run/netns";

    public static IReadOnlyList<string> List() =>
        Directory.Exists(Dir) ? Directory.GetFiles(Dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];
}
