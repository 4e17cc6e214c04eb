using NetSleuth.Import.Ovs;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovn;

/// <summary>
/// Reads `ovn-sbctl show`: each chassis with its hostname, its tunnel endpoints (Encap TYPE, ip, options) and the
/// logical ports bound on it. Names are quoted when they are not plain words (OVN-Kubernetes' UUID chassis names).
/// <code>
/// Chassis node2
///     hostname: node2
///     Encap geneve
///         ip: "203.0.113.2"
///         options: {csum="true"}
///     Port_Binding k8s-node2
///     Port_Binding default_web
/// </code>
/// Lines of other rows (`Chassis_Private`, gateway ports) are kept out with a warning naming the line.
/// </summary>
internal static class OvnSbctlShowParser
{
    public static bool Matches(IReadOnlyList<string> argv) => OvnNbctl.Words(argv, "ovn-sbctl") is { Count: 1 } w && w[0] == "show";

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        OvnState? state = null;
        OvnChassis? chassis = null;
        OvnEncap? encap = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            var t = line.Trim();
            if (t.Length == 0) continue;
            int indent = line.Length - line.TrimStart().Length;
            if (indent == 0)
            {
                encap = null;
                chassis = null;
                if (!t.StartsWith("Chassis ", StringComparison.Ordinal) || Word(t[8..]) is not { } name)
                {
                    log.Warn(output, i, $"ovn-sbctl show: not a Chassis line: '{OvsVsctlShowParser.Short(t)}'");
                    continue;
                }
                state ??= OvnNbctl.State(ns, output.At(i));
                state.SbDb ??= OvnNbctl.Db(output.Argv);
                chassis = state.Chassis.FirstOrDefault(c => c.Name == name);
                if (chassis is null) state.Chassis.Add(chassis = new OvnChassis { Name = name, Source = output.At(i) });
                continue;
            }
            if (chassis is null) continue;
            if (t.StartsWith("Encap ", StringComparison.Ordinal))
            {
                chassis.Encaps.Add(encap = new OvnEncap { Type = Word(t[6..]) ?? t[6..].Trim(), Source = output.At(i) });
                continue;
            }
            if (t.StartsWith("Port_Binding ", StringComparison.Ordinal))
            {
                encap = null;
                if (Word(t[13..]) is { } port && !chassis.PortBindings.Contains(port)) chassis.PortBindings.Add(port);
                continue;
            }
            int colon = t.IndexOf(':');
            if (colon <= 0)
            {
                log.Warn(output, i, $"ovn-sbctl show: not read: '{OvsVsctlShowParser.Short(t)}'");
                continue;
            }
            var key = t[..colon];
            var value = t[(colon + 1)..];
            if (!OvsdbDatum.TryParseText(value, out var datum))
            {
                log.Warn(output, i, $"ovn-sbctl show: cannot read the {key} of chassis {chassis.Name}");
                continue;
            }
            if (encap is not null && key == "ip") encap.Ip = datum.Single;
            else if (encap is not null && key == "options" && datum.IsMap) encap.Options = datum.ToDictionary();
            else if (encap is null && key == "hostname") chassis.Hostname = datum.Single;
        }
    }

    // `node2` or `"af8ff0c8-…"` → the name
    private static string? Word(string text) =>
        OvsdbDatum.TryParseText(text, out var d) && d.Single is { Length: > 0 } s ? s : null;
}
