using System.Diagnostics;
using System.Globalization;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect.Ssh;

/// <summary>
/// Real OpenSSH servers (Debian's sshd) standing for remote hosts, one per lab host. Each runs
/// <c>sshd -D -f CONFIG</c> inside the host's root network namespace, in its own PID, mount and UTS
/// namespaces: its hostname is the host's name, /proc shows only its processes (so /proc/1/ns/net, which
/// <c>collect</c> takes as the root namespace, is the host's), /run/netns holds only the host's other
/// namespaces, /tmp is its own tmpfs (what a copied binary leaves would be seen there, and only there), and
/// /etc/passwd has one more, unprivileged user <see cref="User"/> (in that mount namespace only). Host keys,
/// the client keys, known_hosts, authorized keys and the client configuration live in a temporary
/// directory under /var/tmp (not under /tmp or /run, which the hosts cover). Killing the <c>unshare</c>
/// kills the PID namespace's init (sshd) and with it everything left in that namespace.
/// </summary>
internal sealed class SshHosts : IDisposable
{
    public const string User = "nslabuser";
    public const int Port = 2222;
    public string Dir { get; }
    public string ClientKey => Path.Combine(Dir, "client");
    public string WrongKey => Path.Combine(Dir, "wrong");
    public List<SshHost> Hosts { get; } = [];

    public SshHosts()
    {
        Dir = Directory.CreateTempSubdirectory("nsl-ssh-").FullName;
        // under /var/tmp: the hosts mount their own /tmp
        var varTmp = Path.Combine("/var/tmp", Path.GetFileName(Dir));
        Directory.Delete(Dir);
        Dir = varTmp;
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(Path.Combine(Dir, "auth"));
        KeyGen(ClientKey);
        KeyGen(WrongKey);
        var pub = File.ReadAllText(ClientKey + ".pub");
        File.WriteAllText(Path.Combine(Dir, "auth", "root"), pub);
        File.WriteAllText(Path.Combine(Dir, "auth", User), pub);
        File.WriteAllText(Path.Combine(Dir, "passwd"), File.ReadAllText("/etc/passwd") + $"{User}:x:4242:4242:netsleuth lab:/nonexistent:/bin/sh\n");
        File.WriteAllText(Path.Combine(Dir, "start.sh"), StartScript);
    }

