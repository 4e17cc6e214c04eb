using System.Net;
using System.Net.Sockets;
using NetSleuth.Forwarding;
using NetSleuth.Import;
using NetSleuth.Topology;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth trace`: walk one packet and its reply through the linked snapshots.</summary>
internal sealed class TraceCommand : CliCommand
{
    public override string Name => "trace";
    public override string Summary => "walk a packet hop by hop through the snapshots, then its reply";
    public override string Usage => "INPUT... --from HOST[:NETNS[:DEVICE]] --to IP [options]";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "HOST[:NETNS[:DEVICE]]", "where the packet is sent from (a namespace of a host; DEVICE binds like ping -I)"),
        new("to", "IP", "destination address"),
        new("src", "IP", "source address (default: chosen like the kernel does)"),
        new("proto", "icmp|tcp|udp", "protocol (default icmp, an echo request)"),
        new("dport", "N", "destination port for tcp/udp"),
        new("sport", "N", "source port for tcp/udp (default: one the trace picks; an `ip rule sport` is then undecided)"),
        new("uid", "N", "uid of the sending socket (for `ip rule uidrange`; default: not known)"),
        new("size", "BYTES", "IP packet size, sent with DF like ping -M do (default 84 = ping -s 56)"),
        new("what-if", "FILE", "trace on a copy of the model with the shell commands in FILE applied (as diagnose --what-if), and say what changed"),
        Format("text", "json", "html"),
        Output,
    ];

    public override string Details => """
        Follows the packet the way the kernel would: policy rules and routes, neighbour entries (or
        ARP across the L2 domain), veth pairs, bridges, tc mirred redirects, VXLAN tunnels between the
        hosts given, the "frame not for this MAC" drop, rp_filter, ip_forward, iptables/nftables and
        MTU. After delivery it traces the reply. Where the input does not say what happens, the trace
        ends InsufficientInfo and names the command to run.

        --format html writes one self-contained page: the path on a picture of the topology, each step.
        INPUT is as for import ('-' is standard input).
        Exit status: 0 delivered both ways, 3 not delivered, 2 bad usage or input.

        Examples (on the bundled example):
          netsleuth trace examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --from worker --to 198.18.2.46
          netsleuth trace examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --from worker:nimp31f392-wkpod --to 198.18.2.1 --format json
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count == 0) throw new UsageException("give at least one INPUT (a snapshot file)");
        var from = args.Get("from") ?? throw new UsageException("--from HOST[:NETNS[:DEVICE]] is required");
        var to = ParseIp(args.Get("to") ?? throw new UsageException("--to IP is required"), "to");
        var parts = from.Split(':');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0)) throw new UsageException($"--from wants HOST[:NETNS[:DEVICE]], not '{from}'");
        var proto = args.GetChoice("proto", Protocols.Icmp, Protocols.Icmp, Protocols.Tcp, Protocols.Udp);
        var dport = args.GetInt("dport", 1, 65535);
        if (proto == Protocols.Icmp && dport is not null) throw new UsageException("--dport applies to tcp and udp only");
        if (proto != Protocols.Icmp && dport is null) throw new UsageException($"--proto {proto} needs --dport");
        var sport = args.GetInt("sport", 1, 65535);
        if (proto == Protocols.Icmp && sport is not null) throw new UsageException("--sport applies to tcp and udp only");
        var format = args.GetChoice("format", "text", "text", "json", "html");
        var request = new TraceRequest(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null, to)
        {
            Source = args.Get("src") is { } s ? ParseIp(s, "src") : null,
            Protocol = proto,
            DestinationPort = dport,
            SourcePort = sport,
            Uid = args.GetInt("uid", 0) is { } uid ? (uint)uid : null,
            Size = args.GetInt("size", 28, 65535) ?? 84,
        };

        var snapshot = CliInputs.Load(args.Positionals, ctx);
        var topology = Linker.Link(snapshot);
        TraceResult result;
        try { result = Tracer.Trace(topology, request); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (args.Get("what-if") is { } whatIf)
        {
            if (format == "html") throw new UsageException("--what-if writes text or json");
            string text;
            try { text = File.ReadAllText(whatIf); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--what-if: cannot read {whatIf}: {e.Message}"); }
            var script = NetSleuth.WhatIf.CommandInterpreter.Read(text, whatIf, snapshot);
            var copy = NetSleuth.WhatIf.ModelCopy.Apply(snapshot, script);
            var after = Linker.Link(copy.Result);
            TraceResult changed;
            try { changed = Tracer.Trace(after, request); }
            catch (ArgumentException e) { throw new UsageException("after the what-if commands: " + e.Message); }
            string Verdict(TraceResult r) => r.Delivered ? "delivered both ways"
                : !r.Forward.Delivered ? $"{r.Forward.Disposition}" + (r.Forward.At is { } at ? $" at {at}" : "")
                : $"reply {r.Reply?.Disposition}" + (r.Reply?.At is { } ra ? $" at {ra}" : "");
            var nm = script.NotModelled.ToList();
            if (format == "json")
            {
                var doc = System.Text.Json.Nodes.JsonNode.Parse(TraceJson.Serialize(changed))!.AsObject();
                doc["whatIf"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["file"] = whatIf, ["before"] = Verdict(result), ["after"] = Verdict(changed),
                    ["notModelled"] = new System.Text.Json.Nodes.JsonArray(nm.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                        { ["source"] = c.Source.ToString(), ["command"] = c.Text, ["why"] = c.NotModelled }).ToArray()),
                };
                ctx.WriteOutput(args, doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            }
            else
            {
                var sb = new System.Text.StringBuilder();
                sb.Append($"what-if {whatIf}: {script.Commands.Count - nm.Count} command(s) applied to a copy of the model\n");
                foreach (var c in nm) sb.Append($"  NOT MODELLED {c.Source}: {c.Text}\n    {c.NotModelled}\n");
                sb.Append($"before: {Verdict(result)}\nafter:  {Verdict(changed)}\n\n");
                ctx.WriteOutput(args, sb + TraceText.Render(changed));
            }
            return changed.Delivered ? ExitCodes.Ok : ExitCodes.ProblemFound;
        }
        ctx.WriteOutput(args, format switch
        {
            "json" => TraceJson.Serialize(result),
            "html" => Render.HtmlReport.Trace(result, topology, VersionInfo.Version),
            _ => TraceText.Render(result),
        });
        return result.Delivered ? ExitCodes.Ok : ExitCodes.ProblemFound;
    }

    private static IPAddress ParseIp(string text, string option) =>
        IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? a
            : throw new UsageException($"--{option} wants an IPv4 address, not '{text}'");
}
