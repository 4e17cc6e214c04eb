using NetSleuth.Util;

namespace NetSleuth.Render;

/// <summary>Graphviz is needed for SVG and is not installed.</summary>
public sealed class GraphvizMissingException(string message) : Exception(message);

/// <summary>SVG through Graphviz: the DOT rendering piped through `dot -Tsvg`.</summary>
public static class SvgTopologyRenderer
{
    public const string DotProgram = "dot";

    public static bool DotAvailable => Proc.Exists(DotProgram);

    public static string Render(TopologyView v) => RenderDot(DotTopologyRenderer.Render(v), "svg");

    /// <summary>Runs `dot -T<paramref name="format"/>` on DOT text (svg, png, …) and returns its output as text.</summary>
    public static string RenderDot(string dot, string format)
    {
        if (!DotAvailable)
            throw new GraphvizMissingException(
                "Graphviz 'dot' is not installed: install it (Debian/Ubuntu: apt-get install graphviz), or use --format dot");
        var r = Proc.Run(DotProgram, ["-T" + format], stdin: dot, timeout: TimeSpan.FromSeconds(120));
        if (!r.Ok)
            throw new InvalidOperationException($"dot -T{format} failed (exit {r.ExitCode}): {r.Stderr.Trim()}");
        return r.Stdout;
    }
}
