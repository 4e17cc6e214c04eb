using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>
/// One command of a what-if file (or of a finding's fix), read: where it is written, the host and
/// namespace it runs in, and the edits it makes — or why the model cannot take it
/// (<see cref="NotModelled"/>), which is reported, never dropped.
/// </summary>
/// <param name="Source">file and line</param>
/// <param name="Text">the command as written</param>
/// <param name="Host">the host it runs on</param>
/// <param name="Netns">the namespace named by `ip -n`, `ip netns exec`, `nsenter --net=/run/netns/…`; null with no <paramref name="NsPid"/> = the host's root namespace</param>
/// <param name="NsPid">the process whose namespace `nsenter -t PID -n` enters</param>
public sealed record WhatIfCommand(SourceRef Source, string Text, string Host, string? Netns, int? NsPid)
{
    public List<ModelEdit> Edits { get; init; } = [];
    /// <summary>Why the model cannot apply the command (a tool or option it does not model); null when it can.</summary>
    public string? NotModelled { get; init; }

    /// <summary>The namespace, as written ("root" when none).</summary>
    public string Where => Netns ?? (NsPid is { } p ? $"pid {p}" : "root");

    public override string ToString() => $"{Source}: {Text}";
}

/// <summary>A what-if script read: its commands in order (modelled or not).</summary>
public sealed record WhatIfScript(IReadOnlyList<WhatIfCommand> Commands)
{
    public IEnumerable<WhatIfCommand> NotModelled => Commands.Where(c => c.NotModelled is not null);
    public bool FullyModelled => Commands.All(c => c.NotModelled is null);
}
