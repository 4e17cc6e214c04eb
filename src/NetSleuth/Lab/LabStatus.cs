namespace NetSleuth.Lab;

/// <summary>A lab's state file compared with what exists on the machine.</summary>
public sealed record LabStatus(LabState State, string Condition, IReadOnlyList<string> MissingNamespaces,
    IReadOnlyList<string> OtherNamespaces, IReadOnlyList<int> Processes)
{
    /// <summary>
    /// Condition: "up" (whole), "building" (its `up` still runs), "incomplete" (namespaces missing),
    /// "left over from a killed 'up'" (building, but the process that built it is gone), or "damaged
    /// state file: …". A namespace counts as the lab's only when it is the one the lab made (its inode).
    /// </summary>
    public static LabStatus Of(LabState s)
    {
        var existing = LabNamespaces.List().Where(n => LabPaths.BelongsTo(n, s.Prefix)).ToList();
        var made = LabNetns.Made(s.Prefix, s.Damage is null ? s : null);
        var ours = existing.Where(n => LabNetns.IsOurs(n, made)).ToHashSet(StringComparer.Ordinal);
        var planned = s.AllNamespaces.ToList();
        var missing = planned.Where(n => !ours.Contains(n)).ToList();
        var other = existing.Where(n => !ours.Contains(n)).Order(StringComparer.Ordinal).ToList();
        string condition = s.Damage is not null ? "damaged state file: " + s.Damage
            : s.Status == LabState.Building
            ? (LabProcesses.Alive(s.Pid) ? LabState.Building : "left over from a killed 'up'")
            : missing.Count > 0 ? "incomplete" : LabState.Up;
        return new LabStatus(s, condition, missing, other, LabProcesses.Find(s.Prefix));
    }
}
