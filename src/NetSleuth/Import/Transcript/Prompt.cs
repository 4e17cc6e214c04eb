using System.Text.RegularExpressions;

namespace NetSleuth.Import.Transcript;

/// <summary>A shell prompt found at the start of a transcript line, and the command typed after it.</summary>
internal sealed partial record Prompt(string? User, string? Host, string? Netns, string Command)
{
    // [root@worker ~]# cmd      (podns) [root@vm ~]$ cmd      [root@vm ~ (podns)]# cmd
    [GeneratedRegex(@"^\s*(?:\((?<pre>[\w.:-]+)\)\s*)?\[(?<user>[\w.-]+)@(?<host>[\w.-]+)(?<rest>[^\]]*)\]\s?[#$%]\s?(?<cmd>.*)$")]
    private static partial Regex Bracketed();

    // root@worker:~# cmd        user@host:/some/path$ cmd      (podns) root@vm:~# cmd
    [GeneratedRegex(@"^\s*(?:\((?<pre>[\w.:-]+)\)\s*)?(?<user>[\w.-]+)@(?<host>[\w.-]+):(?<rest>[^#$\s]*)\s?[#$%]\s?(?<cmd>.*)$")]
    private static partial Regex Colon();

    // user@host ~ % cmd (zsh) — only with a known command after it
    [GeneratedRegex(@"^\s*(?<user>[\w.-]+)@(?<host>[\w.-]+)\s+(?<rest>\S+)\s+[#$%>]\s(?<cmd>.+)$")]
    private static partial Regex Spaced();

    // # cmd     $ cmd     (podns) # cmd     / # cmd (busybox)     #  cmd — only with a known command after it
    [GeneratedRegex(@"^\s*(?:\((?<pre>[\w.:-]+)\)\s*)?(?:[~/][^\s#$%]*\s)?[#$%]\s+(?<cmd>\S.*)$")]
    private static partial Regex Bare();

    // worker01:/root#cmd     node:~$ cmd (no user) — only with a known command after it
    [GeneratedRegex(@"^\s*(?<host>[A-Za-z][\w.-]*):(?<rest>[~/][^#$\s]*)\s?[#$]\s?(?<cmd>\S.*)$")]
    private static partial Regex HostPath();

    // a command typed with no prompt before it (a fenced block of a document, a line above a saved output)
    [GeneratedRegex(@"^\s*(?<cmd>(?:sudo\s+(?:-\S+\s+)*)?(?:ip|tc|bridge|arp|iptables|ip6tables|iptables-save|ip6tables-save|iptables-legacy|iptables-legacy-save|iptables-nft|iptables-nft-save|nft|ovs-vsctl|ovs-ofctl|sysctl|nsenter)\s+\S.*)$")]
    private static partial Regex Typed();

    [GeneratedRegex(@"(?:\(|\bnetns[:=]|\bns[:=])(?<ns>[\w.-]+)\)?")]
    private static partial Regex NetnsInRest();

    private static readonly System.Buffers.SearchValues<char> PromptMarks = System.Buffers.SearchValues.Create("#$%");

    private static readonly HashSet<string> KnownCommands =
    [
        "ip", "tc", "bridge", "arp", "ovs-vsctl", "ovs-ofctl", "ovs-appctl", "ovs-dpctl", "ovn-nbctl", "ovn-sbctl", "ovn-trace",
        "iptables", "iptables-save", "ip6tables", "ip6tables-save", "iptables-legacy", "iptables-legacy-save", "iptables-nft",
        "iptables-nft-save", "nft", "sysctl", "sudo", "doas", "nsenter", "cat", "ls", "ping", "tcpdump", "export", "cd",
        "ethtool", "ss", "netstat", "route", "ifconfig", "hostname", "uname", "conntrack", "kubectl", "oc", "crictl", "docker",
        "exit", "logout", "journalctl", "echo", "for", "while", "bash", "sh", "grep", "watch", "env", "time", "lsns", "plotnetcfg",
        "traceroute", "tracepath", "arping", "curl", "nc", "ncat", "mtr", "dmesg", "systemctl", "podman", "ipvsadm", "ipvsadm-save", "ipset",
    ];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // a one-shot import: skip the tiers
    public static Prompt? TryMatch(string line)
    {
        // most output lines have no # $ %: then only the zsh pattern can match, and it needs '@' and '>'
        var span = line.AsSpan();
        bool marks = span.IndexOfAny(PromptMarks) >= 0;
        if (!marks && !(span.Contains('>') && span.Contains('@'))) return null;
        var m = marks ? Bracketed().Match(line) : Match.Empty;
        if (!m.Success && marks) m = Colon().Match(line);
        if (m.Success) return Make(m);
        m = Spaced().Match(line);
        if (m.Success && StartsWithKnownCommand(m.Groups["cmd"].Value)) return Make(m);
        if (!marks) return null;
        m = Bare().Match(line);
        if (m.Success && StartsWithKnownCommand(m.Groups["cmd"].Value)) return Make(m);
        m = HostPath().Match(line);
        if (m.Success && StartsWithKnownCommand(m.Groups["cmd"].Value)) return Make(m);
        return Loose(line);
    }

