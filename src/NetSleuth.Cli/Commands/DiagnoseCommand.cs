using System.Net;
using NetSleuth.Diagnosis;
using NetSleuth.Import;
using NetSleuth.Render;
using NetSleuth.Topology;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth diagnose INPUT...`: runs the check catalogue and prints findings, most severe first.</summary>
internal sealed class DiagnoseCommand : CliCommand
{
    public override string Name => "diagnose";
    public override string Summary => "find what breaks the network, with evidence and the commands that fix it";
    public override string Usage => "[options] [HOST=]INPUT...";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "HOST[:NS]", "trace this one path (with --to) instead of every pod address from its host"),
        new("to", "IP", "destination of the path to trace (with --from)"),
        new("what-if", "FILE", "apply the shell commands in FILE (ip, bridge, tc, sysctl, iptables, nft) to a copy of the model and report what changes"),
        new("fix-script", "FILE", "also write every finding's fix commands to FILE, as a shell script per host (--what-if reads it back)"),
        new("search-budget", "SECONDS", "time for the counterfactual search of fixes for broken paths no check explains (default 10; 0 = no search)"),
        Format("text", "json", "html"),
        Output,
    ];

    public override string? Details =>
        """
        Runs every check of the fault catalogue over the linked hosts: tunnel-end MAC mismatch, tc
        redirects, VXLAN VNI/port/remote, MTU, firewall drops, down links, routes, neighbours,
        duplicate addresses, forwarding, rp_filter, veth peers, bridge ports, underlay routes. Then it
        traces every pod address (an address in a non-root namespace) from its host's root namespace,
        and each pod's way out (to its node, its gateway, a pod of another host), and attributes each
        broken path to its root cause; a broken path no check explains, or one the input cannot
        decide, is a finding of its own that says where and what to collect. Findings give the objects and input lines
        they rest on and the commands that fix them, per host and namespace.

        Every fix is also applied to a copy of the model, linked and traced again: the finding says
        "verified in the model: restores N of N broken paths, breaks 0 working ones", or why it is
        unverified (a command the model does not take, a path still broken).

        A broken path that no check explains is searched for a fix (counterfactual search): candidate
        edits near where the packet dies (a neighbour's MAC, a device up, a route, a sysctl, a firewall
        rule deleted, a tc redirect, a veth or VXLAN device recreated, …), each applied to a copy of the
        model and traced again; the best three that restore paths and break none are shown (the search
        stops at a one-command edit that restores every path: nothing can rank above it). Bounded by
        60 candidates and --search-budget SECONDS (default 10) for all such findings; it says when it
        gave up. --search-budget 0 switches it off.

        --what-if FILE applies the commands in FILE (as diagnose prints them, or as you would type them:
        `ip [-n NS] link|addr|route|rule|neigh …`, `bridge fdb …`, `tc qdisc|filter …`, `sysctl -w …`,
        `iptables -D|-I|-A …`, `nft delete rule … handle N`, under `ip netns exec`/`nsenter`; the host
        from `HOST: command`, a `# host: HOST` line or `ssh HOST '…'`) to a copy of the model, then
        prints the paths whose verdict changed, the findings gone and new, and the diagnosis after
        them. A command the model cannot take is listed, never ignored; a syntax error or an unknown
        host, namespace or device is an error naming FILE:LINE, and nothing is applied.

        --format html writes one self-contained page (no network access when opened): where the packet
        dies on a picture of the topology, each broken path's trace, the findings with their fix commands.

        INPUT is as for import ('-' is standard input). Input warnings: the first 10 on standard
        error (text format), with the command that shows them all.
        Exit status: 0 no error finding and no broken path, 3 an error finding or a broken path,
        2 bad usage or input (also: nothing could be read from the inputs).

        Examples (on the bundled example):
          netsleuth diagnose examples/peer-pods/worker.txt examples/peer-pods/podvm.txt
          netsleuth diagnose examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --from worker --to 198.18.2.46 --format json
          netsleuth diagnose examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --format html -o report.html
          netsleuth diagnose examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --fix-script fix.sh
          netsleuth diagnose examples/peer-pods/worker.txt examples/peer-pods/podvm.txt --what-if fix.sh
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        if (args.Positionals.Count == 0) throw new UsageException("diagnose needs at least one INPUT");
        var format = args.GetChoice("format", "text", "text", "json", "html");
        Reachability.Request? request = null;
        if (args.Get("from") is { } from)
        {
            if (args.Get("to") is not { } toText) throw new UsageException("--from needs --to IP");
            if (!IPAddress.TryParse(toText, out var to)) throw new UsageException($"--to wants an IP address, not '{toText}'");
            int colon = from.IndexOf(':');
            request = new Reachability.Request(colon < 0 ? from : from[..colon], colon < 0 ? null : from[(colon + 1)..], to);
        }
        else if (args.Has("to")) throw new UsageException("--to needs --from HOST[:NS]");

        var phases = new PhaseTimings(ctx.Err);
        ctx.Progress("loading inputs…");
        var snapshot = CliInputs.Load(args.Positionals, ctx, format == "text" ? WarningList.Short : WarningList.None);
        if (request is not null && snapshot.Hosts.All(h => h.Name != request.Host) &&
            snapshot.Hosts.FirstOrDefault(h => h.Meta.Aliases.Contains(request.Host)) is { } aliased)
            request = request with { Host = aliased.Name }; // a name the prompts also gave the host
        if (request is not null && snapshot.Hosts.All(h => h.Name != request.Host))
            throw new UsageException($"--from: no host '{request.Host}' in the input (hosts: {string.Join(", ", snapshot.Hosts.Select(h => h.Name))})");
        phases.Mark("load");
        ctx.Progress("linking…");
        var topology = Linker.Link(snapshot);
        phases.Mark("link");
        ctx.Progress("diagnosing…");
        var whatIfFile = args.Get("what-if");
        string? whatIfText = null;
        if (whatIfFile is not null)
        {
            if (format == "html") throw new UsageException("--what-if writes text or json");
            try { whatIfText = File.ReadAllText(whatIfFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--what-if: cannot read {whatIfFile}: {e.Message}"); }
        }
        var searchBudget = args.GetInt("search-budget", 0, 3600);
        var report = Diagnoser.Run(topology, request, new DiagnoseOptions
        {
            VerifyFixes = whatIfFile is null,
            SearchFixes = searchBudget is not 0,
            SearchBudget = searchBudget is { } sb ? TimeSpan.FromSeconds(sb) : null,
        });
        phases.Mark("diagnose");
        phases.Details(report.Timings);
        if (args.Get("fix-script") is { } fixFile)
        {
            try { File.WriteAllText(fixFile, NetSleuth.WhatIf.FixScript.Render(report, args.Positionals)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot write {fixFile}: {e.Message}"); }
        }
        if (whatIfFile is not null)
        {
            ctx.Progress("what-if…");
            var w = NetSleuth.WhatIf.WhatIfResult.Run(whatIfFile, whatIfText!, snapshot, report, request);
            ctx.EndProgress();
            if (format == "json")
            {
                var doc = System.Text.Json.Nodes.JsonNode.Parse(DiagnosisJson.Render(w.After))!.AsObject();
                doc["whatIf"] = w.ToJson();
                ctx.WriteOutput(args, doc.ToJsonString(new System.Text.Json.JsonSerializerOptions
                {
                    WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                }) + "\n");
            }
            else ctx.WriteOutput(args, w.RenderText() + DiagnosisText.Render(w.After));
            return w.After.ProblemFound ? ExitCodes.ProblemFound : ExitCodes.Ok;
        }
        ctx.EndProgress();
        ctx.WriteOutput(args, format switch
        {
            "json" => DiagnosisJson.Render(report),
            "html" => HtmlReport.Diagnosis(report, topology, VersionInfo.Version),
            _ => DiagnosisText.Render(report),
        });
        phases.Mark("output");
        phases.Peak();
        return report.ProblemFound ? ExitCodes.ProblemFound : ExitCodes.Ok;
    }
}
