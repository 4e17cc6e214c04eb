using System.Text.RegularExpressions;
using NetSleuth.Model;

namespace NetSleuth.Import.Tc;

/// <summary>
/// `tc filter show dev X [root|ingress|egress|parent H]` (tc/tc_filter.c, f_u32.c, f_flower.c, f_matchall.c,
/// m_mirred.c, m_gact.c). A filter entry is the "filter" line with a handle; the lines under it are its
/// keys and actions:
/// <code>
/// filter parent ffff: protocol all pref 49152 u32 chain 0
/// filter parent ffff: protocol all pref 49152 u32 chain 0 fh 800: ht divisor 1
/// filter parent ffff: protocol all pref 49152 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 terminal flowid not_in_hw
///   match 00000000/00000000 at 0
/// 	action order 1: mirred (Egress Redirect to device vxlan1) stolen
/// 	index 1 ref 1 bind 1
/// filter protocol ip pref 1 flower chain 0 handle 0x1
///   eth_type ipv4
///   dst_ip 198.18.50.0/24
///   not_in_hw
/// 	action order 1: gact action drop
/// 	 random type none pass val 0
/// 	 index 1 ref 1 bind 1
/// </code>
/// Before iproute2 4.x the line read "filter u32 fh 800::800 … (rule hit 32 success 20)", with no parent or pref.
/// The u32 lines without a node handle ("fh 800:") are hash tables, not filters. Direction comes from the
/// line's parent (ffff: and ffff:fff2 = ingress, ffff:fff3 = egress), else from the command.
/// </summary>
internal static partial class TcFilterParser
{
    [GeneratedRegex(@"\((Egress|Ingress) (Redirect|Mirror) to device (\S+)\)\s*(\S+)?")]
    private static partial Regex Mirred();

    private static readonly HashSet<string> Controls = ["pass", "ok", "pipe", "stolen", "drop", "shot", "continue", "reclassify", "trap", "jump", "goto"];
    private static readonly HashSet<string> Kinds = ["u32", "flower", "matchall", "bpf", "basic", "fw", "route", "cgroup", "flow", "rsvp", "tcindex"];
    private static readonly HashSet<string> FlagWords = ["not_in_hw", "in_hw", "skip_hw", "skip_sw", "in_hw_count", "verbose"];

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        if (Facts.OnlyErrors(output, log)) return;
        var args = CommandArgs.Of(output.Argv);
        var dev = args.Arg("dev");
        string cmdDirection = args.Rest.Contains("ingress") || args.Arg("parent") is "ffff:" or "ffff:fff2" ? "ingress" : "egress";
        TcFilter? f = null;
        var filters = Facts.Upsert(ns.Filters, x => $"{x.Device}|{x.Direction}|{x.Pref}|{x.Handle}|{x.Chain}|{x.Kind}");
        var keys = new List<string>();
        void Finish()
        {
            if (f is null) return;
            if (f.Kind == "matchall") f.MatchesAll = true;
            else if (f.Kind == "u32") f.MatchesAll = keys.Count == 0 ? null : keys.All(k => k.Contains("/00000000", StringComparison.Ordinal));
            else if (f.Kind == "flower") f.MatchesAll = keys.All(k => k.StartsWith("eth_type", StringComparison.Ordinal));
            if (keys.Count > 0) f.Match = string.Join("; ", keys);
            filters.Add(f);
            f = null;
            keys.Clear();
        }
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0) continue;
            var w = Facts.Words(line);
            var at = output.At(i);
            if (w[0] == "filter")
            {
                Finish();
                f = ReadFilterLine(w, dev, cmdDirection, at);
                if (f is not null && f.Device.Length == 0) { log.Warn(at, "tc filter without a device (the command did not say 'dev X')"); f = null; }
                continue;
            }
            if (f is null) continue; // lines of a hash table or of a prio header
            if (w[0] == "action" && w.Length >= 4 && w[1] == "order")
            {
                f.Actions.Add(ReadAction(w, line));
                continue;
            }
            if (w[0] == "index" && f.Actions.Count > 0 && Facts.Int(w.ElementAtOrDefault(1)) is int idx) { f.Actions[^1].Index = idx; continue; }
            if (w[0] is "match" && f.Kind == "u32") { keys.Add(line); continue; }
            if (f.Actions.Count > 0 || FlagWords.Contains(w[0])) continue; // action details, statistics, hw flags
            if (f.Kind is "flower" or "basic" or "fw" or "route" or "bpf" or "matchall") keys.Add(line);
        }
        Finish();
    }

    private static TcFilter? ReadFilterLine(string[] w, string? dev, string cmdDirection, SourceRef at)
    {
        string? parent = null, protocol = null, kind = null, handle = null;
        int? pref = null, chain = null;
        string device = dev ?? "";
        for (int k = 1; k < w.Length; k++)
        {
            string? next = k + 1 < w.Length ? w[k + 1] : null;
            switch (w[k])
            {
                case "dev": device = next ?? device; k++; break;
                case "parent": parent = next; k++; break;
                case "protocol": protocol = next; k++; break;
                case "pref": pref = Facts.Int(next); k++; break;
                case "chain": chain = Facts.Int(next); k++; break;
                case "handle" or "fh": handle = next; k++; break;
                default:
                    if (kind is null && Kinds.Contains(w[k])) kind = w[k];
                    break;
            }
            if (kind is not null && handle is not null) break;
        }
        if (handle is null) return null; // the prio header line
        if (kind == "u32" && !IsU32Node(handle)) return null;
        var direction = parent switch
        {
            "ffff:" or "ffff:fff2" => "ingress",
            "ffff:fff3" => "egress",
            null => cmdDirection,
            _ => "egress",
        };
        return new TcFilter
        {
            Device = device, Direction = direction, Parent = parent, Kind = kind, Protocol = protocol, Pref = pref,
            Handle = handle, Chain = chain, Source = at,
        };
    }

    // "800::800" is a u32 filter; "800:" is its hash table
    private static bool IsU32Node(string handle)
    {
        var parts = handle.Split(':');
        return parts.Length == 3 && parts[2].Length > 0 && parts[2] != "0";
    }

    // action order 1: mirred (Egress Redirect to device vxlan1) stolen
    // action order 1: gact action drop
    private static TcAction ReadAction(string[] w, string line)
    {
        var a = new TcAction { Kind = w[3] };
        if (a.Kind == "mirred" && Mirred().Match(line) is { Success: true } m)
        {
            a.MirredDirection = m.Groups[1].Value.ToLowerInvariant();
            a.MirredAction = m.Groups[2].Value.ToLowerInvariant();
            a.TargetDevice = m.Groups[3].Value;
            a.Control = m.Groups[4].Success ? m.Groups[4].Value : null;
        }
        else if (a.Kind == "gact")
        {
            int act = Array.IndexOf(w, "action", 4);
            a.Control = act > 0 && act + 1 < w.Length ? w[act + 1] : w[^1];
        }
        else if (Controls.Contains(w[^1])) a.Control = w[^1];
        return a;
    }
}
