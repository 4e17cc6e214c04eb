using NetSleuth.Model;

namespace NetSleuth.Import.Iproute2;

/// <summary>
/// `ip -br link` / `ip -br addr` (ipaddress.c, brief mode): name[@peer], operstate, then a MAC and flags
/// (link) or the addresses (addr):
/// <code>
/// eth0@if6         UP             0a:58:0a:84:02:2e &lt;BROADCAST,MULTICAST,UP,LOWER_UP&gt;
/// eth0@if6         UP             198.18.2.46/23 fe80::858:aff:fe84:22e/64
/// tun0             DOWN           198.18.80.1 peer 198.18.80.2/32
/// </code>
/// Brief output has no ifindex: links found here keep Index 0 until another output names it.
/// </summary>
internal static class IpBriefParser
{
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        bool any = false;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var w = Facts.Words(output.Lines[i]);
            if (w.Length < 2 || Facts.IsToolError(output.Lines[i])) continue;
            var at = output.At(i);
            var (name, parent) = IpLinkParser.SplitName(w[0]);
            var link = Facts.GetOrAddLink(ns, null, name, at);
            any = true;
            if (parent is not null) IpLinkParser.ApplyParent(link, parent);
            link.OperState = w[1];
            for (int k = 2; k < w.Length; k++)
            {
                if (w[k].StartsWith('<') && w[k].EndsWith('>'))
                    link.Flags = w[k][1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
                else if (MacAddress.TryParse(w[k], out var mac)) link.Mac = mac;
                else if (w[k] == "peer" && k + 1 < w.Length && link.Addresses.Count > 0 && IpPrefix.TryParse(w[++k], out var peer))
                    link.Addresses[^1].Peer = peer;
                else if (IpPrefix.TryParse(w[k], out var p))
                {
                    if (link.Addresses.All(a => a.Prefix != p)) link.Addresses.Add(new IfAddress { Prefix = p, Source = at });
                }
                else log.Warn(at, $"unrecognised word '{w[k]}' in brief output");
            }
            // `ip -br a` prints no flags: the flags stay unknown, and Link.IsUp reads the operstate
        }
        if (any && !args.Selects())
        {
            Facts.MarkKnown(output, ns, Sections.Links);
            if (args.Object == "address" && !args.V4 && !args.V6) Facts.MarkKnown(output, ns, Sections.Addresses);
        }
    }
}
