using NetSleuth.Util;

namespace NetSleuth.Lab;

/// <summary>
/// Builds and removes labs. <see cref="Up"/> is all-or-nothing; <see cref="Down"/> removes what the
/// lab's records say it made (<see cref="LabNetns"/>), also what a killed `up` left behind, and
/// nothing else carrying the prefix.
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
        CheckFree(prefix, plan);

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
                LabNetns.Create(sh, ns, inode =>
                {
                    LabNetns.Journal(prefix, ns, inode);
                    state.Made.Add(new LabNetnsRecord(ns, inode));
                    LabStateFile.Write(state);
                });
                // IPv4 only: no router solicitations or DAD packets blur what the probes show
                sh.Sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
                sh.Sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
                sh.Ip(ns, "link", "set", "lo", "up");
            }
            sc.Build(sh, plan, faultSet);
            Settle(state.AllNamespaces, cancel);
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

    /// <summary>
    /// Waits (5 s at most) until the kernel's link watcher has caught up with the links just brought up: a device
    /// whose carrier is on (LOWER_UP) keeps its old operational state (NO-CARRIER, operstate DOWN) until linkwatch
    /// runs, up to a second later and longer on a busy machine, and a collect in between reads a link as down that
    /// the next read finds up. Reads only (<c>ip -o link show</c>), so nothing of it is in the lab's transcript.
    /// </summary>
    private static void Settle(IEnumerable<string> namespaces, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var pending = namespaces.ToList();
        while (pending.Count > 0 && DateTime.UtcNow < until && !cancel.IsCancellationRequested)
        {
            pending = pending.Where(ns => LinkWatchPending(Proc.Run("ip", ["-n", ns, "-o", "link", "show"], null, TimeSpan.FromSeconds(10)).Stdout)).ToList();
            if (pending.Count > 0) Thread.Sleep(50);
        }
    }

    /// <summary>Whether a line of <c>ip -o link show</c> has a device with carrier whose operational state is not yet up.</summary>
    internal static bool LinkWatchPending(string ipOLink) =>
        ipOLink.Split('\n').Any(line =>
        {
            var open = line.IndexOf('<');
            var close = open < 0 ? -1 : line.IndexOf('>', open);
            if (close < 0) return false;
            var flags = line[(open + 1)..close].Split(',');
            return flags.Contains("LOWER_UP") && flags.Contains("NO-CARRIER");
        });

    /// <summary>The lab PREFIX as its state file records it.</summary>
    public static LabInstance Open(string prefix)
    {
        LabPaths.Validate(prefix);
        var state = LabStateFile.Read(prefix) ?? throw new LabException($"no lab '{prefix}' (no {LabPaths.StateFile(prefix)}); see 'netsleuth lab status'");
        return new LabInstance(state);
    }

    /// <summary>Every lab with a state file; a damaged one is listed with <see cref="LabState.Damage"/> set
    /// (it affects only its own lab).</summary>
    public static IReadOnlyList<LabState> List()
    {
        var labs = new List<LabState>();
        foreach (var p in LabStateFile.Prefixes())
        {
            try
            {
                if (LabStateFile.Read(p) is { } s) labs.Add(s);
            }
            catch (LabException e)
            {
                labs.Add(new LabState { Prefix = p, Scenario = "?", Status = LabState.Damaged, Damage = e.Message });
            }
        }
        return labs;
    }

    /// <summary>
    /// Removes the lab PREFIX: stops the processes it started (OVS), deletes the namespaces its records
    /// say it made (each only while its name still points at the namespace made), its files and its
    /// state file. Safe to run on a half-built, damaged or already removed lab. Other namespaces named
    /// PREFIX-… are left alone and listed in <see cref="LabDownResult.LeftAlone"/>.
    /// </summary>
    public static LabDownResult Down(string prefix)
    {
        LabPaths.Validate(prefix);
        var stopped = LabProcesses.Stop(prefix);
        var deleted = new List<string>();
        var errors = new List<string>();
        LabState? state = null;
        try { state = LabStateFile.Read(prefix); }
        catch (LabException e) { errors.Add(e.Message + "; removing what the lab's list of namespaces records"); }
        var made = LabNetns.Made(prefix, state);
        foreach (var r in made)
        {
            if (LabNetns.InodeOf(r.Name) != r.Inode) continue; // gone, or the name now points at another namespace
            var p = Proc.Run("ip", "netns", "del", r.Name);
            if (p.Ok) deleted.Add(r.Name);
            else errors.Add($"ip netns del {r.Name}: {p.Stderr.Trim()}");
        }
        var leftAlone = LabNamespaces.List().Where(n => LabPaths.BelongsTo(n, prefix) && !deleted.Contains(n)).ToList();
        bool files = false;
        try
        {
            if (Directory.Exists(LabPaths.WorkDir(prefix))) { Directory.Delete(LabPaths.WorkDir(prefix), recursive: true); files = true; }
            if (File.Exists(LabPaths.StateFile(prefix))) { File.Delete(LabPaths.StateFile(prefix)); files = true; }
            foreach (var tmp in LabStateFile.TempFiles(prefix)) { File.Delete(tmp); files = true; }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(e.Message);
        }
        return new LabDownResult(prefix, deleted, stopped, files, errors) { LeftAlone = leftAlone };
    }

    private static void CheckTools(LabPlan plan)
    {
        var missing = plan.Tools.Where(t => !Proc.Exists(t.Key)).ToList();
        if (missing.Count == 0) return;
        var pkgs = missing.Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();
        throw new LabException($"missing {string.Join(", ", missing.Select(m => m.Key))}; install with: " +
                               Shell.Join(["apt-get", "install", "-y", .. pkgs]));
    }

    private static void CheckFree(string prefix, LabPlan plan)
    {
        if (File.Exists(LabPaths.StateFile(prefix)) || LabNetns.ReadJournal(prefix).Count > 0)
            throw new LabException($"lab prefix '{prefix}' is in use ({LabPaths.StateFile(prefix)}); " +
                                   $"remove it with: {Shell.Join("netsleuth", "lab", "down", "--prefix", prefix)}");
        var existing = LabNamespaces.List();
        var taken = plan.Hosts.SelectMany(h => h.Namespaces).Concat(plan.ExtraNamespaces).Where(existing.Contains).ToList();
        if (taken.Count > 0)
            throw new LabException($"namespace {string.Join(", ", taken)} exists and was not made by a lab with prefix '{prefix}'; " +
                                   "choose another --prefix");
    }
}

/// <summary>What <see cref="LabBuilder.Down"/> removed.</summary>
public sealed record LabDownResult(string Prefix, IReadOnlyList<string> Namespaces, IReadOnlyList<int> StoppedPids, bool RemovedFiles, IReadOnlyList<string> Errors)
{
    /// <summary>Namespaces named PREFIX-… that the lab did not make (or that were replaced since): not removed.</summary>
    public IReadOnlyList<string> LeftAlone { get; init; } = [];

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
