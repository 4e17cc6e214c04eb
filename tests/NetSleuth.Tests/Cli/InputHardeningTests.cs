using System.Text;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Util;
using static NetSleuth.Tests.Cli.CliTests;

namespace NetSleuth.Tests.Cli;

/// <summary>
/// Inputs that gave nothing, damaged snapshots beside good ones, FIFOs and symlink loops in an input
/// directory, unbounded warnings, and a standard output that cannot be written (issue 20).
/// </summary>
public sealed class InputHardeningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nsl-harden-").FullName;
    private static readonly string Example = Path.Combine(FindRoot(), "examples", "peer-pods");
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "NetSleuth.Cli.dll");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Theory]
    [InlineData("import")]
    [InlineData("topology")]
    [InlineData("diagnose")]
    [InlineData("trace")]
    public void Given_an_input_nothing_can_be_read_from_When_analysed_Then_exit_2_with_the_reason(string command)
    {
        var junk = Write("junk.txt", "hello\n");
        string[] args = command == "trace" ? [command, junk, "--from", "worker", "--to", "198.18.2.46"] : [command, junk];
        var (code, output, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("nothing could be read from the inputs", err);
        Assert.Contains($"{junk}: not recognised", err);
    }

    [Fact]
    public void Given_one_readable_and_one_unreadable_input_Then_it_says_what_was_read()
    {
        var junk = Write("junk.txt", "hello\n");
        var worker = Path.Combine(Example, "worker.txt");
        var (code, output, err) = Run("diagnose", junk, worker);
        Assert.Equal(0, code); // no error finding in one host alone
        Assert.StartsWith("diagnosis of 1 host (worker)", output);
        Assert.Contains($"nothing read from {junk}: not recognised", err);
        Assert.Contains($"read: {worker} (", err);
        // the text diagnose shows the input warnings (a short list)
        Assert.Contains($"warning: {junk}:1: not recognised", err);
    }

    [Fact]
    public void Given_a_damaged_snapshot_among_good_ones_Then_the_rest_loads_and_the_warning_names_file_and_line()
    {
        var good = Path.Combine(_dir, "worker.json");
        Assert.Equal(0, Run("import", Path.Combine(Example, "worker.txt"), "-o", good).Code);
        var text = File.ReadAllText(good);
        var wrongType = Write("wrongtype.json", text.Replace("\"name\": \"worker\"", "\"name\": \"w2\"").Replace("\"mtu\": 1500", "\"mtu\": \"x\""));
        var truncated = Write("truncated.json", text[..(text.Length / 2)]);
        foreach (var inputs in new[] { new[] { good, wrongType, truncated }, new[] { _dir } })
        {
            var loaded = InputLoader.LoadInputs(inputs);
            Assert.Equal(["worker"], loaded.Snapshot.Hosts.Select(h => h.Name));
            var warnings = loaded.Snapshot.Warnings.Select(w => w.ToString()).ToList();
            Assert.Contains(warnings, w => w.StartsWith($"{wrongType}:", StringComparison.Ordinal) && w.Contains("a value of the wrong type at $.hosts[0]"));
            Assert.Contains(warnings, w => w.StartsWith($"{truncated}:", StringComparison.Ordinal) && w.Contains("not a valid snapshot"));
            Assert.DoesNotContain(warnings, w => w.Contains("System.") || w.Contains("NetSleuth.Model"));
        }
    }

    [Fact]
    public async Task Given_a_fifo_and_a_symlink_loop_in_an_input_directory_Then_they_are_skipped_with_a_warning()
    {
        File.Copy(Path.Combine(Example, "worker.txt"), Path.Combine(_dir, "worker.txt"));
        var fifo = Path.Combine(_dir, "pipe");
        Assert.True(Proc.Run("mkfifo", fifo).Ok);
        File.CreateSymbolicLink(Path.Combine(_dir, "loop1"), Path.Combine(_dir, "loop2"));
        File.CreateSymbolicLink(Path.Combine(_dir, "loop2"), Path.Combine(_dir, "loop1"));
        var loaded = await Task.Run(() => InputLoader.LoadInputs([_dir])).WaitAsync(TimeSpan.FromSeconds(20));
        var warnings = loaded.Snapshot.Warnings.Concat(loaded.Snapshot.Hosts.SelectMany(h => h.Warnings)).Select(w => w.ToString()).ToList();
        Assert.Contains($"{fifo}: skipped: a FIFO (named pipe), not a regular file", warnings);
        Assert.Contains($"{Path.Combine(_dir, "loop1")}: skipped: a symbolic link that leads back to itself", warnings);
        Assert.NotEmpty(loaded.Snapshot.Hosts);
        // the FIFO named directly, too
        var direct = await Task.Run(() => InputLoader.LoadInputs([fifo])).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(direct.NothingRead);
        // a device file named directly: skipped, not read forever
        var device = await Task.Run(() => InputLoader.LoadInputs(["/dev/zero"])).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("/dev/zero: skipped: a character device, not a regular file", device.Snapshot.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void Given_a_megabyte_line_of_unknown_words_Then_warnings_are_one_per_line_and_summarised()
    {
        // `ip -br a` (each unknown word used to be one warning), one line of 1 MB, then 300 damaged lines
        var sb = new StringBuilder();
        sb.Append("root@worker:~# ip -br a\n");
        sb.Append("lo               UNKNOWN        127.0.0.1/8 ::1/128\n");
        sb.Append("eth0             UP             198.18.0.2/24 ");
        for (int i = 0; i < 200_000; i++) sb.Append("frob ");
        sb.Append('\n');
        for (int i = 0; i < 300; i++) sb.Append($"eth{i + 1}             UP             198.19.{i % 250}.2/24 wibble wobble\n");
        sb.Append("root@worker:~# exit\n");
        var big = Write("big.txt", sb.ToString());
        var snapshot = InputLoader.Load([big]);
        var warnings = snapshot.Warnings.Concat(snapshot.Hosts.SelectMany(h => h.Warnings)).ToList();
        // the megabyte line's 200,000 words are one warning, and the 300 lines after it with the same kind of warning
        // join it as a run: bounded, and every word counted
        Assert.InRange(warnings.Count, 1, ImportLog.MaxPerFile + 1);
        Assert.Contains(warnings, w => w.Message.Contains("(and 300 more such lines, to line 303)", StringComparison.Ordinal) &&
                                       w.Message.EndsWith("(and 200,299 more like it on these lines)", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_the_import_log_When_a_line_or_a_file_has_many_warnings_Then_it_keeps_one_per_line_and_counts_the_rest()
    {
        var log = new ImportLog();
        for (int i = 0; i < 500_000; i++) log.Warn(new SourceRef("a.txt", 7), $"unknown word 'w{i}'");
        // a different warning on each line (the same one on consecutive lines would be told once, as a run)
        for (int line = 10; line < 1_000; line++) log.Warn(new SourceRef("a.txt", line), $"unknown {line}");
        var w = log.Warnings;
        Assert.Equal(ImportLog.MaxPerFile + 1, w.Count);
        Assert.Equal("a.txt:7: unknown word 'w0' (and 499,999 more like it on this line)", w[0].ToString());
        Assert.Equal("a.txt:109: and 891 more warnings in this file from here on (only the first 100 are kept)", w[^1].ToString());
    }

    [Theory]
    [InlineData("> /dev/full", "netsleuth: cannot write to standard output: No space left on device")]
    [InlineData(">&-", "netsleuth: cannot write to standard output")]
    public void Given_a_standard_output_that_cannot_be_written_Then_one_line_and_exit_2(string redirect, string err)
    {
        var r = Proc.Run("sh", "-c", $"dotnet {Shell.Quote(CliDll)} import {Shell.Quote(Example)} {redirect}; echo \"rc=$?\" >&2");
        Assert.DoesNotContain("Unhandled", r.Stderr);
        Assert.EndsWith("rc=2\n", r.Stderr);
        Assert.Contains(err, r.Stderr);
        Assert.Equal(1, r.Stderr.Split('\n').Count(l => l.StartsWith("netsleuth:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Given_a_reader_that_stops_early_When_the_pipe_breaks_Then_it_is_quiet_and_succeeds()
    {
        // a synthetic cluster's snapshot is far larger than a pipe's buffer: the writer meets the closed pipe
        NetSleuth.Synth.SynthWriter.Write(new NetSleuth.Synth.SynthOptions(4, 30, NetSleuth.Synth.SynthStyle.Bridge, Faults: 0, Seed: 1), _dir);
        File.Delete(Path.Combine(_dir, NetSleuth.Synth.SynthWriter.FaultsFile));
        var r = Proc.Run("bash", "-c", $"dotnet {Shell.Quote(CliDll)} import {Shell.Quote(_dir)} | head -c 10 >/dev/null; echo \"rc=${{PIPESTATUS[0]}}\" >&2");
        Assert.DoesNotContain("Unhandled", r.Stderr);
        Assert.DoesNotContain("cannot write", r.Stderr);
        Assert.EndsWith("rc=0\n", r.Stderr);
    }

    [Fact]
    public void Given_standard_input_as_dash_Then_it_is_read_like_a_file()
    {
        var worker = Path.Combine(Example, "worker.txt");
        var r = Proc.Run("sh", "-c", $"dotnet {Shell.Quote(CliDll)} topology - < {Shell.Quote(worker)}");
        Assert.True(r.Ok, r.Stderr);
        Assert.StartsWith("worker\n", r.Stdout);
    }

    [Fact]
    public void Given_ip_br_a_When_drawn_Then_lo_in_state_UNKNOWN_is_up()
    {
        // real `ip -br addr` output (Fixtures/kinds, captured in a lab namespace)
        var file = Path.Combine(_dir, "ip_-br_addr.txt");
        File.Copy(NetSleuth.Tests.Import.FixtureFiles.PathOf(Path.Combine("iproute2", "kinds", "ip_-br_addr.txt")), file);
        var (code, output, _) = Run("topology", "h=" + file);
        Assert.Equal(0, code);
        var lo = output.Split('\n').Single(l => l.TrimStart().StartsWith("lo ", StringComparison.Ordinal));
        Assert.DoesNotContain("DOWN", lo);
        Assert.Contains("127.0.0.1/8", lo);
    }

    [Fact]
    public void Given_a_large_topology_When_drawn_as_svg_Then_it_says_so_and_suggests_focus_without_crashing()
    {
        // 40 nodes of 50 pods with peer pods: 18,700 DOT lines, which Graphviz took more than 100 s over
        NetSleuth.Synth.SynthWriter.Write(new NetSleuth.Synth.SynthOptions(40, 50, NetSleuth.Synth.SynthStyle.PeerPods, Faults: 0, Seed: 3) { PeerPodsPerNode = 5 }, _dir);
        File.Delete(Path.Combine(_dir, NetSleuth.Synth.SynthWriter.FaultsFile));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, err) = Run("topology", "--format", "svg", _dir);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("too large for a picture", err);
        Assert.Contains("--focus", err);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"{sw.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public void The_readme_evidence_line_of_the_example_is_the_one_diagnose_prints()
    {
        var readme = File.ReadAllLines(Path.Combine(FindRoot(), "README.md"));
        var line = readme.First(l => l.Contains("neighbour  198.18.2.46", StringComparison.Ordinal) && l.Contains("[examples/peer-pods/worker.txt:", StringComparison.Ordinal));
        var cited = line[(line.IndexOf("[examples/", StringComparison.Ordinal) + "[examples/".Length)..].TrimEnd(']');
        var (_, output, _) = Run("diagnose", Path.Combine(Example, "worker.txt"), Path.Combine(Example, "podvm.txt"));
        var printed = output.Split('\n').First(l => l.Contains("neighbour  198.18.2.46", StringComparison.Ordinal));
        Assert.EndsWith($"/examples/{cited}]", printed);
    }

    [Fact]
    public void The_prefix_help_says_the_real_rule()
    {
        var (_, help, _) = Run("lab", "up", "--help");
        Assert.Contains("1-12 lowercase letters and digits, starting with a letter", help);
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
