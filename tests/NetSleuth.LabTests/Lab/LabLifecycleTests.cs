using System.Diagnostics;
using NetSleuth.Lab;
using NetSleuth.Util;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Lab;

/// <summary>Runs alone, after the parallel tests: the kill test must catch `up` within half a second, and the probe and
/// fuzz tests read tracefs, which sees every packet on the machine.</summary>
[CollectionDefinition(nameof(SerialLabCollection), DisableParallelization = true)]
public sealed class SerialLabCollection;

/// <summary>`lab up` killed midway, `lab down` after it, two labs side by side, the root namespace untouched.</summary>
[Collection(nameof(SerialLabCollection))]
public sealed class LabLifecycleTests(ITestOutputHelper output)
{
    /// <summary>The built CLI next to the test assembly, run as a real process.</summary>
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "NetSleuth.Cli.dll");

    [Fact]
    public void Given_lab_up_killed_midway_When_lab_down_runs_Then_nothing_is_left()
    {
        var prefix = LabPaths.UniquePrefix("nlabk");
        try
        {
            // Given a real `netsleuth lab up peer-pods-ovs` process, killed (SIGKILL) once its OVS is starting
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Cli, "lab", "up", "peer-pods-ovs", "--fault", "mac-mismatch", "--prefix", prefix }) psi.ArgumentList.Add(a);
            var started = DateTime.UtcNow;
            using (var up = Process.Start(psi)!)
            {
                var pidFile = Path.Combine(LabPaths.OvsDir(prefix), "ovsdb-server.pid");
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (!File.Exists(pidFile) && !up.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(1);

                Assert.False(up.HasExited, "lab up ended before it could be killed");
                up.Kill(); // SIGKILL: no finally, no cleanup in the process
                up.WaitForExit();
                output.WriteLine($"killed {(DateTime.UtcNow - started).TotalSeconds:F3}s after its start");
            }

            // Then it left a half-built lab behind: namespaces, its OVS, a state file saying so
            Assert.NotEmpty(LabLeftovers.Namespaces(prefix));
            var state = LabStateFile.Read(prefix);
            Assert.NotNull(state);
            Assert.Equal(LabState.Building, state.Status);
            Assert.Equal("left over from a killed 'up'", LabStatus.Of(state).Condition);
            var deadlineOvs = DateTime.UtcNow.AddSeconds(5);
            while (LabLeftovers.Processes(prefix).Count == 0 && DateTime.UtcNow < deadlineOvs) Thread.Sleep(10);
            Assert.NotEmpty(LabLeftovers.Processes(prefix));

            // When `netsleuth lab down` runs (a real process too)
            var down = Proc.Run("dotnet", Cli, "lab", "down", "--prefix", prefix);
            Assert.True(down.Ok, down.Stderr);
            Assert.Contains($"removed lab {prefix}", down.Stdout);

            // Then nothing of it is left
            LabLeftovers.AssertNone(prefix);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    [Fact]
    public void Given_two_labs_with_different_prefixes_Then_both_work_and_the_root_namespace_is_untouched()
    {
        string a = LabPaths.UniquePrefix("nlaba"), b = LabPaths.UniquePrefix("nlabb");
        var rootBefore = RootNamespace();
        try
        {
            // Given the same scenario twice, side by side (same device names and addresses inside)
            using var labA = LabBuilder.Up("peer-pods", [], a);
            using var labB = LabBuilder.Up("bridge-pods", [LabFaults.IpForwardOff], b);

            // Then each answers as documented, and the machine's own namespace has nothing new
            Assert.True(labA.Run(labA.Probe("pod")).Succeeded);
            Assert.True(labB.Run(labB.Probe("pod-node2")).AllLost);
            Assert.Equal(rootBefore, RootNamespace());

            // When one is taken down, Then the other is still whole
            labA.Down();
            LabLeftovers.AssertNone(a);
            Assert.True(labB.Run(labB.Probe("pod-pod")).Succeeded);
            Assert.Equal(labB.State.AllNamespaces.Order(), LabLeftovers.Namespaces(b).Order());
        }
        finally
        {
            LabBuilder.Down(a);
            LabBuilder.Down(b);
        }
        LabLeftovers.AssertNone(b);
        Assert.Equal(rootBefore, RootNamespace());
    }

    [Fact]
    public void Given_a_prefix_in_use_When_up_runs_again_Then_it_refuses_and_keeps_the_first_lab()
    {
        var prefix = LabPaths.UniquePrefix("nlabu");
        try
        {
            using var lab = LabBuilder.Up("peer-pods", [], prefix);
            var e = Assert.Throws<LabException>(() => LabBuilder.Up("bridge-pods", [], prefix));
            Assert.Contains("in use", e.Message);
            Assert.True(lab.Run(lab.Probe("pod")).Succeeded);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
        LabLeftovers.AssertNone(prefix);
    }

    [Fact]
    public void Given_a_failure_midway_When_up_fails_Then_what_was_made_is_removed()
    {
        var prefix = LabPaths.UniquePrefix("nlabf");
        // a namespace the lab will want, made beforehand under another name is not enough: block a
        // file the build needs instead — the OVS directory is a plain file, so OVS cannot start
        Directory.CreateDirectory(LabPaths.WorkDir(prefix));
        File.WriteAllText(LabPaths.OvsDir(prefix), "not a directory");
        try
        {
            var e = Assert.Throws<LabException>(() => LabBuilder.Up("peer-pods-ovs", [], prefix));
            Assert.Contains("could not be built", e.Message);
            LabLeftovers.AssertNone(prefix);
        }
        finally
        {
            LabBuilder.Down(prefix);
        }
    }

    [Fact]
    public async Task Given_missing_programs_When_up_runs_Then_it_names_the_apt_get_command_and_makes_nothing()
    {
        var prefix = LabPaths.UniquePrefix("nlabm");
        // /usr/sbin left out of PATH: tc, sysctl, ovsdb-server and ovs-vswitchd are not found
        var psi = new ProcessStartInfo(Environment.ProcessPath is { } p && p.EndsWith("dotnet", StringComparison.Ordinal) ? p : "/usr/bin/dotnet")
            { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Cli, "lab", "up", "peer-pods-ovs", "--prefix", prefix }) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = "/usr/bin:/bin";
        using var up = Process.Start(psi)!;
        var err = await up.StandardError.ReadToEndAsync();
        await up.WaitForExitAsync();
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("apt-get install -y", err);
        Assert.Contains("openvswitch-switch", err);
        Assert.Contains("ovs-vswitchd", err);
        LabLeftovers.AssertNone(prefix);
    }

    [Fact]
    public void Given_namespaces_with_the_prefix_that_no_lab_made_When_lab_down_runs_Then_they_are_left_alone()
    {
        var prefix = LabPaths.UniquePrefix("nlabo");
        var mine = prefix + "-mine";
        try
        {
            // Given a namespace someone made with the prefix, and no lab
            Assert.True(Proc.Run("ip", "netns", "add", mine).Ok);

            // When `lab down --prefix` runs, Then it is kept, and said so
            var down = Proc.Run("dotnet", Cli, "lab", "down", "--prefix", prefix);
            Assert.True(down.Ok, down.Stderr);
            Assert.Contains($"no lab '{prefix}'", down.Stdout);
            Assert.Contains($"left alone (not made by lab {prefix}): {mine}", down.Stdout);
            Assert.Contains(mine, LabLeftovers.Namespaces(prefix));

            // Given a lab beside it, one of whose namespaces was then replaced by the user's own
            using (var lab = LabBuilder.Up("peer-pods", [], prefix))
            {
                var wk = lab.Ns("wk");
                Assert.True(Proc.Run("ip", "netns", "del", wk).Ok);
                Assert.True(Proc.Run("ip", "netns", "add", wk).Ok);
                Assert.Contains(wk, LabStatus.Of(LabStateFile.Read(prefix)!).MissingNamespaces);

                // When the lab is taken down
                var r = LabBuilder.Down(prefix);

                // Then only what it made is gone: the user's two namespaces stay
                Assert.Empty(r.Errors);
                Assert.DoesNotContain(wk, r.Namespaces);
                Assert.Equal([mine, wk], LabLeftovers.Namespaces(prefix).Order(StringComparer.Ordinal));
                Assert.Equal([mine, wk], r.LeftAlone.Order(StringComparer.Ordinal));
                Assert.Empty(LabLeftovers.Files(prefix));
            }
        }
        finally
        {
            Proc.Run("ip", "netns", "del", mine);
            Proc.Run("ip", "netns", "del", LabPaths.Ns(prefix, "wk"));
            LabBuilder.Down(prefix);
        }
        LabLeftovers.AssertNone(prefix);
    }

    [Fact]
    public void Given_a_damaged_state_file_Then_only_its_own_lab_is_affected_and_down_still_cleans_it()
    {
        string good = LabPaths.UniquePrefix("nlabg"), bad = LabPaths.UniquePrefix("nlabd");
        try
        {
            // Given two labs, and the state file of one emptied (as a kill mid-write used to leave it)
            using var labGood = LabBuilder.Up("peer-pods", [], good);
            var labBad = LabBuilder.Up("bridge-pods", [], bad);
            File.WriteAllText(LabPaths.StateFile(bad), "");

            // Then `lab status` still works and shows both, the damaged one as damaged
            var status = Proc.Run("dotnet", Cli, "lab", "status");
            Assert.True(status.Ok, status.Stderr);
            Assert.Contains($"lab {good}: peer-pods (healthy) — up", status.Stdout);
            Assert.Contains($"lab {bad} — damaged state file: {LabPaths.StateFile(bad)}", status.Stdout);
            Assert.Contains($"remove it with: netsleuth lab down --prefix {bad}", status.Stdout);
            // and the other lab is whole and works
            Assert.True(labGood.Run(labGood.Probe("pod")).Succeeded);

            // When `lab down` runs on the damaged lab, Then everything it made is removed all the same
            var down = Proc.Run("dotnet", Cli, "lab", "down", "--prefix", bad);
            Assert.Contains($"removed lab {bad}", down.Stdout);
            LabLeftovers.AssertNone(bad);
            Assert.Equal(labGood.State.AllNamespaces.Order(), LabLeftovers.Namespaces(good).Order());
        }
        finally
        {
            LabBuilder.Down(good);
            LabBuilder.Down(bad);
        }
        LabLeftovers.AssertNone(good);
    }

    [Fact]
    public void Given_lab_up_killed_as_its_state_file_appears_Then_the_state_file_is_whole()
    {
        for (int round = 0; round < 3; round++)
        {
            var prefix = LabPaths.UniquePrefix("nlabw");
            try
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[] { Cli, "lab", "up", "peer-pods", "--prefix", prefix }) psi.ArgumentList.Add(a);
                using (var up = Process.Start(psi)!)
                {
                    var deadline = DateTime.UtcNow.AddSeconds(60);
                    while (!File.Exists(LabPaths.StateFile(prefix)) && !up.HasExited && DateTime.UtcNow < deadline) { }
                    up.Kill(); // SIGKILL the moment the file is there
                    up.WaitForExit();
                }
                // Then the state reads (not empty, not half-written), and down removes the leftovers
                var state = LabStateFile.Read(prefix);
                Assert.NotNull(state);
                Assert.Equal(LabState.Building, state.Status);
                var down = Proc.Run("dotnet", Cli, "lab", "down", "--prefix", prefix);
                Assert.True(down.Ok, down.Stderr);
                LabLeftovers.AssertNone(prefix);
            }
            finally
            {
                LabBuilder.Down(prefix);
            }
        }
    }

    /// <summary>Links and addresses of the machine's own namespace.</summary>
    private static string RootNamespace()
    {
        var links = Proc.Run("ip", "-o", "link", "show").Stdout.Split('\n').Select(l => l.Split(':').ElementAtOrDefault(1)?.Trim()).OfType<string>();
        var addrs = Proc.Run("ip", "-o", "addr", "show").Stdout.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(3)));
        return string.Join("\n", links.Order().Concat(addrs.Order()));
    }
}
