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
        svg needs Graphviz (apt-get install graphviz); a graph too large for a picture (more than a few
        thousand devices) is refused with exit 2 and a hint: draw a part with --focus.
        html draws its own picture, one self-contained file.

        INPUT is as for import ('-' is standard input). Exit status: 0, or 2 bad usage or input.

        Examples (on the bundled example):
          netsleuth topology examples/peer-pods/worker.txt examples/peer-pods/podvm.txt
          netsleuth topology --format svg -o peer-pods.svg examples/peer-pods/worker.txt examples/peer-pods/podvm.txt
          netsleuth topology --focus 198.18.2.46 examples/peer-pods/worker.txt examples/peer-pods/podvm.txt
          netsleuth topology --focus worker:nimp31f392-wkpod:eth0 --format mermaid examples/peer-pods/worker.txt examples/peer-pods/podvm.txt
        """;

    public override int Execute(ParsedArgs args, CliContext ctx)
    {
        var format = args.GetChoice("format", "text", Formats);
        if (args.Positionals.Count == 0) throw new UsageException("no input given (snapshot files, [HOST=]PATH)");
        var snapshot = CliInputs.Load(args.Positionals, ctx);

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
        catch (GraphTooLargeException e)
        {
            throw new BadInputException(e.Message);
        }
        ctx.WriteOutput(args, text);
        return ExitCodes.Ok;
    }
}
