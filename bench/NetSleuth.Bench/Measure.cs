using System.Diagnostics;
using System.Globalization;

namespace NetSleuth.Bench;

/// <summary>One measured stage: wall time, bytes allocated, and the process's peak RSS since the stage began.</summary>
internal sealed record StageResult(string Stage, string Size, double Seconds, double CpuSeconds, long AllocatedBytes, long PeakRssBytes, string Note)
{
    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"{Stage,-14} {Size,-22} {Seconds,9:F3} s {CpuSeconds,7:F2} s cpu {AllocatedBytes / 1048576.0,10:F0} MiB alloc {PeakRssBytes / 1048576.0,8:F0} MiB peak  {Note}");
}

internal static class Measure
{
    /// <summary>Runs <paramref name="stage"/> and measures it. The peak RSS (VmHWM) is reset first
    /// (writing 5 to /proc/self/clear_refs), so it is this stage's peak including what earlier stages left.</summary>
    public static StageResult Run(string name, string size, Func<string> stage)
    {
        ResetPeak();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        string note = stage();
        sw.Stop();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        long alloc = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
        long peak = PeakRss();
        note = (note.Length > 0 ? note + "; " : "") + string.Create(CultureInfo.InvariantCulture,
            $"gc {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2}, pauses {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F2} s");
        ProcessPeak = Math.Max(ProcessPeak, peak);
        return new StageResult(name, size, sw.Elapsed.TotalSeconds, cpu, alloc, peak, note);
    }

    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* peak then covers the whole process */ }
    }

    /// <summary>VmHWM from /proc/self/status, in bytes.</summary>
    public static long PeakRss() => StatusField("VmHWM:");

    public static long CurrentRss() => StatusField("VmRSS:");

    /// <summary>The highest VmHWM any stage saw (each stage resets the kernel's counter).</summary>
    public static long ProcessPeak { get; private set; }

    private static long StatusField(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }
}
