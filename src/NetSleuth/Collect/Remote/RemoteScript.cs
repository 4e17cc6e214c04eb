using System.Globalization;
using System.Text;
using NetSleuth.Util;

namespace NetSleuth.Collect.Remote;

/// <summary>
/// The POSIX sh programs <c>collect --ssh</c> runs on a host (one line each, given to <c>sh -c</c>, so a
/// csh or fish login shell reads them too). Each prints <c>netsleuth-remote:</c> lines on standard error: its
/// pid and temporary directory first (the local side needs them to clean up after a Ctrl-C), then an
/// <c>error:</c> line when it gives up. Exit codes 90–94 are its own.
/// </summary>
public static class RemoteScript
{
    public const string Marker = "netsleuth-remote:";
    public const int MkTempFailed = 90, WrongArch = 91, NotRoot = 92, Truncated = 93;

    /// <summary>
    /// Copy mode: a private directory from <c>mktemp -d</c> (mode 700), the binary read from standard input
    /// (its size checked: a dropped connection never runs half a binary), <c>collect</c> run as root
    /// (<c>sudo -n</c> when the login is not root), the snapshot on standard output. The directory goes on
    /// every exit: normal, error, or SIGHUP/SIGINT/SIGTERM (which also stop the collector).
    /// </summary>
    public static string Copy(long binarySize, IReadOnlyList<string> collectArgs)
    {
        var size = binarySize.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("umask 077; c=; ");
        sb.Append("d=$(mktemp -d \"${TMPDIR:-/tmp}/netsleuth.XXXXXXXX\") || { echo '").Append(Marker).Append(" error: mktemp -d failed' >&2; exit 90; }; ");
        sb.Append("trap 'rm -rf \"$d\"' EXIT; ");
        // the collector runs in its own process group (setsid, when there) so a stop reaches the programs it started
        sb.Append("trap '[ -n \"$c\" ] && { kill -TERM -$c 2>/dev/null || kill -TERM $c 2>/dev/null; wait $c; }; exit 130' HUP INT TERM; ");
        sb.Append("g=; setsid -w true >/dev/null 2>&1 && g='setsid -w'; ");
        sb.Append("echo \"").Append(Marker).Append(" pid=$$ dir=$d\" >&2; ");
        sb.Append("case $(uname -m) in x86_64|amd64) ;; *) echo \"").Append(Marker)
          .Append(" error: the machine is $(uname -m); the copied binary is for x86_64 (use --no-copy)\" >&2; exit 91;; esac; ");
        AppendRootCheck(sb);
        sb.Append("cat > \"$d/netsleuth\" || exit 93; ");
        sb.Append("[ \"$(wc -c < \"$d/netsleuth\")\" -eq ").Append(size).Append(" ] || { echo '").Append(Marker)
          .Append(" error: the binary arrived incomplete (connection lost?)' >&2; exit 93; }; ");
        sb.Append("chmod 700 \"$d/netsleuth\"; ");
        sb.Append("$g $s \"$d/netsleuth\" collect");
        foreach (var a in collectArgs) sb.Append(' ').Append(Shell.Quote(a));
        sb.Append(" </dev/null & c=$!; echo \"").Append(Marker).Append(" child=$c\" >&2; wait $c; r=$?; c=; exit $r");
        return sb.ToString();
    }

    /// <summary>
    /// No-copy mode: the iproute2/tc/bridge/nft/iptables/ovs tools the host has, in every named namespace,
    /// printed as a terminal session (a <c>root@HOST:~# COMMAND</c> line before each output) that the
    /// transcript importer reads. Root as in <see cref="Copy"/>; nothing is written on the host.
    /// </summary>
    public static string Tools()
    {
        var sb = new StringBuilder();
        sb.Append("c=; echo \"").Append(Marker).Append(" pid=$$\" >&2; ");
        sb.Append("trap 'exit 130' HUP INT TERM; ");
        sb.Append("d=; ");
        AppendRootCheck(sb);
        sb.Append("h=$(hostname 2>/dev/null || uname -n); ");
        // one prompt line per command, its output (and errors) after it
        sb.Append("run() { printf '%s\\n' \"root@$h:~# $*\"; $s \"$@\" 2>&1; }; ");
        sb.Append("has() { command -v \"$1\" >/dev/null 2>&1 || [ -x \"/usr/sbin/$1\" ] || [ -x \"/sbin/$1\" ]; }; ");
        sb.Append("PATH=$PATH:/usr/sbin:/sbin; ");
        // ns NAME: one namespace ("" = the root); $i is `ip [-n NAME]`, $x what enters it for the other tools
        sb.Append("ns() { if [ -z \"$1\" ]; then i=ip; x=; else i=\"ip -n $1\"; x=\"ip netns exec $1\"; fi; ");
        sb.Append("run $i -d addr show; run $i route show table all; run $i -6 route show table all; ");
        sb.Append("run $i rule show; run $i neigh show; ");
        sb.Append("has bridge && run $x bridge fdb show; ");
        sb.Append("has tc && { run $x tc qdisc show; for l in $($s $i -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p'); do ");
        sb.Append("run $x tc filter show dev $l ingress; run $x tc filter show dev $l egress; done; }; ");
        sb.Append("}; ");
        sb.Append("ns ''; ");
        sb.Append("has iptables-save && run iptables-save; ");
        sb.Append("has nft && run nft list ruleset; ");
        sb.Append("has ovs-vsctl && [ -S /run/openvswitch/db.sock ] && run ovs-vsctl show; ");
        sb.Append("run sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding; ");
        sb.Append("run ip netns list; ");
        sb.Append("for n in $($s ip netns list | sed 's/ .*//'); do ns $n; ");
        sb.Append("has nft && run ip netns exec $n nft list ruleset; ");
        sb.Append("has iptables-save && run ip netns exec $n iptables-save; done; ");
        sb.Append("exit 0");
        return sb.ToString();
    }

    /// <summary>Sets $s to "" (root) or "sudo -n"; otherwise says why not and exits 92.</summary>
    private static void AppendRootCheck(StringBuilder sb)
    {
        sb.Append("if [ \"$(id -u)\" = 0 ]; then s=; ");
        sb.Append("elif command -v sudo >/dev/null 2>&1; then ");
        sb.Append("if e=$(sudo -n true 2>&1); then s='sudo -n'; else echo \"").Append(Marker)
          .Append(" error: not root (user $(id -un)) and sudo -n refused: $(printf '%s' \"$e\" | head -n 1)\" >&2; exit 92; fi; ");
        sb.Append("else echo \"").Append(Marker).Append(" error: not root (user $(id -un)) and sudo is not installed\" >&2; exit 92; fi; ");
    }

    /// <summary>The one-line program that stops a copy-mode run after the local side lost it (Ctrl-C):
    /// TERM to its shell (whose trap stops the collector and removes the directory), then the directory.</summary>
    public static string Cleanup(int pid, string? dir)
    {
        var sb = new StringBuilder();
        sb.Append("kill -TERM ").Append(pid.ToString(CultureInfo.InvariantCulture)).Append(" 2>/dev/null; ");
        if (dir is not null)
            sb.Append("i=0; while [ -d ").Append(Shell.Quote(dir)).Append(" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; rm -rf ")
              .Append(Shell.Quote(dir)).Append("; ");
        sb.Append("exit 0");
        return sb.ToString();
    }
}
