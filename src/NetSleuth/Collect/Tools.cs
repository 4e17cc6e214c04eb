using System.Diagnostics;
using NetSleuth.Util;

namespace NetSleuth.Collect;

/// <summary>The commands the collector runs inside a namespace (the calling thread's; children inherit it).</summary>
internal static class Tools
{
    /// <summary>One `ip` process answers every command of the namespace (`-batch -`), one JSON value each.</summary>
    public static readonly string[] IpBatch =
        ["address show", "route show table all", "rule show", "neigh show nud all", "neigh show proxy", "netns list-id"];

    public static readonly string[] IpBatchArgv = ["ip", "-d", "-j", "-batch", "-"];
    public static readonly string[] Ip6Rules = ["ip", "-6", "-j", "rule", "show"];
    public static readonly string[] BridgeFdb = ["bridge", "-j", "fdb", "show"];
    public static readonly string[] Nft = ["nft", "-j", "list", "ruleset"];
    public static readonly string[] IpVersion = ["ip", "-V"];

    /// <summary>The argv a batch line stands for (for the parsers and for warnings).</summary>
    public static IReadOnlyList<string> BatchLineArgv(string tool, IReadOnlyList<string> globalOptions, string line) =>
        [tool, .. globalOptions, .. line.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    public static ProcResult Run(IReadOnlyList<string> argv, string? stdin = null) =>
        Proc.Run(argv[0], argv.Skip(1), stdin, TimeSpan.FromSeconds(30));

    /// <summary>
    /// A `tc -j -batch -` conversation: "qdisc show" first, then the filter listings that the qdiscs
    /// make possible (chosen by <paramref name="filterCommands"/>). tc flushes each JSON answer, one line each.
    /// </summary>
    public static (string? Qdiscs, List<string> FilterLines, List<string> Commands, string? Error) TcConversation(
        Func<string, List<string>> filterCommands)
    {
        var psi = new ProcessStartInfo("tc")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-j", "-batch", "-" }) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { return (null, [], [], "tc: " + e.Message); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardInput.Write("qdisc show\n");
            p.StandardInput.Flush();
            var qdiscs = p.StandardOutput.ReadLine();
            var cmds = qdiscs is null ? [] : filterCommands(qdiscs);
            foreach (var c in cmds) p.StandardInput.Write(c + "\n");
            p.StandardInput.Close();
            var lines = new List<string>();
            while (p.StandardOutput.ReadLine() is { } l)
                if (l.Length > 0) lines.Add(l);
            if (!p.WaitForExit(30_000)) { try { p.Kill(); } catch (InvalidOperationException) { } }
            var stderr = err.Result.Trim();
            return (qdiscs, lines, cmds, p.ExitCode == 0 && stderr.Length == 0 ? null : $"tc exited {p.ExitCode}: {JsonFirst(stderr)}");
        }
    }

    private static string JsonFirst(string s) => Import.IpJson.JsonValues.FirstLine(s);
}
