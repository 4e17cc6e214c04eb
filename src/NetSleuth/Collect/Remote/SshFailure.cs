namespace NetSleuth.Collect.Remote;

/// <summary>Why one host of a remote collect gave no snapshot: a short kind and the evidence (ssh's or the host's words).</summary>
/// <param name="Kind">unreachable, host-key, auth, not-root, unsupported, transfer, collect, cancelled, ssh; create (a pod)</param>
public sealed record RemoteFailure(string Kind, string Message)
{
    public override string ToString() => $"{Describe(Kind)}: {Message}";

    private static string Describe(string kind) => kind switch
    {
        "unreachable" => "unreachable",
        "host-key" => "host key not accepted",
        "auth" => "login refused",
        "not-root" => "no root",
        "unsupported" => "unsupported host",
        "transfer" => "copy failed",
        "collect" => "collect failed on the host",
        "cancelled" => "cancelled",
        "create" => "collector pod not created",
        _ => "ssh failed",
    };

    /// <summary>
    /// Classifies a failed <c>ssh</c> run from its exit code and standard error: the remote script's own
    /// <c>netsleuth-remote: error:</c> line when there is one, else OpenSSH's messages (exit 255: the
    /// connection or the login failed), else the command's exit code and last words.
    /// </summary>
    public static RemoteFailure Classify(int exitCode, IReadOnlyList<string> stderr, string? remoteError)
    {
        if (remoteError is not null)
        {
            var kind = exitCode switch
            {
                RemoteScript.NotRoot => "not-root",
                RemoteScript.WrongArch => "unsupported",
                RemoteScript.Truncated or RemoteScript.MkTempFailed => "transfer",
                _ => "collect",
            };
            return new RemoteFailure(kind, remoteError);
        }
        var text = string.Join('\n', stderr);
        string Last(string contains) => stderr.LastOrDefault(l => l.Contains(contains, StringComparison.OrdinalIgnoreCase)) ?? contains;
        if (exitCode == 255)
        {
            if (text.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal))
                return new RemoteFailure("host-key", "the host's key differs from the one in known_hosts (REMOTE HOST IDENTIFICATION HAS CHANGED); " +
                    (stderr.FirstOrDefault(l => l.StartsWith("Offending", StringComparison.Ordinal)) ?? "see ssh -v"));
            if (text.Contains("Host key verification failed", StringComparison.Ordinal))
                return new RemoteFailure("host-key", "Host key verification failed (the host is not in known_hosts, or its key changed; BatchMode never asks)");
            if (text.Contains("Permission denied", StringComparison.Ordinal))
                return new RemoteFailure("auth", Last("Permission denied").Trim());
            foreach (var s in new[] { "Connection refused", "timed out", "No route to host", "Network is unreachable", "Could not resolve hostname",
                         "Name or service not known", "Connection reset", "Connection closed", "kex_exchange_identification" })
                if (text.Contains(s, StringComparison.OrdinalIgnoreCase)) return new RemoteFailure("unreachable", Last(s).Trim());
            return new RemoteFailure("ssh", LastWords(stderr) ?? "ssh exited 255 without a message");
        }
        if (exitCode == 127 && text.Contains("ssh:", StringComparison.Ordinal) is false && stderr.Count == 1 && stderr[0].EndsWith("No such file or directory", StringComparison.Ordinal))
            return new RemoteFailure("ssh", stderr[0]);
        return new RemoteFailure("collect", $"exit code {exitCode}" + (LastWords(stderr) is { } w ? ": " + w : ""));
    }

    private static string? LastWords(IReadOnlyList<string> stderr)
    {
        for (int i = stderr.Count - 1; i >= 0; i--)
            if (stderr[i].Trim().Length > 0) return stderr[i].Trim();
        return null;
    }
}