    /// <summary>
    /// A prompt none of the patterns knows, before a command netsleuth reads: "YouHua WR1200JS # bridge fdb" (a
    /// router's host name with a space), "(venv)⚡ % bridge fdb      ~/build" (a themed zsh prompt, its right-hand
    /// prompt after a run of spaces). Only the first # $ % followed by a space counts, the text before it must be short
    /// and the command after it one the importer reads (<see cref="TryTyped"/>), so output lines are not taken for it.
    /// </summary>
    private static Prompt? Loose(string line)
    {
        int mark = line.AsSpan().IndexOfAny(PromptMarks);
        if (mark < 1 || mark > 48 || mark + 2 >= line.Length || line[mark + 1] != ' ') return null;
        var rest = line[(mark + 2)..];
        int rprompt = rest.IndexOf("          ", StringComparison.Ordinal); // zsh RPROMPT: far to the right
        if (rprompt > 0) rest = rest[..rprompt];
        return TryTyped(rest);
    }

    /// <summary>
    /// A line that is only a command netsleuth reads, typed with no prompt (`ip -d link show` in a document's
    /// ```sh block, `sudo  ip netns exec X tc qdisc` above its output, `iptables -t nat -S` after prose).
    /// Only commands whose output the importer reads count, so output and prose lines are not taken for one.
    /// A bare `> ` before it (a prompt some people type, or a markdown quote) is not part of the command.
    /// </summary>
    public static Prompt? TryTyped(string line)
    {
        var t = line.AsSpan().TrimStart();
        // "> arp -vn | grep X": a bare '>' prompt (or a markdown quote) before a command netsleuth reads (resource-agents#1131);
        // "+ ip route": a shell's xtrace (set -x) line, the command a script ran (pod-gateway#10)
        if (t.Length > 2 && t[0] is '>' or '+' && t[1] == ' ')
        {
            bool xtrace = t[0] == '+';
            line = t[2..].ToString();
            // xtrace names every command the script ran: one netsleuth does not read still ends the output before it
            if (xtrace) return TypedCommand(line) ?? (StartsWithKnownCommand(line) ? new Prompt(null, null, null, line.Trim()) : null);
        }
        return TypedCommand(line);
    }

    private static Prompt? TypedCommand(string line)
    {
        var t = line.AsSpan().TrimStart();
        if (t.IsEmpty || t[0] is not ('i' or 't' or 'b' or 'a' or 'n' or 'o' or 's')) return null;
        var m = Typed().Match(line);
        if (!m.Success) return null;
        var cmd = Unquote(m.Groups["cmd"].Value.TrimEnd());
        var cl = CommandLine.Parse(cmd, []);
        if (cl.Problem is not null || cl.Argv.Count == 0 || CommandTable.Find(cl.Argv) is null) return null;
        return new Prompt(null, null, null, cmd);
    }

    // "arp -an | grep X" typed with its quotes (as a fan-out tool's argument): the command inside
    private static string Unquote(string cmd) =>
        cmd.Length > 2 && cmd[0] is '"' or '\'' && cmd[^1] == cmd[0] && cmd.IndexOf(cmd[0], 1) == cmd.Length - 1 ? cmd[1..^1] : cmd;

    private static Prompt Make(Match m)
    {
        string? ns = m.Groups["pre"].Success && m.Groups["pre"].Length > 0 ? m.Groups["pre"].Value : null;
        if (ns is null && m.Groups["rest"].Success && NetnsInRest().Match(m.Groups["rest"].Value) is { Success: true } r) ns = r.Groups["ns"].Value;
        return new Prompt(
            m.Groups["user"].Success ? m.Groups["user"].Value : null,
            m.Groups["host"].Success ? m.Groups["host"].Value : null,
            ns,
            Unquote(m.Groups["cmd"].Value.TrimEnd()));
    }

    /// <summary>True when <paramref name="command"/> starts with a command people type while debugging a network
    /// (or a variable assignment) — how a bare "# " prompt is told from a comment line in an output.</summary>
    public static bool StartsWithKnownCommand(string command)
    {
        var first = Unquote(command.Trim()).Split(' ', 2)[0];
        if (ShellWords.IsAssignment(first, out _, out _)) return true;
        return KnownCommands.Contains(first) || KnownCommands.Contains(Path.GetFileName(first));
    }
}
