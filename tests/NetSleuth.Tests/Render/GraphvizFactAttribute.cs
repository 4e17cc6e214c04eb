using NetSleuth.Render;

namespace NetSleuth.Tests.Render;

/// <summary>A fact that needs Graphviz `dot`; skipped with the reason when it is not installed (CI installs it).</summary>
public sealed class GraphvizFactAttribute : FactAttribute
{
    public GraphvizFactAttribute()
    {
        if (!SvgTopologyRenderer.DotAvailable)
            Skip = "Graphviz 'dot' is not installed (apt-get install graphviz; scripts/install-deps does it, CI has it)";
    }
}
