using NetSleuth.Import;
using NetSleuth.Render;
using NetSleuth.Topology;

namespace NetSleuth.Cli.Commands;

/// <summary>`netsleuth topology INPUT...`: links the hosts of the inputs and draws the graph.</summary>
internal sealed class TopologyCommand : CliCommand
{
    private static readonly string[] Formats = ["text", "json", "dot", "svg", "mermaid", "html"];

    public override string Name => "topology";
    public override string Summary => "link hosts into one graph and draw it (text, JSON, DOT, SVG, Mermaid, HTML)";
    public override string Usage => "[options] [HOST=]INPUT...";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Format(Formats),
        new("focus", "IP|HOST:DEVICE|HOST:NETNS:DEVICE", "keep only what a packet to this address or device can touch"),
        Output,
    ];

    public override string? Details => """
        Links veth pairs, bridge and OVS ports, tc mirred redirects, VXLAN tunnels across hosts and
        shared underlay subnets, and lists every assumption it made and every end it could not resolve
        (text: a section at the end; DOT/SVG: the legend; JSON: "assumptions").
        svg needs Graphviz (apt-get install graphviz); html draws its own picture, one self-contained file.

        Examples:
          netsleuth topology worker=worker.json podvm=podvm.json
          netsleuth topology --format svg -o peer-pods.svg worker.json podvm.json
          netsleuth topology --focus 198.18.2.46 node.json
          netsleuth topology --focus worker:wkpod:eth0 --format mermaid worker.json
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        var format = args.GetChoice("format", "text", Formats);
        if (args.Positionals.Count == 0) throw new UsageException("no input given (snapshot files, [HOST=]PATH)");
        var snapshot = InputLoader.Load(args.Positionals);
        foreach (var w in snapshot.Warnings) ctx.Warn(w.ToString());
        foreach (var h in snapshot.Hosts)
        foreach (var w in h.Warnings)
            ctx.Warn($"{h.Name}: {w}");

        var topology = Linker.Link(snapshot);
        FocusResult? focus = null;
        if (args.Get("focus") is { } spec)
        {
            try { focus = Focus.Select(topology, spec); }
            catch (FocusException e) { throw new UsageException(e.Message); }
        }
        var view = TopologyView.Create(topology, focus);
        string text;
        try
        {
            text = format switch
            {
                "json" => JsonTopologyRenderer.Render(view),
                "dot" => DotTopologyRenderer.Render(view),
                "svg" => SvgTopologyRenderer.Render(view),
                "mermaid" => MermaidTopologyRenderer.Render(view),
                "html" => HtmlReport.Topology(view, VersionInfo.Version),
                _ => TextTopologyRenderer.Render(view),
            };
        }
        catch (GraphvizMissingException e)
        {
            throw new UsageException(e.Message);
        }
        ctx.WriteOutput(args, text);
        return ExitCodes.Ok;
    }
}
