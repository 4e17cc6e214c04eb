using System.Globalization;

namespace NetSleuth.Collect.Remote;

/// <summary>
/// One <c>[USER@]HOST[:PORT]</c> of <c>collect --ssh</c> (an IPv6 address with a port in brackets:
/// <c>[2001:db8::1]:2222</c>). <see cref="Text"/> is what the user wrote: the host's name in messages.
/// </summary>
public sealed record SshDestination(string Text, string? User, string Host, int? Port)
{
    /// <summary>Parses one destination; null with <paramref name="error"/> set when it is not one.</summary>
    public static SshDestination? TryParse(string text, out string? error)
    {
        error = null;
        string? user = null;
        var rest = text;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
            if (user.Length == 0) { error = $"'{text}': empty user before @"; return null; }
        }
        string host;
        string? port = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']');
            if (close < 0) { error = $"'{text}': '[' without ']'"; return null; }
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') { error = $"'{text}': expected :PORT after ']'"; return null; }
                port = after[1..];
            }
        }
        else if (rest.Count(c => c == ':') == 1)
        {
            int colon = rest.IndexOf(':');
            host = rest[..colon];
            port = rest[(colon + 1)..];
        }
        else host = rest; // a bare IPv6 address, or a name
        if (host.Length == 0) { error = $"'{text}': no host"; return null; }
        if (host.StartsWith('-') || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '\'' or '"' or '\\'))
        {
            error = $"'{text}': '{host}' is not a host name or address";
            return null;
        }
        if (user is not null && (user.StartsWith('-') || user.Any(char.IsWhiteSpace)))
        {
            error = $"'{text}': '{user}' is not a user name";
            return null;
        }
        int? portNumber = null;
        if (port is not null)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            {
                error = $"'{text}': port '{port}' is not a number between 1 and 65535";
                return null;
            }
            portNumber = p;
        }
        return new SshDestination(text, user, host, portNumber);
    }

    /// <summary>The arguments that select this destination on an OpenSSH command line (before the command).</summary>
    public IEnumerable<string> SshArgs()
    {
        if (Port is { } p) { yield return "-p"; yield return p.ToString(CultureInfo.InvariantCulture); }
        if (User is { } u) { yield return "-l"; yield return u; }
        yield return "--";
        yield return Host;
    }

    /// <summary>A name usable as a file name: the host, with the port when one was given.</summary>
    public string FileName => SafeName(Port is { } p ? $"{Host}_{p.ToString(CultureInfo.InvariantCulture)}" : Host);

    /// <summary>Letters, digits and .-_ kept; anything else becomes '_' (a host name as a file name).</summary>
    public static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray();
        var s = new string(chars).TrimStart('.');
        return s.Length == 0 ? "host" : s;
    }
}
