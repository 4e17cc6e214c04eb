using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// Reads the ovs-vsctl commands that tell which bridge a port is on:
/// <code>
/// # ovs-vsctl list-ports br-int        # ovs-vsctl port-to-br ovn-k8s-mp0     # ovs-vsctl iface-to-br ovn-k8s-mp0
/// 8b7266486ea2861                      br-int                                 br-int
/// ovn-k8s-mp0
/// </code>
/// `list-ports` names ports (each with its interface of the same name, as OVN and most tools make
/// them); `port-to-br` / `iface-to-br` name the bridge of the port or interface on the command line.
/// An error line ("ovs-vsctl: no port named X") is reported, not read.
/// </summary>
internal static class OvsVsctlPortsParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        OvsCommand.Parse(argv) is { Tool: "ovs-vsctl", IsJson: false } c && c.Word(0) is "list-ports" or "port-to-br" or "iface-to-br" && c.Word(1).Length > 0;

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = OvsCommand.Parse(output.Argv)!;
        var state = OvsBuilder.State(ns, output.At(0));
        var named = cmd.Word(1);
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var word = output.Lines[i].Trim();
            if (word.Length == 0) continue;
            if (word.StartsWith("ovs-vsctl: ", StringComparison.Ordinal))
            {
                log.Warn(output, i, $"'{output.CommandText}' printed an error: {OvsVsctlShowParser.Short(word)}");
                continue;
            }
            if (word.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || word.Length > 255)
            {
                log.Warn(output, i, $"ovs-vsctl {cmd.Word(0)}: not a name: '{OvsVsctlShowParser.Short(word)}'");
                continue;
            }
            var at = output.At(i);
            var (bridge, port) = cmd.Word(0) == "list-ports" ? (named, word) : (word, named);
            var br = OvsBuilder.Bridge(state, bridge, at);
            if (cmd.Word(0) == "iface-to-br")
            {
                // the interface's port is not named: find it, else a port of the same name
                if (br.Ports.Any(p => p.Interfaces.Any(f => f.Name == port))) continue;
                var p0 = OvsBuilder.Port(state, br, port, at);
                if (p0.Interfaces.Count == 0) OvsBuilder.Interface(state, p0, port, at);
                continue;
            }
            var p = OvsBuilder.Port(state, br, port, at);
            if (p.Interfaces.Count == 0) OvsBuilder.Interface(state, p, port, at);
            state.AbsentPorts.RemoveAll(a => a.Bridge == bridge && a.Port == port);
            if (cmd.Word(0) != "list-ports") break; // one answer
        }
    }
}
