using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `conntrack -L` (also `-L -n`, the /proc/net/nf_conntrack form with its "ipv4 2" prefix):
/// <code>
/// tcp      6 86205 ESTABLISHED src=10.244.2.6 dst=10.0.223.224 sport=33041 dport=27017 src=10.244.1.7 dst=10.244.2.6 sport=27017 dport=33041 [ASSURED] mark=0 use=1
/// udp      17 29 src=10.244.1.5 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.244.2.9 dst=10.244.1.5 sport=53 dport=5353 mark=0 use=1
/// conntrack v1.4.6 (conntrack-tools): 364 flow entries have been shown.
/// </code>
/// The first src/dst/sport/dport are the original direction, the second the reply. IPv6 entries are skipped (the
/// tracer is IPv4); a line that cannot be read is a warning.
/// </summary>
internal static class ConntrackParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 2 && Path.GetFileName(argv[0]) == "conntrack" && argv.Skip(1).Any(a => a is "-L" or "--dump" || (a.StartsWith('-') && !a.StartsWith("--") && a.Contains('L')));

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        ns.Conntrack.Clear();
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("conntrack v", StringComparison.Ordinal) || line.StartsWith('#')) continue;
            var w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int at = 0;
            if (w[0] is "ipv4" or "ipv6") { if (w[0] == "ipv6") continue; at = 2; }
            if (w.Length < at + 3) { log.Warn(output, i, $"conntrack: cannot read '{IptablesSaveParser.Short(line)}'"); continue; }
            var proto = w[at];
            if (!int.TryParse(w[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out _)) { log.Warn(output, i, $"conntrack: cannot read '{IptablesSaveParser.Short(line)}'"); continue; }
            at += 2;
            long? timeout = null;
            if (at < w.Length && long.TryParse(w[at], NumberStyles.None, CultureInfo.InvariantCulture, out var t)) { timeout = t; at++; }
            string? state = null;
            if (at < w.Length && !w[at].Contains('=') && !w[at].StartsWith('[')) state = w[at++];
            var tuples = new List<Dictionary<string, string>>();
            var flags = new List<string>();
            uint? mark = null;
            Dictionary<string, string>? cur = null;
            bool bad = false;
            for (; at < w.Length; at++)
            {
                var word = w[at];
                if (word.StartsWith('[') && word.EndsWith(']')) { flags.Add(word[1..^1]); continue; }
                int eq = word.IndexOf('=');
                if (eq <= 0) continue;
                var k = word[..eq];
                var v = word[(eq + 1)..];
                if (k == "src")
                {
                    if (tuples.Count == 2) { cur = null; continue; } // a third src=: zone or helper data
                    cur = new Dictionary<string, string>(); tuples.Add(cur);
                }
                if (k == "mark") { if (uint.TryParse(v, out var mv)) mark = mv; cur = null; continue; }
                if (cur is not null && k is "src" or "dst" or "sport" or "dport" or "type" or "code" or "id") cur[k] = v;
            }
            if (tuples.Count != 2 || Tuple(tuples[0]) is not { } orig || Tuple(tuples[1]) is not { } reply) bad = true;
            else
            {
                if (orig.Src.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) continue;
                ns.Conntrack.Add(new ConntrackEntry
                {
                    Protocol = proto, State = state, Original = orig, Reply = reply, Flags = flags, Mark = mark, Timeout = timeout, Source = output.At(i),
                });
            }
            if (bad) log.Warn(output, i, $"conntrack: an entry without both directions: '{IptablesSaveParser.Short(line)}'");
        }
        if (!output.Partial) ns.Known.Add(Sections.Conntrack);
    }

    private static ConntrackTuple? Tuple(Dictionary<string, string> d)
    {
        if (!d.TryGetValue("src", out var s) || !d.TryGetValue("dst", out var t) ||
            !IPAddress.TryParse(s, out var src) || !IPAddress.TryParse(t, out var dst)) return null;
        return new ConntrackTuple
        {
            Src = src, Dst = dst,
            Sport = d.TryGetValue("sport", out var sp) && int.TryParse(sp, out var a) ? a : null,
            Dport = d.TryGetValue("dport", out var dp) && int.TryParse(dp, out var b) ? b : null,
        };
    }
}
