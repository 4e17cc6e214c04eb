using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NetSleuth.Probe;

/// <summary>One event read from the trace buffer.</summary>
/// <param name="Time">seconds (the trace clock)</param>
/// <param name="Event">"kfree_skb", "netif_receive_skb" or "net_dev_queue"</param>
/// <param name="Skb">the (hashed) skb address: the same packet keeps it while it lives</param>
/// <param name="Device">the device of a net:* event; null for kfree_skb</param>
/// <param name="Reason">the drop reason of kfree_skb ("OTHERHOST"); null otherwise</param>
/// <param name="Location">where kfree_skb was called ("ip_rcv_finish_core+0x…")</param>
public sealed record KernelEvent(double Time, string Event, string Skb, string? Device, int? Length, string? Reason, string? Location)
{
    public override string ToString() => Event == "kfree_skb"
        ? $"{Time:F6} kfree_skb {Skb} reason {Reason} at {Location}"
        : $"{Time:F6} {Event} {Skb} dev {Device} len {Length}";
}

/// <summary>tracefs is not there (not root, no tracefs, a tracepoint this kernel lacks): the message says which.</summary>
public sealed class KernelTraceUnavailableException(string message) : Exception(message);

/// <summary>
/// A tracefs instance recording <c>skb:kfree_skb</c> (with its drop reason), <c>net:netif_receive_skb</c> and
/// <c>net:net_dev_queue</c> while a probe is sent. tracefs is mounted in a private mount namespace of a helper
/// process (<c>unshare -m</c>), never on the machine's own /sys/kernel/tracing; the instance directory
/// (instances/NAME, which is kernel-wide) is made by the helper and removed by it when the session ends —
/// also when this process is killed, since the helper waits on its standard input and cleans up when it
/// closes. An instance left by a killed helper is removed by the next session of the same name.
/// </summary>
public sealed partial class KernelTrace : IDisposable
{
    /// <summary>The tracepoints recorded (system/event).</summary>
    public static readonly string[] Tracepoints = ["skb/kfree_skb", "net/netif_receive_skb", "net/net_dev_queue"];

    private const string Script = """
        I="$1"; KB="$2"; STALE="$3"; T=/sys/kernel/tracing
        trap '' INT TERM HUP
        mount -t tracefs nodev "$T" 2>/dev/null || { echo "ERR tracefs cannot be mounted (is this kernel built with tracing, and are you root?)"; exit 3; }
        for e in skb/kfree_skb net/netif_receive_skb net/net_dev_queue; do
          [ -d "$T/events/$e" ] || { echo "ERR the tracepoint $e is not available on this kernel"; exit 4; }
        done
        grep -q 'field:enum skb_drop_reason reason' "$T/events/skb/kfree_skb/format" || echo "WARN kfree_skb has no drop reason on this kernel (5.17+ has it)"
        off() { echo 0 > "$1/tracing_on"; for e in skb/kfree_skb net/netif_receive_skb net/net_dev_queue; do echo 0 > "$1/events/$e/enable"; done; }
        if [ -n "$STALE" ]; then
          for s in "$T/instances/$STALE"*; do
            [ -d "$s" ] || continue
            pid="${s##*-}"
            case "$pid" in ''|*[!0-9]*) continue;; esac
            [ -d "/proc/$pid" ] && continue
            off "$s"; rmdir "$s" && echo "STALE removed"
          done
        fi
        D="$T/instances/$I"
        if [ -d "$D" ]; then echo 0 > "$D/tracing_on"; for e in skb/kfree_skb net/netif_receive_skb net/net_dev_queue; do echo 0 > "$D/events/$e/enable"; done; rmdir "$D" && echo "STALE removed"; fi
        mkdir "$D" || { echo "ERR cannot make the tracefs instance $D"; exit 5; }
        echo "$KB" > "$D/buffer_size_kb" 2>/dev/null
        echo 'protocol == 2048' > "$D/events/skb/kfree_skb/filter" 2>/dev/null
        for e in skb/kfree_skb net/netif_receive_skb net/net_dev_queue; do echo 1 > "$D/events/$e/enable"; done
        echo READY
        read x
        echo 0 > "$D/tracing_on"
        cat "$D/trace"
        for e in skb/kfree_skb net/netif_receive_skb net/net_dev_queue; do echo 0 > "$D/events/$e/enable"; done
        rmdir "$D" && echo "@@END removed"
        """;

    private readonly Process _helper;
    private readonly List<string> _warnings = [];
    private bool _stopped;

