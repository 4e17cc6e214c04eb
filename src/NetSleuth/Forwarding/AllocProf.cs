namespace NetSleuth.Forwarding;
internal static class AllocProf
{
    [ThreadStatic] private static long t_last;
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Bytes = new();
    [System.Diagnostics.Conditional("ALLOCPROF")]
    public static void Start() => t_last = GC.GetAllocatedBytesForCurrentThread();
    [System.Diagnostics.Conditional("ALLOCPROF")]
    public static void Mark(string what)
    {
        long d = GC.GetAllocatedBytesForCurrentThread() - t_last;
        Bytes.AddOrUpdate(what, d, (_, v) => v + d);
        t_last = GC.GetAllocatedBytesForCurrentThread();
    }
}
