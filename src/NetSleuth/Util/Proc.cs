using System.Diagnostics;

namespace NetSleuth.Util;

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>Runs a program without a shell (arguments are passed as words, never re-parsed).</summary>
public static class Proc
{
    /// <summary>Runs FILE ARGS…; a program that cannot be started gives exit code 127 and the reason in Stderr.</summary>
    public static ProcResult Run(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcResult(127, "", $"{file}: {e.Message}");
        }
        using (p)
        {
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderrTask = p.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                return new ProcResult(124, stdoutTask.Result, $"{file}: timed out");
            }
            return new ProcResult(p.ExitCode, stdoutTask.Result, stderrTask.Result);
        }
    }

    public static ProcResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>True when FILE is found on PATH (or is an existing path).</summary>
    public static bool Exists(string file)
    {
        if (file.Contains('/')) return System.IO.File.Exists(file);
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':').Any(d => d.Length > 0 && System.IO.File.Exists(System.IO.Path.Combine(d, file)));
    }
}
