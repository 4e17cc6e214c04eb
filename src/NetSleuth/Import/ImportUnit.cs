using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>One command's output and the namespace it ran in (null, null = the host's root namespace);
/// <paramref name="Host"/> when the input names another host for it (a fan-out tool's banner line).</summary>
internal sealed record ParsedCommand(CommandOutput Output, string? Netns = null, int? Pid = null, string? Host = null);

/// <summary>What a reader found in one input: the commands with their outputs, the host it names (a
/// prompt's host name), and problems found while splitting the input.</summary>
internal sealed class ImportUnit
{
    public string? HostName { get; set; }
    /// <summary>Other host names the prompts show (the host's name changed within the transcript).</summary>
    public List<string> OtherHostNames { get; } = [];
    public List<ParsedCommand> Commands { get; } = [];
    public List<Warning> Warnings { get; } = [];
}
