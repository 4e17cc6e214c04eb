using System.Globalization;
using System.Net;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>
/// Reads the shell commands NetSleuth prints as fixes, and the same commands a user writes, into
/// <see cref="ModelEdit"/>s: `ip [-n NS] link|addr|route|rule|neigh …`, `bridge fdb …`, `tc qdisc|filter …`,
/// `sysctl -w`, `iptables -D|-I|-A|-P|-F`, `nft delete rule … handle N`, `ovs-vsctl add-port|del-port`,
/// under `sudo`, `ip netns exec NS`, `nsenter -t PID -n` or `nsenter --net=/run/netns/NS`. The host comes
/// from a `HOST: command` prefix, `ssh HOST 'command'`, a `# host: HOST` comment, a "Fix on HOST, namespace
/// NS:" line as `diagnose` prints it, or from the input when it has one host.
/// A command it cannot model is kept with the reason (<see cref="WhatIfCommand.NotModelled"/>); a syntax
/// error, an unknown host or namespace is an <see cref="InputException"/> naming the file and line (all of them).
/// </summary>
public static class CommandInterpreter
{
    /// <summary>Reads a what-if file's text.</summary>
    public static WhatIfScript Read(string text, string file, Snapshot model, string? defaultHost = null)
    {
        var commands = new List<WhatIfCommand>();
        var errors = new List<(int Line, string Message)>();
        string? host = defaultHost;
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            var line = lines[i].Trim();
            // a backslash at the end continues the command on the next line
            while (line.EndsWith('\\') && i + 1 < lines.Length) line = line[..^1] + " " + lines[++i].Trim();
            if (line.Length == 0 || line.StartsWith("#!", StringComparison.Ordinal)) continue;
            if (line.StartsWith('#'))
            {
                if (HostComment(line) is { } h) host = CheckHost(model, h, lineNo, errors) ?? host;
                continue;
            }
            if (FixHeader(line) is { } fh) { host = CheckHost(model, fh, lineNo, errors) ?? host; continue; }
            if (line.StartsWith("$ ", StringComparison.Ordinal) || line.StartsWith("# ", StringComparison.Ordinal)) line = line[2..];
            try
            {
                foreach (var c in ReadLine(line, new SourceRef(file, lineNo), model, host)) commands.Add(c);
            }
            catch (SyntaxError e) { errors.Add((lineNo, e.Message)); }
        }
        if (errors.Count > 0)
        {
            var rest = errors.Skip(1).Select(e => $"{file}:{e.Line}: {e.Message}");
            throw new InputException(file, errors[0].Line, errors[0].Message + string.Concat(rest.Select(r => "\n" + r)));
        }
        return new WhatIfScript(commands);
    }

    /// <summary>Reads the commands of a finding's fix step (one host, commands as `diagnose` printed them).</summary>
    public static WhatIfScript ReadFix(IEnumerable<(string Host, string Command)> commands, Snapshot model, string origin)
    {
        var list = new List<WhatIfCommand>();
        int n = 0;
        foreach (var (host, command) in commands)
        {
            n++;
            try { list.AddRange(ReadLine(command, new SourceRef(origin, n), model, host)); }
            catch (SyntaxError e) { list.Add(new WhatIfCommand(new SourceRef(origin, n), command, host, null, null) { NotModelled = e.Message }); }
        }
        return new WhatIfScript(list);
    }

    private static string? HostComment(string line)
    {
        var t = line.TrimStart('#').Trim();
        foreach (var p in (string[])["host:", "host ", "on host ", "on "])
            if (t.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            {
                var name = t[p.Length..].Trim();
                int cut = name.IndexOfAny([' ', ',', '(', ':']);
                if (cut > 0) name = name[..cut];
                return name.Length > 0 ? name : null;
            }
        return null;
    }

    /// <summary>"Fix on podvm, namespace nimp-vmpod:" / "Fix on worker:" as the text report prints it.</summary>
    private static string? FixHeader(string line)
    {
        if (!line.StartsWith("Fix on ", StringComparison.Ordinal) || !line.EndsWith(':')) return null;
        var t = line[7..^1];
        int comma = t.IndexOf(',');
        return (comma < 0 ? t : t[..comma]).Trim();
    }

    private static string? CheckHost(Snapshot model, string name, int line, List<(int, string)> errors)
    {
        if (FindHost(model, name) is { } h) return h.Name;
        errors.Add((line, $"unknown host '{name}' (hosts: {string.Join(", ", model.Hosts.Select(x => x.Name))})"));
        return null;
    }

    private static Host? FindHost(Snapshot model, string name) =>
        model.Hosts.FirstOrDefault(h => h.Name == name) ?? model.Hosts.FirstOrDefault(h => h.Meta.Aliases.Contains(name));

    private static IEnumerable<WhatIfCommand> ReadLine(string line, SourceRef at, Snapshot model, string? host)
    {
        // HOST: command
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && !line[..colon].Contains(' ') && FindHost(model, line[..colon]) is { } prefixed)
        {
            host = prefixed.Name;
            line = line[(colon + 2)..].Trim();
        }
        var parts = ShellWords.Split(line, new Dictionary<string, string>());
        var result = new List<WhatIfCommand>();
        foreach (var part in parts)
        {
            var words = part.Words;
            if (words.Count == 0) continue;
            if (words[0] is "set" or "true" or ":") continue; // `set -e` and friends change nothing
            string? h = host;
            if (words[0] == "ssh" && words.Count >= 3)
            {
                int k = 1;
                while (k < words.Count && words[k].StartsWith('-')) k += words[k] is "-p" or "-i" or "-l" or "-o" or "-J" ? 2 : 1;
                if (k + 1 < words.Count)
                {
                    var target = words[k];
                    target = target.Contains('@') ? target[(target.IndexOf('@') + 1)..] : target;
                    if (FindHost(model, target) is not { } sh) throw new SyntaxError($"ssh to unknown host '{target}' (hosts: {string.Join(", ", model.Hosts.Select(x => x.Name))})");
                    h = sh.Name;
                    var rest = words.Skip(k + 1).ToList();
                    // ssh HOST 'ip -n x link set …': the remote shell splits the one word again
                    foreach (var inner in ReadLine(string.Join(' ', rest.Count == 1 ? [rest[0]] : rest.Select(Util.Shell.Quote)), at, model, h))
                        result.Add(inner);
                    continue;
                }
            }
            if (h is null)
            {
                if (model.Hosts.Count == 1) h = model.Hosts[0].Name;
                else h = HostByNamespace(model, words) ?? throw new SyntaxError(
                    $"which host does this run on? The input has {model.Hosts.Count} hosts ({string.Join(", ", model.Hosts.Select(x => x.Name))}): " +
                    "write `HOST: command`, or a `# host: HOST` line before it");
            }
            result.Add(Command(words, at, model, h, part));
        }
        return result;
    }

    /// <summary>A command without a host: the one host with a namespace of the name `-n`/`netns exec` gives.</summary>
    private static string? HostByNamespace(Snapshot model, List<string> words)
    {
        var cl = CommandLine.Normalise(words);
        if (cl.Netns is not { } ns) return null;
        var hosts = model.Hosts.Where(x => x.Namespaces.Any(n => n.Name == ns || n.Id == ns)).ToList();
        return hosts.Count == 1 ? hosts[0].Name : null;
    }

    private static WhatIfCommand Command(List<string> rawWords, SourceRef at, Snapshot model, string hostName, ShellWords.Part part)
    {
        var text = Util.Shell.Join(rawWords);
        // echo V > /proc/sys/net/...: the one redirection the model takes
        if (rawWords.Count >= 3 && rawWords[0] == "echo" && (rawWords[^2] == ">" || rawWords[^1].StartsWith(">/proc/sys/", StringComparison.Ordinal)))
        {
            var path = rawWords[^2] == ">" ? rawWords[^1] : rawWords[^1][1..];
            if (path.StartsWith("/proc/sys/", StringComparison.Ordinal))
                rawWords = ["sysctl", "-w", path["/proc/sys/".Length..].Replace('/', '.') + "=" + rawWords[1]];
        }
        var cl = CommandLine.Normalise(rawWords);
        var host = FindHost(model, hostName)!;
        var cmd = new WhatIfCommand(at, text, host.Name, cl.Netns, cl.NsPid);
        if (cl.Netns is { } nsName && !host.Namespaces.Any(n => n.Name == nsName || n.Id == nsName))
            throw new SyntaxError($"unknown namespace '{nsName}' on host {host.Name} (namespaces: {string.Join(", ", host.Namespaces.Where(n => !n.IsRoot || n.Name is not null).Select(n => n.DisplayName).Take(12))})");
        if (cl.NsPid is { } pid && !host.Namespaces.Any(n => n.Processes.Any(p => p.Pid == pid)))
            throw new SyntaxError($"no namespace of process {pid} on host {host.Name} (nsenter -t {pid}): the input names no such process");
        var argv = cl.Argv;
        if (argv.Count == 0) return cmd with { NotModelled = "an empty command" };
        try
        {
            var edits = IpCommands.Read(argv, cmd) ?? OtherCommands.Read(argv);
            if (edits is null) return cmd with { NotModelled = $"`{argv[0]}` is not a command the model takes (ip, bridge, tc, sysctl, iptables, nft, ovs-vsctl, ovn-nbctl)" };
            return cmd with { Edits = edits };
        }
        catch (NotModelledException e) { return cmd with { NotModelled = e.Message }; }
    }
}

