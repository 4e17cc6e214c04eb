// Benchmarks: `dotnet run -c Release --project bench/NetSleuth.Bench -- NAME [options]`; see docs/benchmarks.md.
namespace NetSleuth.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: NetSleuth.Bench BENCHMARK [options]  (see docs/benchmarks.md)");
        return 2;
    }
}
