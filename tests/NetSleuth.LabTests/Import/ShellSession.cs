using System.Diagnostics;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Import;

/// <summary>
/// A real interactive bash in a terminal (tmux on a private socket under the temp directory), started inside a network
/// namespace with a given prompt. Commands are typed one at a time, each after the prompt came back;
/// <see cref="Transcript"/> is what the terminal shows, prompts included — what a user would paste.
/// </summary>
internal sealed class ShellSession : IDisposable
{
    private readonly string _socket;
    private readonly string _prompt;
    private int _prompts;

    public ShellSession(string socket, string netns, string prompt)
    {
        _socket = Path.Combine(Path.GetTempPath(), socket + ".tmux");
        _prompt = prompt;
        var shell = Shell.Join("ip", "netns", "exec", netns, "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
            "TERM=xterm", "LC_ALL=C", "PS1=" + prompt, "bash", "--norc", "--noprofile", "-i");
        Tmux("-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "400", "-y", "60", shell);
        Tmux("set-option", "-g", "history-limit", "100000");
        WaitForPrompt(1);
    }

    /// <summary>Types <paramref name="command"/> and Enter, and waits until the prompt is back.</summary>
    public void Run(string command)
    {
        Tmux("send-keys", "-t", "s", "-l", command);
        Tmux("send-keys", "-t", "s", "Enter");
        WaitForPrompt(_prompts + 1);
    }

    public string Transcript => Tmux("capture-pane", "-p", "-J", "-t", "s", "-S", "-", "-E", "-").Stdout.TrimEnd() + "\n";

    private void WaitForPrompt(int count)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            var lines = Transcript.Split('\n');
            int prompts = lines.Count(l => l.StartsWith(_prompt.TrimEnd(), StringComparison.Ordinal));
            if (prompts >= count && lines.Last(l => l.Length > 0).TrimEnd() == _prompt.TrimEnd())
            {
                _prompts = prompts;
                return;
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"the shell did not show its prompt again:\n{Transcript}");
    }

    private ProcResult Tmux(params string[] args)
    {
        var r = Proc.Run("tmux", ["-S", _socket, .. args]);
        if (!r.Ok) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {r.Stderr}");
        return r;
    }

    public void Dispose()
    {
        Proc.Run("tmux", "-S", _socket, "kill-server");
        File.Delete(_socket);
    }
}