/// <summary>A command the interpreter cannot read (a missing argument, a bad address): an error naming file and line.</summary>
internal sealed class SyntaxError(string message) : Exception(message);

/// <summary>A command the interpreter reads but the model does not take (an option it does not model).</summary>
internal sealed class NotModelledException(string message) : Exception(message);

/// <summary>Word reading shared by the command readers.</summary>
internal static class Words
{
    public static string Next(IReadOnlyList<string> w, ref int i, string what) =>
        i + 1 < w.Count ? w[++i] : throw new SyntaxError($"'{w[i]}' needs {what}");

    public static int Int(IReadOnlyList<string> w, ref int i, string what)
    {
        var s = Next(w, ref i, what);
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new SyntaxError($"'{w[i - 1]}' wants {what}, not '{s}'");
    }

    public static uint UInt(IReadOnlyList<string> w, ref int i, string what)
    {
        var s = Next(w, ref i, what);
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hx)) return hx;
        return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new SyntaxError($"'{w[i - 1]}' wants {what}, not '{s}'");
    }

    public static IPAddress Ip(string s) =>
        IPAddress.TryParse(s, out var a) && (a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || s.Count(c => c == '.') == 3)
            ? a : throw new SyntaxError($"not an IP address: '{s}'");

    public static IpPrefix Prefix(string s, bool v6 = false) =>
        IpPrefix.TryParse(s, out var p, v6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork)
            ? p : throw new SyntaxError($"not an IP prefix: '{s}'");

    public static MacAddress Mac(string s) => MacAddress.TryParse(s, out var m) ? m : throw new SyntaxError($"not a MAC address: '{s}'");
}
