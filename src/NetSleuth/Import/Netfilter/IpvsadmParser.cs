using System.Globalization;
using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Import.Netfilter;

/// <summary>
/// Reads `ipvsadm -Ln` (and `-L` with service names for common ports) and `ipvsadm-save [-n]`:
/// <code>
/// IP Virtual Server version 1.2.1 (size=4096)
/// Prot LocalAddress:Port Scheduler Flags
///   -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
/// TCP  10.254.0.1:443 rr persistent 10800
///   -> 172.16.16.81:6443            Masq    1      0          0
/// -A -t 10.96.0.1:443 -s rr
/// -a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1
/// </code>
/// A port printed as a name the reader does not know is a warning (run `ipvsadm -Ln`).
/// </summary>
internal static class IpvsadmParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        argv.Count >= 1 && Path.GetFileName(argv[0]) is "ipvsadm" or "ipvsadm-save" &&
        (Path.GetFileName(argv[0]) == "ipvsadm-save" || argv.Skip(1).Any(a => a is "-L" or "--list" or "-l" || (a.StartsWith('-') && !a.StartsWith("--") && (a.Contains('L') || a.Contains('l')))));

    private static readonly Dictionary<string, int> Names = new(StringComparer.Ordinal)
    {
        ["http"] = 80, ["https"] = 443, ["domain"] = 53, ["http-alt"] = 8080, ["postgresql"] = 5432, ["mysql"] = 3306,
        ["ssh"] = 22, ["ntp"] = 123, ["ldap"] = 389, ["redis"] = 6379, ["sun-sr-https"] = 6443, ["webcache"] = 8080,
    };

    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        ns.Ipvs.Clear();
        IpvsService? svc = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("IP Virtual Server", StringComparison.Ordinal) || line.StartsWith("Prot ", StringComparison.Ordinal) ||
                line.StartsWith("-> RemoteAddress", StringComparison.Ordinal)) continue;
            var w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (w[0] is "TCP" or "UDP" or "SCTP" or "FWM")
            {
                svc = new IpvsService { Protocol = w[0] == "FWM" ? "fwmark" : w[0].ToLowerInvariant(), Source = output.At(i) };
                if (w[0] == "FWM") { if (w.Length > 1 && uint.TryParse(w[1], out var fm)) svc.FwMark = fm; }
                else if (w.Length < 2 || !Endpoint(w[1], out var a, out var p, output, i, log)) { svc = null; continue; }
                else { svc.Address = a; svc.Port = p; }
                if (w.Length > 2) svc.Scheduler = w[2];
                svc.Persistent = w.Contains("persistent");
                ns.Ipvs.Add(svc);
                continue;
            }
            if (w[0] == "->")
            {
                if (svc is null) { log.Warn(output, i, "ipvsadm: a real server outside a virtual service"); continue; }
                if (w.Length < 2 || !Endpoint(w[1], out var ra, out var rp, output, i, log)) continue;
                var d = new IpvsDestination { Address = ra!, Port = rp, Source = output.At(i) };
                if (w.Length > 2) d.Forward = w[2];
                if (w.Length > 3 && int.TryParse(w[3], out var wt)) d.Weight = wt;
                if (w.Length > 4 && long.TryParse(w[4], out var ac)) d.ActiveConnections = ac;
                if (w.Length > 5 && long.TryParse(w[5], out var ic)) d.InactiveConnections = ic;
                svc.Destinations.Add(d);
                continue;
            }
            if (w[0] is "-A" or "-a" && w.Length >= 3)
            {
                // ipvsadm-save: -A -t|-u|-f ADDR:PORT -s SCHED ; -a -t ADDR:PORT -r REAL:PORT -m|-g|-i -w N
                string proto = w[1] switch { "-t" => "tcp", "-u" => "udp", "--sctp-service" => "sctp", "-f" => "fwmark", _ => "" };
                if (proto.Length == 0) { log.Warn(output, i, $"ipvsadm-save: cannot read '{IptablesSaveParser.Short(line)}'"); continue; }
                IPAddress? va = null; int? vp = null; uint? mark = null;
                if (proto == "fwmark") { if (uint.TryParse(w[2], out var m)) mark = m; }
                else if (!Endpoint(w[2], out va, out vp, output, i, log)) continue;
                var s = ns.Ipvs.FirstOrDefault(x => x.Protocol == proto && Equals(x.Address, va) && x.Port == vp && x.FwMark == mark);
                if (w[0] == "-A")
                {
                    if (s is null) { s = new IpvsService { Protocol = proto, Address = va, Port = vp, FwMark = mark, Source = output.At(i) }; ns.Ipvs.Add(s); }
                    int si = Array.IndexOf(w, "-s");
                    if (si > 0 && si + 1 < w.Length) s.Scheduler = w[si + 1];
                    s.Persistent = w.Contains("-p");
                }
                else
                {
                    if (s is null) { log.Warn(output, i, "ipvsadm-save: a real server of a service not listed before it"); continue; }
                    int ri = Array.IndexOf(w, "-r");
                    if (ri < 0 || ri + 1 >= w.Length || !Endpoint(w[ri + 1], out var ra, out var rp, output, i, log)) continue;
                    var d = new IpvsDestination { Address = ra!, Port = rp, Source = output.At(i), Forward = w.Contains("-m") ? "Masq" : w.Contains("-i") ? "Tunnel" : "Route" };
                    int wi = Array.IndexOf(w, "-w");
                    if (wi > 0 && wi + 1 < w.Length && int.TryParse(w[wi + 1], out var wt)) d.Weight = wt;
                    s.Destinations.Add(d);
                }
                continue;
            }
            log.Warn(output, i, $"ipvsadm: cannot read '{IptablesSaveParser.Short(line)}'");
        }
        if (!output.Partial) ns.Known.Add(Sections.Ipvs);
    }

    /// <summary>"10.96.0.1:443", "[fd00::1]:443", "100.64.134.163:http".</summary>
    private static bool Endpoint(string text, out IPAddress? address, out int? port, CommandOutput output, int i, ImportLog log)
    {
        address = null; port = null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0) { log.Warn(output, i, $"ipvsadm: cannot read the address '{text}'"); return false; }
        var host = text[..colon].Trim('[', ']');
        var p = text[(colon + 1)..];
        if (!IPAddress.TryParse(host, out address)) { log.Warn(output, i, $"ipvsadm: '{host}' is not an address (run ipvsadm -Ln for numbers)"); return false; }
        if (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) port = n;
        else if (Names.TryGetValue(p, out var named)) port = named;
        else log.Warn(output, i, $"ipvsadm: port name '{p}' is not known here (run ipvsadm -Ln for numbers); the port stays unknown");
        return true;
    }
}
