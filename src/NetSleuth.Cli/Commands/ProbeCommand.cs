using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSleuth.Collect;
using NetSleuth.Forwarding;
using NetSleuth.Lab;
using NetSleuth.Model;
using NetSleuth.Probe;

namespace NetSleuth.Cli.Commands;

/// <summary>
/// <c>netsleuth probe --from [HOST:]NS --to IP</c>: the model's trace of one packet beside the kernel's own
/// account of it (tracefs: the devices passed, kfree_skb's drop reason), from one real probe.
/// </summary>
internal sealed class ProbeCommand : CliCommand
{
    private static int _sequence;

    public override string Name => "probe";
    public override string Summary => "send one real probe and show the model's trace beside the kernel's path and drop reason (root)";
    public override string Usage => "--from [HOST:]NS --to IP [--proto icmp|udp|tcp] [--dport N] [--size N] [--lab P]";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "[HOST:]NS", "the namespace the probe is sent from (a name under /run/netns, 'root'; with --lab a host and a role or name)"),
        new("to", "IP", "destination address"),
        new("proto", "icmp|udp|tcp", "icmp (ping, default), udp (one datagram) or tcp (a connection attempt)"),
        new("dport", "N", "destination port for udp/tcp"),
        new("size", "BYTES", "IP packet size, sent with DF like ping -M do (default 84)"),
        new("lab", "P", "the hosts are those of lab P (netsleuth lab up): each is collected with its own namespaces"),
    ];

    public override string Details => """
        Collects this machine (or the lab's hosts), traces the packet in the model, then sends exactly that
        one probe from the namespace (ping -c 1; a UDP datagram; a TCP connection attempt) while a tracefs
        instance records skb:kfree_skb (the drop reason, kernel 5.17+), net:netif_receive_skb and
        net:net_dev_queue (the devices the packet passed). tracefs is mounted in a private mount namespace;
        the instance (instances/netsleuth-probe-N-PID) is removed when the probe ends, on Ctrl-C or kill too,
        and one left by a killed run is removed by the next. Nothing else is changed.

        Exit status: 0 the model and the kernel agree, 3 they differ (or the model cannot decide),
        1 tracefs or the tracepoints are not available, 2 bad usage.

        Example (the lab's mission fault):
          sudo netsleuth lab up peer-pods --fault mac-mismatch
          sudo netsleuth probe --lab nsl --from worker:wk --to 198.18.2.46
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var from = args.Get("from") ?? throw new UsageException("--from [HOST:]NS is required");
        var toText = args.Get("to") ?? throw new UsageException("--to IP is required");
        if (!IPAddress.TryParse(toText, out var to) || to.AddressFamily != AddressFamily.InterNetwork || toText.Count(c => c == '.') != 3)
            throw new UsageException($"--to wants an IPv4 address, not '{toText}'");
        var proto = args.GetChoice("proto", Protocols.Icmp, Protocols.Icmp, Protocols.Udp, Protocols.Tcp);
        var dport = args.GetInt("dport", 1, 65535);
        if (proto == Protocols.Icmp && dport is not null) throw new UsageException("--dport applies to udp and tcp only");
        if (proto != Protocols.Icmp && dport is null) throw new UsageException($"--proto {proto} needs --dport");
        int size = args.GetInt("size", 28, 65535) ?? 84;
        var labPrefix = args.Get("lab");
        if (!Environment.IsPrivilegedProcess)
        {
            ctx.Err.WriteLine("netsleuth: probe needs root (it enters namespaces, sends a packet and reads tracefs); run it with sudo");
            return ExitCodes.BadInput;
        }

        // where from: a host of the lab and its namespace, or a namespace of this machine
        var (snapshot, hostName, netns, nsName) = labPrefix is null ? Machine(from) : LabHosts(labPrefix, from);
        var topology = Topology.Linker.Link(snapshot);
        var request = new TraceRequest(hostName, nsName, null, to) { Protocol = proto, DestinationPort = dport, Size = size, DontFragment = true };
        TraceResult model;
        try { model = Tracer.Trace(topology, request); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }

        var devices = new HashSet<string>(StringComparer.Ordinal);
        var namespaces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in snapshot.Hosts)
            foreach (var ns in h.Namespaces)
            {
                namespaces.Add(ns.DisplayName);
                foreach (var l in ns.Links) if (!l.IsLoopback) devices.Add(l.Name);
            }

        var spec = new ProbeSpec(netns, to, proto, dport, size, true);
        KernelTrace trace;
        // netsleuth-probe-N-PID: the last part says whose it is, so the next run can tell a stale one
        try { trace = KernelTrace.Start($"netsleuth-probe-{Interlocked.Increment(ref _sequence)}-{Environment.ProcessId}", stalePrefix: "netsleuth-probe-"); }
        catch (KernelTraceUnavailableException e)
        {
            ctx.Err.WriteLine($"netsleuth: {e.Message}; the model's trace alone: netsleuth trace (on a collect of this machine)");
            return ExitCodes.Internal;
        }
        // Ctrl-C / kill: close the helper's input, so it turns tracing off and removes the instance
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => trace.Dispose());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => trace.Dispose());
        ProbeOutcome kernel;
        IReadOnlyList<KernelEvent> events;
        try
        {
            kernel = ProbeSender.Send(spec, listenNetns: null, count: 1, wait: TimeSpan.FromSeconds(1));
            // a neighbour that is never answered fails after mcast_solicit × retrans_time (3 s by default)
            Thread.Sleep(model.Forward.Disposition == Disposition.NeighborUnreachable || model.Reply?.Disposition == Disposition.NeighborUnreachable ? 3300 : 300);
            events = trace.Stop();
        }
        finally { trace.Dispose(); }
        foreach (var w in trace.Warnings) ctx.Warn(w);
        var path = KernelPath.From(events, devices, KernelPath.LengthsFor(proto, size));
        var cmp = ProbeComparison.Of(model, kernel, path, namespaces);

        var o = ctx.Out;
        o.WriteLine($"probe:  {proto}{(dport is { } p ? "/" + p : "")} from {hostName}:{nsName ?? "root"} to {to}, {size} bytes, DF");
        o.WriteLine($"model:  {Describe(model, cmp)}");
        var shown = cmp.Failed ?? model.Forward;
        o.WriteLine($"        path {ProbeComparison.DevicesText(model.Forward)}" + (model.Reply is { } rep ? $"; reply {ProbeComparison.DevicesText(rep)}" : ""));
        o.WriteLine($"kernel: {(kernel.Answered ? "answered" : "no answer")}" + (cmp.Path?.Drop is { } d ? $"; {d}" : "; no drop reported") + $" ({kernel.Detail})");
        o.WriteLine($"        path {path.DevicesText}");
        o.WriteLine(cmp.Agreement switch
        {
            Agreement.Agree => "agree",
            Agreement.Undecided => $"undecided: {cmp.Note}",
            _ => $"differ: {cmp.Note}",
        });
        if (cmp.Agreement != Agreement.Agree && shown is not null) o.WriteLine("\n" + TraceText.Render(model));
        return cmp.Agreement == Agreement.Agree ? ExitCodes.Ok : ExitCodes.ProblemFound;
    }

    private static string Describe(TraceResult model, ProbeComparison cmp) => cmp.Failed is { } f
        ? $"dropped at {f.At ?? "?"} ({(f == model.Forward ? "request" : "reply")}), {f.Disposition}" +
          (DropReasons.For(f.Disposition) is { Count: > 0 } r ? $" = kfree_skb {string.Join("|", r)}" : "") + $": {f.Reason}"
        : "delivered both ways";

    /// <summary>This machine, whole: FROM is a namespace name (or "root"), optionally after "HOST:".</summary>
    private static (Snapshot, string, string?, string?) Machine(string from)
    {
        var parts = from.Split(':');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0)) throw new UsageException($"--from wants [HOST:]NS, not '{from}'");
        var ns = parts[^1];
        var host = LiveCollector.CollectHost(new CollectOptions { HostName = parts.Length == 2 ? parts[0] : null });
        bool root = ns == "root";
        if (!root && !File.Exists(System.IO.Path.Combine("/run/netns", ns)))
            throw new UsageException($"no network namespace '{ns}' (ip netns list shows the names)");
        return (new Snapshot { Hosts = [host] }, host.Name, root ? null : ns, root ? null : ns);
    }

    /// <summary>The hosts of lab PREFIX; FROM is HOST[:ROLE|:NETNS] (the host's root stand-in when no namespace is given).</summary>
    private static (Snapshot, string, string?, string?) LabHosts(string prefix, string from)
    {
        LabInstance lab;
        try { lab = LabBuilder.Open(prefix); }
        catch (LabException e) { throw new UsageException(e.Message); }
        var parts = from.Split(':');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0)) throw new UsageException($"--from wants HOST[:ROLE] with --lab, not '{from}'");
        var host = lab.Hosts.FirstOrDefault(h => h.Name == parts[0])
            ?? throw new UsageException($"lab {prefix} has no host '{parts[0]}' (hosts: {string.Join(", ", lab.Hosts.Select(h => h.Name))})");
        string netns = parts.Length == 1 ? host.RootNamespace
            : host.Namespaces.Contains(parts[1]) ? parts[1]
            : host.Namespaces.Contains(lab.Ns(parts[1])) ? lab.Ns(parts[1])
            : throw new UsageException($"lab host {host.Name} has no namespace '{parts[1]}' (it has: {string.Join(", ", host.Namespaces)})");
        var snap = new Snapshot
        {
            Hosts = lab.Hosts.Select(h => LiveCollector.CollectHost(new CollectOptions
            {
                HostName = h.Name, RootNamespace = h.RootNamespace, Namespaces = [.. h.Others], Origin = "lab",
                OvsDb = h.OvsDb is { } db && db.StartsWith("unix:", StringComparison.Ordinal) ? db["unix:".Length..] : h.OvsDb,
            })).ToList(),
        };
        return (snap, host.Name, netns, netns == host.RootNamespace ? null : netns);
    }
}