    /// <summary>The instance directory's name (under /sys/kernel/tracing/instances/).</summary>
    public string Instance { get; }
    /// <summary>Warnings from the helper (no drop-reason field, a stale instance removed).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private KernelTrace(string instance, Process helper)
    {
        Instance = instance;
        _helper = helper;
    }

    /// <summary>Starts recording in instance NAME ("netsleuth-probe-1234"); returns once the tracepoints are on.</summary>
    /// <exception cref="KernelTraceUnavailableException">no unshare, tracefs or tracepoint</exception>
    /// <param name="stalePrefix">instances named STALEPREFIX-PID whose process is gone are removed first (left by a killed run)</param>
    public static KernelTrace Start(string instance, int bufferKb = 4096, string? stalePrefix = null)
    {
        if (!Regex.IsMatch(instance, "^[A-Za-z0-9_.-]{1,64}$")) throw new ArgumentException($"bad instance name '{instance}'");
        var psi = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-m", "--propagation", "private", "sh", "-c", Script, "sh", instance, bufferKb.ToString(CultureInfo.InvariantCulture), stalePrefix ?? "" })
            psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi) ?? throw new KernelTraceUnavailableException("unshare did not start"); }
        catch (System.ComponentModel.Win32Exception e) { throw new KernelTraceUnavailableException($"unshare: {e.Message} (install util-linux)"); }
        var t = new KernelTrace(instance, p);
        while (true)
        {
            var line = p.StandardOutput.ReadLine();
            if (line is null)
            {
                var err = p.StandardError.ReadToEnd().Trim();
                p.WaitForExit();
                p.Dispose();
                throw new KernelTraceUnavailableException($"tracefs is not available: {(err.Length > 0 ? err : "the helper ended")}" +
                    (err.Contains("Operation not permitted") ? " (run as root)" : ""));
            }
            if (line == "READY") break;
            if (line.StartsWith("ERR ", StringComparison.Ordinal))
            {
                p.WaitForExit(2000);
                p.Dispose();
                throw new KernelTraceUnavailableException(line[4..]);
            }
            if (line.StartsWith("WARN ", StringComparison.Ordinal)) t._warnings.Add(line[5..]);
            if (line.StartsWith("STALE ", StringComparison.Ordinal)) t._warnings.Add($"a stale tracefs instance {instance} (left by a killed run) was removed");
        }
        return t;
    }

    /// <summary>Stops recording and returns the events; the instance is removed.</summary>
    public IReadOnlyList<KernelEvent> Stop()
    {
        if (_stopped) return [];
        _stopped = true;
        _helper.StandardInput.WriteLine("stop");
        _helper.StandardInput.Close();
        var events = new List<KernelEvent>();
        bool removed = false;
        string? line;
        while ((line = _helper.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith("@@END", StringComparison.Ordinal)) { removed = true; continue; }
            if (Parse(line) is { } e) events.Add(e);
        }
        _helper.WaitForExit(5000);
        if (!removed) _warnings.Add($"the tracefs instance {Instance} could not be removed: {_helper.StandardError.ReadToEnd().Trim()}");
        return events;
    }

    /// <summary>Closes the helper's input (it turns tracing off and removes the instance) and waits for it.</summary>
    public void Dispose()
    {
        if (!_stopped)
        {
            _stopped = true;
            try { _helper.StandardInput.Close(); } catch (IOException) { }
            try { _helper.StandardOutput.ReadToEnd(); } catch (IOException) { }
            _helper.WaitForExit(5000);
        }
        _helper.Dispose();
    }

    /// <summary>One line of the trace buffer, or null for a header or another event.</summary>
    internal static KernelEvent? Parse(string line)
    {
        var m = EventLine().Match(line);
        if (!m.Success) return null;
        var time = double.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture);
        var ev = m.Groups["e"].Value;
        var rest = m.Groups["r"].Value;
        var skb = Field(rest, "skbaddr");
        if (skb is null) return null;
        if (ev == "kfree_skb")
        {
            int r = rest.IndexOf("reason: ", StringComparison.Ordinal);
            return new KernelEvent(time, ev, skb, null, null, r < 0 ? null : rest[(r + 8)..].Trim(), Field(rest, "location"));
        }
        if (ev is "netif_receive_skb" or "net_dev_queue")
            return new KernelEvent(time, ev, skb, Field(rest, "dev"),
                int.TryParse(Field(rest, "len"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null, null, null);
        return null;
    }

    private static string? Field(string text, string name)
    {
        var m = Regex.Match(text, @"(?:^|\s)" + name + @"=(\S+)");
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^\s*.+?\s+\[\d+\]\s+\S+\s+(?<t>\d+\.\d+):\s+(?<e>\w+):\s*(?<r>.*)$")]
    private static partial Regex EventLine();
}