    /// <summary>Starts sshd for a host in its root namespace <paramref name="netns"/>, listening on <paramref name="address"/>.</summary>
    public SshHost Start(string name, string netns, string address, IReadOnlyList<string> otherNamespaces)
    {
        var hdir = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.Combine(hdir, "stage"));
        KeyGen(Path.Combine(hdir, "hostkey"));
        var cfg = Path.Combine(hdir, "sshd_config");
        File.WriteAllText(cfg, $"""
            Port {Port}
            ListenAddress {address}
            HostKey {hdir}/hostkey
            PidFile none
            AuthorizedKeysFile {Dir}/auth/%u
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            MaxStartups 100
            LogLevel VERBOSE

            """);
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", netns, "unshare", "--mount", "--pid", "--uts", "--fork", "--kill-child", "--mount-proc",
                     "sh", Path.Combine(Dir, "start.sh"), name, hdir, Dir })
            psi.ArgumentList.Add(a);
        foreach (var o in otherNamespaces) psi.ArgumentList.Add(o);
        var p = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var host = new SshHost(name, netns, address, p, log, File.ReadAllText(Path.Combine(hdir, "hostkey.pub")));
        Hosts.Add(host);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!host.Log.Contains("Server listening", StringComparison.Ordinal))
        {
            if (p.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"sshd for {name} did not start:\n{host.Log}");
            Thread.Sleep(50);
        }
        return host;
    }

    /// <summary>An ssh_config: the client key, this directory's known_hosts only, strict checking, user root;
    /// plus <paramref name="extra"/> Host blocks (before the defaults, which they override).</summary>
    public string ClientConfig(string fileName, string extra = "", string? knownHostsExtra = null)
    {
        var kh = Path.Combine(Dir, fileName + ".known_hosts");
        File.WriteAllLines(kh, Hosts.Select(h => $"[{h.Address}]:{Port} {string.Join(' ', h.HostKey.Split(' ').Take(2))}"));
        if (knownHostsExtra is not null) File.AppendAllText(kh, knownHostsExtra + "\n");
        var path = Path.Combine(Dir, fileName);
        File.WriteAllText(path, $"""
            {extra}
            Host * !wrongkey
              IdentityFile {ClientKey}
            Host *
              IdentitiesOnly yes
              IdentityAgent none
              UserKnownHostsFile {kh}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              User root

            """);
        return path;
    }

    public static void KeyGen(string file)
    {
        var r = Proc.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "netsleuth-lab", "-f", file]);
        if (!r.Ok) throw new InvalidOperationException("ssh-keygen: " + r.Stderr);
    }

    public void Dispose()
    {
        foreach (var h in Hosts) h.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }

    // $1 host name, $2 its directory, $3 the shared directory, the rest: the host's other named namespaces
    private const string StartScript = """
        set -e
        name=$1; hdir=$2; shared=$3; shift 3
        hostname "$name"
        mount -t tmpfs -o mode=700 tmpfs "$hdir/stage"
        for n in "$@"; do : > "$hdir/stage/$n"; mount --bind "/run/netns/$n" "$hdir/stage/$n"; done
        mount -t tmpfs -o mode=755 tmpfs /run
        mkdir -p /run/netns /run/sshd
        for n in "$@"; do : > "/run/netns/$n"; mount --bind "$hdir/stage/$n" "/run/netns/$n"; done
        umount -l "$hdir/stage"
        mount -t tmpfs -o mode=1777 tmpfs /tmp
        mount --bind "$shared/passwd" /etc/passwd
        exec /usr/sbin/sshd -D -e -f "$hdir/sshd_config"
        """;
}

/// <summary>One running sshd "host".</summary>
internal sealed class SshHost(string name, string netns, string address, Process unshare, System.Text.StringBuilder log, string hostKey) : IDisposable
{
    public string Name { get; } = name;
    public string Netns { get; } = netns;
    public string Address { get; } = address;
    public string HostKey { get; } = hostKey;
    public string Log { get { lock (log) return log.ToString(); } }
    public string Destination(string? user = null) => (user is null ? "" : user + "@") + Address + ":" + SshHosts.Port;

    /// <summary>The host's init (sshd), as a pid of this machine: the child of unshare.</summary>
    public int InitPid
    {
        get
        {
            var children = File.ReadAllText($"/proc/{unshare.Id}/task/{unshare.Id}/children").Trim();
            return int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>What is in the host's own /tmp.</summary>
    public IReadOnlyList<string> TmpEntries() =>
        Directory.EnumerateFileSystemEntries($"/proc/{InitPid}/root/tmp").Select(Path.GetFileName).OfType<string>().Order().ToList();

    /// <summary>The host's processes besides sshd's listener: "pid: command line".</summary>
    public IReadOnlyList<string> Processes()
    {
        int init = InitPid;
        var pidns = new FileInfo($"/proc/{init}/ns/pid").LinkTarget;
        var found = new List<string>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid) || pid == init) continue;
            try
            {
                if (new FileInfo(Path.Combine(d, "ns", "pid")).LinkTarget != pidns) continue;
                var cl = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Trim();
                if (cl.Length > 0) found.Add($"{pid}: {cl}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Waits until the host has no process but sshd's listener and nothing in /tmp; returns what is left.</summary>
    public IReadOnlyList<string> Leftovers(TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            var left = Processes().Concat(TmpEntries().Select(e => "/tmp/" + e)).ToList();
            if (left.Count == 0 || DateTime.UtcNow > until) return left;
            Thread.Sleep(100);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!unshare.HasExited) unshare.Kill(entireProcessTree: true);
            unshare.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        unshare.Dispose();
    }
}
