using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads `ovs-vsctl list-br`: one bridge name per line.
/// <code>
/// br-ex
/// br-int
/// </code>
/// </summary>
internal static class OvsVsctlListBrParser
{
    public static bool Matches(IReadOnlyList<string> argv) => OvsCommand.Parse(argv) is { Tool: "ovs-vsctl" } c && c.Word(0) == "list-br";
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var state = OvsBuilder.State(ns, output.At(0));
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var name = output.Lines[i].Trim();
            if (name.Length == 0) continue;
            if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || name.Length > 255)
            {
                log.Warn(output, i, $"ovs-vsctl list-br: not a bridge name: '{OvsVsctlShowParser.Short(name)}'");
                continue;
            }
            OvsBuilder.Bridge(state, name, output.At(i));
        }
    }
}
