namespace NetSleuth.Import;

/// <summary>A command line as the importer understands it: the command proper, the namespace it ran in,
/// and whether its output was cut by a pipe.</summary>
/// <param name="Argv">normalised words (see <see cref="Iproute2Syntax"/>), without sudo / netns prefixes</param>
/// <param name="Netns">the named namespace ("ip netns exec NS", "ip -n NS", "nsenter --net=/run/netns/NS")</param>
/// <param name="NsPid">the namespace of a process ("nsenter -t PID -n")</param>
/// <param name="Partial">output went through a filter (grep, head, …): what is absent is unknown</param>
/// <param name="Problem">why the output cannot be attributed to one command (a loop, several commands), or null</param>
/// <param name="EntersShell">the command starts an interactive shell (in <see cref="Netns"/>/<see cref="NsPid"/>)</param>
internal sealed record CommandLine(
    IReadOnlyList<string> Argv, string? Netns = null, int? NsPid = null, bool Partial = false,
    string? Problem = null, bool EntersShell = false, bool NoOutput = false)
{
    public bool InNamespace => Netns is not null || NsPid is not null;
    public string Text => string.Join(' ', Argv);

    private static readonly HashSet<string> Shells = ["bash", "sh", "zsh", "dash", "ash", "ksh", "fish", "/bin/bash", "/bin/sh", "/usr/bin/bash"];
    private static readonly HashSet<string> PassThrough = ["cat", "tee", "less", "more", "cat -A", "column"];
    private static readonly HashSet<string> Wrappers = ["sudo", "doas", "env", "time", "command", "exec", "nice", "stdbuf", "timeout", "builtin"];

    /// <summary>Parses one command line typed at a prompt. <paramref name="vars"/> are the shell variables
    /// set so far; assignments on the line ("NS=x; ip netns exec $NS …") are added to it.</summary>
    public static CommandLine Parse(string line, Dictionary<string, string> vars)
    {
        // pipelines separated by ; && ||, each a list of parts joined by |
        var pipelines = new List<List<List<string>>>();
        var parts = ShellWords.Split(line.Trim(), vars);
        var current = new List<List<string>>();
        for (int k = 0; k < parts.Count; k++)
        {
            var words = parts[k].Words;
            if (current.Count == 0 && words.Count > 0 && words[0] == "export") words = words.Skip(1).ToList();
            if (current.Count == 0 && words.Count > 0 && words.All(w => ShellWords.IsAssignment(w, out _, out _)))
            {
                foreach (var w in words) { ShellWords.IsAssignment(w, out var n, out var v); vars[n] = v; }
                // later parts may use what was just assigned
                if (k + 1 < parts.Count)
                {
                    var restText = RestAfter(line, k + 1);
                    if (restText is not null) { parts = [.. parts.Take(k + 1), .. ShellWords.Split(restText, vars)]; }
                }
                continue;
            }
            current.Add(words);
            if (parts[k].Next != "|") { pipelines.Add(current); current = []; }
        }
        if (current.Count > 0) pipelines.Add(current);
        var real = pipelines.Where(pl => pl[0].Count > 0 && pl[0][0] is not ("cd" or "clear" or "echo" or "set" or "unset" or "history" or "alias" or "true")).ToList();
        if (real.Count == 0) return new CommandLine([], NoOutput: true);
        var head = real[0][0];
        if (head[0] is "for" or "while" or "until" or "if" or "do" or "done" or "then" or "fi" or "{" or "(")
            return new CommandLine(head, Problem: "a shell loop or condition: its output cannot be told apart per command");
        bool partial = real[0].Skip(1).Any(f => f.Count > 0 && !PassThrough.Contains(f[0]));
        var result = Normalise(StripRedirections(head, out bool noOutput)) with { Partial = partial, NoOutput = noOutput };
        if (real.Count(pl => !StripRedirectionsNoOutput(pl[^1])) > 1)
            result = result with { Problem = "several commands on one line: their outputs cannot be told apart" };
        return result;
    }

    private static bool StripRedirectionsNoOutput(List<string> words)
    {
        StripRedirections(words, out bool no);
        return no;
    }

    // the text of the line from its part number n on (re-split after an assignment)
    private static string? RestAfter(string line, int n)
    {
        int count = 0;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"') { quote = c; continue; }
            if (c is ';' or '|' or '&')
            {
                int len = i + 1 < line.Length && (line[i + 1] == c) ? 2 : 1;
                if (c == '&' && len == 1) continue;
                if (++count == n) return line[(i + len)..];
                i += len - 1;
            }
        }
        return null;
    }

    private static List<string> StripRedirections(List<string> words, out bool noOutput)
    {
        noOutput = false;
        var result = new List<string>();
        for (int i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (w.StartsWith("2>", StringComparison.Ordinal)) { if (w == "2>") i++; continue; }
            if (w.StartsWith('>') || w.StartsWith("1>", StringComparison.Ordinal) || w.StartsWith("&>", StringComparison.Ordinal))
            {
                noOutput = !w.EndsWith("&1", StringComparison.Ordinal);
                if (w is ">" or "1>" or "&>" or ">>") i++;
                continue;
            }
            if (w.StartsWith('<')) { if (w == "<") i++; continue; }
            result.Add(w);
        }
        return result;
    }

    /// <summary>An option typed (or pasted through a word processor) with an en or em dash: "–a" is "-a", "—json" and "––json" are "--json".</summary>
    private static string Dashes(string word)
    {
        if (word.Length < 2 || word[0] is not ('\u2013' or '\u2014')) return word;
        if (word[0] == '\u2014') return "--" + word[1..];
        return word[1] is '\u2013' or '-' ? "--" + word[2..] : "-" + word[1..];
    }

    /// <summary>Takes off sudo-like wrappers and namespace prefixes, expands iproute2 abbreviations.</summary>
    public static CommandLine Normalise(IReadOnlyList<string> words)
    {
        string? netns = null;
        int? pid = null;
        var argv = words.Select(Dashes).ToList();
        for (int guard = 0; guard < 16 && argv.Count > 0; guard++)
        {
            if (ShellWords.IsAssignment(argv[0], out _, out _)) { argv.RemoveAt(0); continue; }
            if (Wrappers.Contains(argv[0]))
            {
                var w = argv[0];
                argv.RemoveAt(0);
                while (argv.Count > 0 && (argv[0].StartsWith('-') || ShellWords.IsAssignment(argv[0], out _, out _) || (w == "timeout" && char.IsAsciiDigit(argv[0][0]))))
                {
                    bool takesValue = w is "sudo" or "doas" && argv[0] is "-u" or "-g" or "-C" or "-h" or "-p" or "-U" or "-r" or "-t";
                    argv.RemoveAt(0);
                    if (takesValue && argv.Count > 0) argv.RemoveAt(0);
                    if (w == "timeout") break;
                }
                continue;
            }
            if (argv[0] == "nsenter" && TryNsenter(argv, out var ns, out var p, out var rest))
            {
                netns = ns ?? netns;
                pid = p ?? pid;
                argv = rest;
                continue;
            }
            var expanded = Iproute2Syntax.Expand(argv, out var n);
            if (expanded is not null)
            {
                if (n is not null) netns = n;
                // ip [opts] netns exec NS CMD…
                int o = expanded.FindIndex(1, x => !x.StartsWith('-'));
                if (expanded[0] == "ip" && o > 0 && o + 2 < expanded.Count && expanded[o] == "netns" && expanded[o + 1] == "exec")
                {
                    netns = expanded[o + 2];
                    argv = expanded.Skip(o + 3).ToList();
                    continue;
                }
                argv = expanded;
            }
            break;
        }
        bool shell = argv.Count >= 1 && Shells.Contains(argv[0]) && (argv.Count == 1 || argv.Skip(1).All(a => a is "-l" or "-i" or "--login" or "--norc"))
            && (netns is not null || pid is not null);
        return new CommandLine(argv, netns, pid, EntersShell: shell);
    }

    // nsenter [-t PID] [-n[FILE] | --net[=FILE]] [-m …] [--] CMD…
    private static bool TryNsenter(List<string> argv, out string? netns, out int? pid, out List<string> rest)
    {
        netns = null; pid = null; rest = [];
        bool net = false;
        int i = 1;
        for (; i < argv.Count && argv[i].StartsWith('-'); i++)
        {
            var a = argv[i];
            if (a == "--") { i++; break; }
            string? file = null;
            if (a is "-t" or "--target") { if (i + 1 < argv.Count && int.TryParse(argv[++i], out var t)) pid = t; continue; }
            if (a.StartsWith("--target=", StringComparison.Ordinal) && int.TryParse(a[9..], out var t2)) { pid = t2; continue; }
            if (a.StartsWith("-t", StringComparison.Ordinal) && int.TryParse(a[2..], out var t3)) { pid = t3; continue; }
            if (a == "-n" || a == "--net") { net = true; continue; }
            if (a.StartsWith("--net=", StringComparison.Ordinal)) { net = true; file = a[6..]; }
            else if (a.StartsWith("-n", StringComparison.Ordinal) && a.Length > 2 && a[2] is '/' or '=') { net = true; file = a[2..].TrimStart('='); }
            else if (a.Length > 2 && a[1] != '-' && a.Contains('n') && a.Contains('t') == false) { net = true; continue; }
            if (file is not null)
            {
                var m = System.Text.RegularExpressions.Regex.Match(file, @"^/(?:var/)?run/netns/(.+)$");
                if (m.Success) netns = m.Groups[1].Value;
                var pm = System.Text.RegularExpressions.Regex.Match(file, @"^/proc/(\d+)/ns/net$");
                if (pm.Success) pid = int.Parse(pm.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        if (!net) { netns = null; pid = null; }
        rest = argv.Skip(i).ToList();
        if (rest.Count == 0) rest = ["bash"]; // nsenter with no command starts a shell
        return true;
    }
}
