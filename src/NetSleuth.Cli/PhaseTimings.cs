using System.Diagnostics;
using System.Globalization;

namespace NetSleuth.Cli;

/// <summary>
/// `NETSLEUTH_TIMINGS=1`: one line per phase of a command on standard error (wall time, CPU time of the
/// process, bytes allocated), then the peak RSS — how bench/scale.sh sees where a CLI run spends its time.
/// Off by default; costs nothing when off.
/// </summary>
internal sealed class PhaseTimings
{
    private readonly TextWriter? _err;
    private long _started = Stopwatch.GetTimestamp();
    private TimeSpan _cpu = Environment.CpuUsage.TotalTime;
    private long _allocated = GC.GetTotalAllocatedBytes();
    private (int Gen0, int Gen1, int Gen2) _collections = Collections();
    private TimeSpan _paused = GC.GetTotalPauseDuration();

    public PhaseTimings(TextWriter err)
    {
        if (Environment.GetEnvironmentVariable("NETSLEUTH_TIMINGS") is { Length: > 0 } v && v != "0") _err = err;
    }

    public bool On => _err is not null;

    /// <summary>Ends the current phase, named NAME, and starts the next.</summary>
    public void Mark(string name)
    {
        if (_err is null) return;
        var cpu = Environment.CpuUsage.TotalTime;
        long allocated = GC.GetTotalAllocatedBytes();
        var collections = Collections();
        var paused = GC.GetTotalPauseDuration();
        _err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timing: {name,-34} {Stopwatch.GetElapsedTime(_started).TotalSeconds,7:F2} s wall {(cpu - _cpu).TotalSeconds,7:F2} s cpu {(allocated - _allocated) / 1048576.0,9:F0} MiB allocated" +
            $"   GC {collections.Gen0 - _collections.Gen0}/{collections.Gen1 - _collections.Gen1}/{collections.Gen2 - _collections.Gen2} (gen0/1/2), paused {(paused - _paused).TotalSeconds:F2} s"));
        _started = Stopwatch.GetTimestamp();
        _cpu = cpu;
        _allocated = allocated;
        _collections = collections;
        _paused = paused;
    }

    private static (int Gen0, int Gen1, int Gen2) Collections() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>The diagnoser's own stages (each check with its thread's CPU time, the sweep, the verification with the
    /// process's CPU time and the sum over its threads of the time of its parts);
    /// checks under 50 ms of CPU are left out.</summary>
    public void Details(IReadOnlyList<(string Stage, TimeSpan Elapsed)> stages)
    {
        if (_err is null) return;
        for (int i = 0; i < stages.Count; i++)
        {
            var (name, wall) = stages[i];
            if (name.EndsWith(" cpu", StringComparison.Ordinal)) continue;
            TimeSpan? cpu = i + 1 < stages.Count && stages[i + 1].Stage == name + " cpu" ? stages[i + 1].Elapsed : null;
            if (name.EndsWith("Check", StringComparison.Ordinal) && (cpu ?? wall).TotalSeconds < 0.05) continue;
            var line = string.Create(CultureInfo.InvariantCulture, $"timing:   {name,-32} {wall.TotalSeconds,7:F2} s wall");
            if (cpu is { } c)
                line += string.Create(CultureInfo.InvariantCulture, $" {c.TotalSeconds,7:F2} s cpu ({(name.EndsWith("Check", StringComparison.Ordinal) ? "its thread" : "the process")})");
            _err.WriteLine(line);
        }
    }

    /// <summary>The process' peak resident set (VmHWM).</summary>
    public void Peak()
    {
        if (_err is null) return;
        string? hwm = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = line[6..].Trim();
        }
        catch (IOException) { }
        _err.WriteLine($"timing: peak RSS {hwm ?? "unknown"}, GC collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
    }
}
