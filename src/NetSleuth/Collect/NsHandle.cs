namespace NetSleuth.Collect;

/// <summary>An open network namespace: the fd keeps it alive while the collector reads it.</summary>
internal sealed class NsHandle : IDisposable
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required long Inode { get; init; }
    public bool IsRoot { get; init; }
    public required int Fd { get; init; }
    /// <summary>Where it was opened: /proc/1/ns/net, /run/netns/NAME, /proc/PID/ns/net.</summary>
    public required string OpenedFrom { get; init; }
    /// <summary>Processes living in it (pid order).</summary>
    public List<int> Pids { get; } = [];
    public bool Selected { get; set; }

    public void Dispose()
    {
        if (Fd >= 0) Native.Close(Fd);
    }

    public override string ToString() => Id;
}
