using System.Diagnostics;
using NetSleuth.Import;
using NetSleuth.Import.Sos;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>
/// Every real fixture, damaged in every way of <see cref="Mutator"/> (fixed seed), goes through every
/// parser of the CommandTable, and every sosreport fixture, damaged file by file, through the sos reader:
/// no exception escapes, each input is read in bounded time, and every warning names the input file
/// and a line inside it.
/// </summary>
public sealed class ImportFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Seed = 20261125;
    // a hang, not a speed target: a parse of one small fixture stays far below it even on a machine loaded 30 deep
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Every captured output under Fixtures/ (notes and capture scripts aside).</summary>
    private static List<string> FixtureOutputs() =>
        Directory.GetFiles(FixtureFiles.Root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("NOTE.md" or "README.md" or "capture.sh" or "lab-names.txt" or "versions.txt") &&
                        !f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith("nft_-j_list_ruleset.txt", StringComparison.Ordinal))
            .Where(f => !f.Contains("/sos_reports/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The command a fixture's file name spells ("ovs-vsctl_--format=json_list_port.txt").</summary>
    private static List<string> ArgvOf(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".txt", StringComparison.Ordinal)) name = name[..^4];
        return name.Split('_', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [Fact]
    public void Every_parser_survives_every_damaged_fixture()
    {
        var fixtures = FixtureOutputs();
        Assert.True(fixtures.Count > 50, $"only {fixtures.Count} fixtures found");
        var argvs = fixtures.Select(ArgvOf).Concat(SampleCommands).Select(a => CommandLine.Normalise(a).Argv).ToList();
        var failures = new List<string>();
        int runs = 0;
        var spent = new Dictionary<string, TimeSpan>();
        var rnd = new Random(Seed);
        for (int f = 0; f < fixtures.Count; f++)
        {
            var path = fixtures[f];
            var original = FixtureFiles.Lines(Path.GetRelativePath(FixtureFiles.Root, path));
            foreach (var mutation in Mutator.Names)
            {
                if (mutation == "huge-line" && f % 6 != 0) continue; // the costly one: on every 6th fixture
                var lines = Mutator.Apply(mutation, original, rnd);
                foreach (var entry in CommandTable.Entries)
                {
                    var argv = argvs.FirstOrDefault(a => entry.Matches(a));
                    if (argv is null) { failures.Add($"no sample command for entry '{entry.Name}'"); continue; }
                    var input = new CommandOutput(argv, lines, path, 1);
                    var ns = new NetNamespace { Id = "root", IsRoot = true };
                    var log = new ImportLog();
                    var sw = Stopwatch.StartNew();
                    try
                    {
                        if (entry.HostParse is { } hostParse) hostParse(input, ns, name => new NetNamespace { Id = name, Name = name }, log);
                        else entry.Parse(input, ns, log);
                    }
                    catch (Exception e) { failures.Add($"{entry.Name} on {path} ({mutation}): {e.GetType().Name}: {e.Message}"); }
                    sw.Stop();
                    runs++;
                    spent[entry.Name + " / " + mutation] = spent.GetValueOrDefault(entry.Name + " / " + mutation) + sw.Elapsed;
                    if (sw.Elapsed > Bound) failures.Add($"{entry.Name} on {path} ({mutation}): {sw.Elapsed.TotalMilliseconds:F0} ms");
                    foreach (var w in log.Warnings)
                        if (w.Source is not { } at || at.File != path || at.Line < 1 || at.Line > Math.Max(1, lines.Count))
                            failures.Add($"{entry.Name} on {path} ({mutation}): warning without a line of the input: {w}");
                }
            }
        }
        output.WriteLine($"{runs} parser runs over {fixtures.Count} fixtures, {CommandTable.Entries.Count} parsers, {spent.Values.Sum(t => t.TotalSeconds):F1} s in parsers");
        foreach (var (what, time) in spent.OrderByDescending(kv => kv.Value).Take(15)) output.WriteLine($"{time.TotalMilliseconds,8:F0} ms  {what}");
        Assert.True(failures.Count == 0, $"{failures.Count} failures in {runs} runs:\n" + string.Join('\n', failures.Distinct().GroupBy(Kind).Select(g => $"[{g.Count()}x] {g.First()}").Take(60)));
    }

    /// <summary>Failures grouped by parser, mutation and exception type, so one bug shows once.</summary>
    private static string Kind(string failure)
    {
        int on = failure.IndexOf(" on ", StringComparison.Ordinal), open = failure.IndexOf(" (", Math.Max(on, 0), StringComparison.Ordinal);
        int colon = open < 0 ? -1 : failure.IndexOf("): ", open, StringComparison.Ordinal);
        var rest = colon < 0 ? "" : failure[(colon + 3)..];
        return (on < 0 ? failure : failure[..on]) + (open < 0 || colon < 0 ? "" : failure[open..colon]) + rest.Split(':')[0].Split(' ')[0];
    }

    [Theory]
    [InlineData("sos-4.0", 1)]
    [InlineData("sos-4.0", 2)]
    [InlineData("sos-4.3-layout", 3)]
    [InlineData("sos-4.3-layout", 4)]
    public void Sos_reader_survives_a_damaged_report(string layout, int seed)
    {
        var source = Directory.GetDirectories(FixtureFiles.PathOf(Path.Combine("sosreport", layout))).Single();
        var dir = Path.Combine(Path.GetTempPath(), $"netsleuth-fuzz-{Environment.ProcessId}-{layout}-{seed}");
        try
        {
            Copy(source, dir);
            var rnd = new Random(Seed + seed);
            foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var mutation = Mutator.Names[rnd.Next(Mutator.Names.Length)];
                if (rnd.Next(10) == 0) { File.Delete(file); continue; }
                if (rnd.Next(20) == 0) { File.Delete(file); Directory.CreateDirectory(file); continue; }
                var lines = Mutator.Apply(mutation, File.ReadAllText(file).Split('\n'), rnd);
                File.WriteAllText(file, string.Join('\n', lines), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
                if (rnd.Next(8) == 0) File.AppendAllBytes(file, [0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0x80]); // invalid UTF-8
            }
            var log = new ImportLog();
            var sw = Stopwatch.StartNew();
            var read = SosReportReader.TryRead(dir, null, out var host, log);
            sw.Stop();

            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{sw.Elapsed.TotalSeconds:F1} s");
            if (read) Assert.NotEmpty(host.Namespaces);
            Assert.All(log.Warnings, w => Assert.StartsWith(dir, w.Source!.File, StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_importers_survive_a_bounded_fuzz_run_of_damaged_real_inputs()
    {
        // the bench's `fuzz` (bench/NetSleuth.Bench/ImportFuzzer.cs) on 120 inputs: whole files through InputLoader
        var seeds = NetSleuth.Bench.ImportFuzzer.Seeds(FixtureFiles.Root);
        Assert.True(seeds.Count > 100, $"{seeds.Count} seeds");
        var work = Path.Combine(Path.GetTempPath(), $"netsleuth-fuzz-test-{Environment.ProcessId}");
        var report = new NetSleuth.Bench.ImportFuzzer(seeds, Seed) { HangBound = TimeSpan.FromSeconds(20) }.Run(120, work);
        output.WriteLine(report.Summary());
        Assert.Empty(report.Crashes);
        Assert.Empty(report.Hangs);
        // warnings bounded: at most one per line and 100 per file, whatever the damage
        Assert.InRange(report.MostWarnings, 0, 3 * ImportLog.MaxPerFile);
        Assert.InRange(report.MaxHeapBytes, 0, 300L << 20);
        Assert.False(Directory.Exists(work));
    }

    private static void Copy(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    /// <summary>Commands for entries no fixture file name spells.</summary>
    private static readonly List<string>[] SampleCommands =
    [
        ["ip", "-json", "-details", "address", "show"], ["ip", "-j", "route", "show", "table", "all"], ["tc", "-j", "filter", "show", "dev", "eth0", "ingress"], ["ip", "neighbor", "show"],
        ["ovs-vsctl", "show"], ["ovn-nbctl", "show"], ["ovn-nbctl", "list", "Logical_Switch_Port"], ["ovs-vsctl", "list-br"], ["ovs-vsctl", "list-ports", "br-int"], ["ovs-vsctl", "list", "interface"], ["ovs-ofctl", "dump-ports", "br-int"],
        ["ovs-ofctl", "show", "br-int"], ["iptables-save"], ["iptables", "-S"], ["iptables", "-nvL"], ["nft", "-j", "list", "ruleset"],
        ["nft", "list", "ruleset"], ["sysctl", "-a"], ["ip", "address", "show"], ["ip", "-d", "link", "show"], ["ip", "route", "show"],
        ["ip", "rule", "show"], ["ip", "neigh", "show"], ["ip", "-j", "address", "show"], ["ip", "netns", "list-id"], ["ip", "netns", "identify"], ["ip", "netns", "show"],
        ["ip", "route", "get", "198.18.2.46"], ["ip", "-brief", "address", "show"], ["bridge", "fdb", "show"], ["tc", "qdisc", "show"],
        ["tc", "filter", "show", "dev", "eth0", "ingress"], ["arp", "-n"], ["conntrack", "-L"], ["ipvsadm", "-Ln"], ["ipset", "list"],
    ];
}
