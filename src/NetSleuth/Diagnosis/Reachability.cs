using Stopwatch = System.Diagnostics.Stopwatch;
using System.Net;
using NetSleuth.Forwarding;
using NetSleuth.Topology;
using Trace = NetSleuth.Forwarding.Trace;

namespace NetSleuth.Diagnosis;

/// <summary>
/// The reachability sweep: traces every pod-like address from its host's root namespace (when the
/// root is linked to it) — or the one path asked for — and attributes each broken path to the finding
/// whose objects it dies at. Paths no check explains become one "unreachable" finding per place and
/// reason, so a hundred pods behind one broken hop are one finding.
/// </summary>
public static class Reachability
{
    /// <summary>One path to trace instead of the sweep (--from/--to).</summary>
    public sealed record Request(string Host, string? Namespace, IPAddress Destination);

    internal sealed record Outcome(List<Finding> NewFindings, int Checked, int Broken);

    /// <summary>Wall-clock budget of the sweep; what is left unchecked is said in the report.</summary>
    public static TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(5);

    internal static Outcome Sweep(DiagnosisContext ctx, List<Finding> findings, Request? request)
    {
        var fresh = new Dictionary<string, Finding>(StringComparer.Ordinal);
        int done = 0, broken = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (req, label) in Requests(ctx, request))
        {
            if (request is null && clock.Elapsed > Budget) break;
            TraceResult result;
            try { result = Tracer.Trace(ctx.Topology, req); }
            catch (Exception e) when (e is NotSupportedException or NotImplementedException) { break; } // no tracer in this build
            catch (ArgumentException e) when (request is not null) { throw new Model.InputException("--from", 0, e.Message); }
            catch (Exception e) when (e is not OutOfMemoryException) { Attribute(ctx, findings, fresh, label, null, e.Message); done++; broken++; continue; }
            done++;
            var bad = !result.Forward.Delivered ? result.Forward : result.Reply is { Delivered: false } r ? r : null;
            if (bad is null) continue;
            broken++;
            Attribute(ctx, findings, fresh, label + (bad == result.Reply ? " (reply)" : ""), bad, null);
        }
        return new Outcome(fresh.Values.ToList(), done, broken);
    }

    private static IEnumerable<(TraceRequest Req, string Label)> Requests(DiagnosisContext ctx, Request? request)
    {
        if (request is not null)
        {
            yield return (new TraceRequest(request.Host, request.Namespace, null, request.Destination),
                $"{request.Host}{(request.Namespace is null ? "" : ":" + request.Namespace)} → {request.Destination}");
            yield break;
        }
        var seen = new HashSet<(Model.Host, IPAddress)>();
        foreach (var (pod, addr) in ctx.PodAddresses)
        {
            if (pod.Host.Root is not { } root || !seen.Add((pod.Host, addr.Address))) continue;
            if (!LinkedToRoot(ctx, pod, new NsRef(pod.Host, root), addr.Address)) continue;
            yield return (new TraceRequest(pod.Host.Name, null, null, addr.Address), $"{pod.Host.Name} → {addr.Address}");
        }
    }

    /// <summary>The root namespace means to reach the pod: the pod's veth peer is there, or a specific route covers it.</summary>
    private static bool LinkedToRoot(DiagnosisContext ctx, DeviceRef pod, NsRef root, IPAddress x)
    {
        if (ctx.Topology.VethPeer(pod) is { } peer && peer.Host == pod.Host && peer.Ns.IsRoot) return true;
        return ctx.Fib.Lookup(root, x).Route is { } r && !r.Destination.IsDefault;
    }

    private static void Attribute(DiagnosisContext ctx, List<Finding> findings, Dictionary<string, Finding> fresh, string path, Trace? trace, string? error)
    {
        var at = trace?.At;
        var node = trace?.Hops.Count > 0 ? trace.Hops[^1].Node : null;
        var cause = findings.FirstOrDefault(f => f.Severity >= Severity.Warning &&
            f.Devices.Any(d => d == at || d == node || (trace is not null && OnPath(trace, d))));
        if (cause is not null)
        {
            if (!cause.BrokenPaths.Contains(path)) cause.BrokenPaths.Add(path);
            if (trace is not null) cause.Trace ??= Convert(path, trace);
            return;
        }
        string disposition = trace?.Disposition.ToString() ?? "TraceFailed";
        string key = $"unreachable:{at ?? node ?? "?"}/{disposition}";
        if (fresh.TryGetValue(key, out var existing)) { existing.BrokenPaths.Add(path); return; }
        bool unsure = trace?.Disposition is Disposition.InsufficientInfo or Disposition.Uncertain || trace is null;
        var f = new Finding
        {
            Id = "unreachable",
            Severity = unsure ? Severity.Info : Severity.Error,
            Title = trace is null ? $"{path}: the trace failed ({error})" : $"{path}: {disposition} at {at ?? node}",
            Explanation = trace is null ? "The tracer could not follow this path; the other checks still ran." :
                trace.Reason + " No check of the catalogue explains it; the trace shows where and why.",
            BrokenPaths = [path],
            Trace = trace is null ? null : Convert(path, trace),
            RootCause = key,
            Devices = at is null ? [] : [at],
        };
        if (trace?.Missing is { } m) f.Decide.Add(new MissingInput(m.Host, m.Namespace, m.Command, "decides what the trace could not"));
        fresh[key] = f;
    }

    /// <summary>True when the trace's last hop touched the device (its steps name it): the failure happens around it.</summary>
    private static bool OnPath(Trace trace, string device)
    {
        if (trace.Hops.Count == 0) return false;
        var last = trace.Hops[^1];
        int colon = device.LastIndexOf(':');
        if (colon < 0 || device[..colon] != last.Node) return false;
        var name = device[(colon + 1)..];
        return trace.FinalStep is DropStep { Device: { } dev } && dev == name;
    }

    private static FindingTrace Convert(string path, Trace t)
    {
        var lines = new List<string>();
        foreach (var hop in t.Hops)
            foreach (var s in hop.Steps)
                lines.Add($"{hop.Node}: {s.Text}");
        var arrow = path.IndexOf(" → ", StringComparison.Ordinal);
        return new FindingTrace(arrow > 0 ? path[..arrow] : path, arrow > 0 ? path[(arrow + 3)..] : "", $"{t.Disposition}: {t.Reason}", lines);
    }
}
