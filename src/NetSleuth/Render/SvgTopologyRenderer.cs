using NetSleuth.Util;

namespace NetSleuth.Render;

/// <summary>Graphviz is needed for SVG and is not installed.</summary>
public sealed class GraphvizMissingException(string message) : Exception(message);

/// <summary>The graph is too large for Graphviz to lay out in reasonable time; the message says what to do instead.</summary>
public sealed class GraphTooLargeException(string message) : Exception(message);

/// <summary>SVG through Graphviz: the DOT rendering piped through `dot -Tsvg`.</summary>
public static class SvgTopologyRenderer
{
    public const string DotProgram = "dot";

    /// <summary>DOT lines (nodes, edges, labels) above which no picture is attempted: 2,300 lines take
    /// Graphviz 3 s here, 18,700 more than 100 s.</summary>
    public const int MaxDotLines = 6000;

    /// <summary>How long Graphviz may take before the picture is given up.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Hint = "draw a part of it with --focus IP|HOST:DEVICE, or use --format text|json|dot";

    public static bool DotAvailable => Proc.Exists(DotProgram);

    public static string Render(TopologyView v)
    {
        var dot = DotTopologyRenderer.Render(v);
        int lines = dot.AsSpan().Count('\n');
        if (lines > MaxDotLines)
            throw new GraphTooLargeException(
                $"the graph is too large for a picture ({v.Hosts.Count} hosts, {lines:N0} DOT lines; Graphviz would take minutes): {Hint}");
        return RenderDot(dot, "svg");
    }

    /// <summary>Runs `dot -T<paramref name="format"/>` on DOT text (svg, png, …) and returns its output as text.</summary>
    public static string RenderDot(string dot, string format)
    {
        if (!DotAvailable)
            throw new GraphvizMissingException(
                "Graphviz 'dot' is not installed: install it (Debian/Ubuntu: apt-get install graphviz), or use --format dot");
        var r = Proc.Run(DotProgram, ["-T" + format], stdin: dot, timeout: Timeout);
        if (r.ExitCode == 124)
            throw new GraphTooLargeException($"Graphviz did not finish the picture within {Timeout.TotalSeconds:F0} s: {Hint}");
        if (!r.Ok)
            throw new GraphTooLargeException($"dot -T{format} failed (exit {r.ExitCode}): {r.Stderr.Trim()}; {Hint}");
        return r.Stdout;
    }
}
