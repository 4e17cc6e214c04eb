using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetSleuth.Util;

namespace NetSleuth.Lab;

/// <summary>
/// A lab that is up: its hosts (groups of namespaces), its documented probes, and helpers to send
/// pings and read counters inside it. Disposing takes it down (<see cref="LabBuilder.Down"/>).
/// </summary>
public sealed partial class LabInstance : IDisposable
{
    private bool _down;

    internal LabInstance(LabState state) => State = state;

    public LabState State { get; }
    public string Prefix => State.Prefix;
    public string Scenario => State.Scenario;
    public IReadOnlyList<string> Faults => State.Faults;
    public IReadOnlyList<LabHost> Hosts => State.Hosts;
    /// <summary>The documented pings with the result this lab's faults must give.</summary>
    public IReadOnlyList<LabProbe> Probes => State.Probes;

    public LabHost Host(string name) =>
        Hosts.FirstOrDefault(h => h.Name == name) ?? throw new LabException($"lab {Prefix} has no host '{name}'");

    /// <summary>The full netns name of a role of the scenario ("wkpod" → "PREFIX-wkpod").</summary>
    public string Ns(string role) => LabPaths.Ns(Prefix, role);

    public LabProbe Probe(string name) =>
        Probes.FirstOrDefault(p => p.Name == name) ?? throw new LabException($"lab {Prefix} has no probe '{name}'");

    /// <summary>
    /// Pings TARGETIP from namespace NS (a full netns name, or a host name meaning its root stand-in).
    /// Replies are waited for at most about a second per packet.
    /// </summary>
    public PingResult Ping(string ns, string targetIp, int count = 3, int payloadSize = 56, bool dontFragment = false)
    {
        var netns = Hosts.FirstOrDefault(h => h.Name == ns)?.RootNamespace ?? ns;
        var argv = PingArgs.Build(netns, targetIp, count, payloadSize, dontFragment);
        var r = Proc.Run(argv[0], argv.Skip(1), timeout: TimeSpan.FromSeconds(10 + 2 * count));
        var text = r.Stdout + r.Stderr;
        var m = PingSummary().Match(text);
        return m.Success
            ? new PingResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), text)
            : new PingResult(0, 0, text); // "connect: Network is unreachable": nothing was sent
    }

    /// <summary>
    /// Pings TOIP from FROMNS of host FROMHOST; FROMNS is a full netns name, a role ("wkpod"), or
    /// empty for the host's root stand-in.
    /// </summary>
    public PingResult Ping(string fromHost, string fromNs, string toIp, int count = 3, int payloadSize = 56, bool dontFragment = false)
    {
        var host = Host(fromHost);
        var ns = string.IsNullOrEmpty(fromNs) ? host.RootNamespace
            : host.Namespaces.Contains(fromNs) ? fromNs
            : host.Namespaces.Contains(Ns(fromNs)) ? Ns(fromNs)
            : throw new LabException($"host {fromHost} of lab {Prefix} has no namespace '{fromNs}' ({string.Join(", ", host.Namespaces)})");
        return Ping(ns, toIp, count, payloadSize, dontFragment);
    }

    /// <summary>Sends a documented probe.</summary>
    public PingResult Run(LabProbe probe, int count = 3) =>
        Ping(probe.Namespace, probe.TargetIp, count, probe.PayloadSize, probe.DontFragment);

    /// <summary>Runs a command inside namespace NS (<c>ip netns exec NS ARGS…</c>).</summary>
    public ProcResult Exec(string ns, params string[] args) => Proc.Run("ip", ["netns", "exec", ns, .. args]);

    /// <summary>Packets received by DEV in NS so far (ip -s link), or null when there is no such device.</summary>
    public long? RxPackets(string ns, string dev) => Stat(ns, dev, "rx");

    /// <summary>Packets sent by DEV in NS so far, or null when there is no such device.</summary>
    public long? TxPackets(string ns, string dev) => Stat(ns, dev, "tx");

    private long? Stat(string ns, string dev, string dir)
    {
        var r = Proc.Run("ip", "-n", ns, "-j", "-s", "link", "show", "dev", dev);
        if (!r.Ok) return null;
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement[0].GetProperty("stats64").GetProperty(dir).GetProperty("packets").GetInt64();
    }

    /// <summary>
    /// A kernel counter of namespace NS from /proc/net/snmp or /proc/net/netstat, named
    /// "GROUP.FIELD" as nstat does ("Icmp.InEchos", "Ip.OutNoRoutes", "TcpExt.IPReversePathFilter"),
    /// or null when there is no such counter.
    /// </summary>
    public long? Counter(string ns, string name)
    {
        int dot = name.IndexOf('.');
        if (dot <= 0) return null;
        var r = Proc.Run("ip", "netns", "exec", ns, "cat", "/proc/net/snmp", "/proc/net/netstat");
        return r.Ok ? SnmpCounters.Find(r.Stdout.Split('\n'), name[..dot], name[(dot + 1)..]) : null;
    }

    /// <summary>What to try: the probes and the netsleuth commands, shell-quoted.</summary>
    public string Tips()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"lab {Prefix} is up: {Scenario}{(Faults.Count > 0 ? " with " + string.Join(", ", Faults) : " (healthy)")}\n");
        foreach (var h in Hosts) sb.Append($"  host {h.Name}: {string.Join(", ", h.Namespaces)}\n");
        // what a fault changed is not printed (finding it is diagnose's job); 'lab list --format json' tells
        sb.Append("\nTry:\n");
        var shown = Probes.Take(1).Concat(Probes.Skip(1).Where(p => p.ExpectSuccess != Probes[0].ExpectSuccess));
        foreach (var p in shown)
            sb.Append($"  {p.Command}\n      expected: {(p.ExpectSuccess ? "replies" : "no reply")} — {p.Expectation}\n");
        var dir = $"/tmp/{Prefix}-snapshots";
        sb.Append($"  {Shell.Join("netsleuth", "collect", "--lab", Prefix, "-o", dir)}\n");
        sb.Append($"  netsleuth diagnose {Shell.Quote(dir)}/*.json\n");
        var first = Probes.FirstOrDefault();
        if (first is not null)
        {
            var rootOfHost = Host(first.Host).RootNamespace == first.Namespace;
            sb.Append($"  netsleuth trace {Shell.Quote(dir)}/*.json --from {Shell.Quote(rootOfHost ? first.Host : first.Host + ":" + first.Namespace)} --to {Shell.Quote(first.TargetIp)}\n");
        }
        sb.Append($"  {Shell.Join("netsleuth", "lab", "down", "--prefix", Prefix)}\n");
        return sb.ToString();
    }

    /// <summary>Takes the lab down (idempotent).</summary>
    public LabDownResult Down()
    {
        _down = true;
        return LabBuilder.Down(Prefix);
    }

    public void Dispose()
    {
        if (!_down) Down();
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex PingSummary();
}
