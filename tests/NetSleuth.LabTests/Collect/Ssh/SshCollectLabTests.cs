using NetSleuth.Cli;
using NetSleuth.Lab;
using NetSleuth.Lab.Scenarios;
using NetSleuth.LabTests.Import;
using NetSleuth.Model;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect.Ssh;

/// <summary>
/// `collect --ssh` against real OpenSSH servers, one per host of the peer-pods lab (<see cref="SshHosts"/>),
/// run by the NativeAOT binary from inside the worker's root namespace (where both hosts' underlay addresses
/// are reachable). The binary copies itself to each host.
/// </summary>
public sealed class SshCollectLabTests
{
    private static string Native() => NativeBinary.Ensure();

    /// <summary>The peer-pods lab (mac-mismatch) with an sshd on each host's underlay address.</summary>
    private sealed class Setup : IDisposable
    {
        public readonly string Prefix = LabPaths.UniquePrefix("nssh");
        public readonly LabInstance Lab;
        public readonly SshHosts Ssh = new();
        public readonly string Out = Directory.CreateTempSubdirectory("nssh-out").FullName;

        public Setup()
        {
            Lab = LabBuilder.Up("peer-pods", [LabFaults.MacMismatch], Prefix);
            try
            {
                var worker = Lab.Host("worker");
                var podvm = Lab.Host("podvm");
                Ssh.Start("worker", worker.RootNamespace, PeerPods.WorkerUnderlay, [.. worker.Others]);
                Ssh.Start("podvm", podvm.RootNamespace, PeerPods.VmUnderlay, [.. podvm.Others]);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public SshHost Worker => Ssh.Hosts.Single(h => h.Name == "worker");
        public SshHost Podvm => Ssh.Hosts.Single(h => h.Name == "podvm");

        /// <summary>Runs the native netsleuth in the worker's root namespace.</summary>
        public ProcResult Netsleuth(params string[] args) =>
            Proc.Run("ip", ["netns", "exec", Lab.Host("worker").RootNamespace, Native(), .. args], timeout: TimeSpan.FromMinutes(3));

        public Dictionary<string, Host> LocalCollect()
        {
            var dir = Path.Combine(Out, "local");
            var e = new StringWriter();
            Assert.True(Program.Run(["collect", "--lab", Prefix, "-o", dir], new StringWriter(), e) == 0, e.ToString());
            var hosts = Directory.GetFiles(dir).ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => SnapshotJson.Load(f).Hosts.Single());
            // the lab's "machines" share one kernel: the local collect names the namespace of the underlay veth's
            // peer (on the other lab host); a host only sees its own namespaces (a real peer is on another machine)
            foreach (var h in hosts.Values)
                foreach (var ns in h.Namespaces)
                    foreach (var l in ns.Links)
                        if (l.LinkNamespace is { } other && h.FindNamespace(other) is null) l.LinkNamespace = null;
            return hosts;
        }

        public void Dispose()
        {
            Ssh.Dispose();
            Lab?.Dispose();
            LabBuilder.Down(Prefix);
            Directory.Delete(Out, recursive: true);
        }
    }

    [Fact]
    public void Given_an_sshd_on_each_peer_pods_host_When_collected_over_ssh_Then_each_snapshot_has_the_facts_of_the_local_collect_and_nothing_is_left_on_the_hosts()
    {
        using var s = new Setup();
        var cfg = s.Ssh.ClientConfig("ssh_config");
        var dir = Path.Combine(s.Out, "ssh");
        var r = s.Netsleuth("collect", "--ssh", "--ssh-config", cfg, "-o", dir, s.Worker.Destination(), s.Podvm.Destination());
        Assert.True(r.Ok, $"exit {r.ExitCode}\n{r.Stderr}\nworker sshd:\n{s.Worker.Log}");

        // named after the hosts' own hostnames
        Assert.Equal(["podvm.json", "worker.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Equal([Path.Combine(dir, "worker.json"), Path.Combine(dir, "podvm.json")], r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var local = s.LocalCollect();
        foreach (var name in new[] { "worker", "podvm" })
        {
            var remote = SnapshotJson.Load(Path.Combine(dir, name + ".json")).Hosts.Single();
            Assert.Equal(name, remote.Name);
            Assert.Equal("collect", remote.Meta.Origin);
            // the host's view: its root namespace and its other named namespace, nothing of the machine's
            var expected = local[name];
            Assert.Equal(expected.Namespaces.Select(n => n.Id).Order(), remote.Namespaces.Select(n => n.Id).Order());
            var diffs = SnapshotComparison.Differences(remote, expected).Concat(SnapshotComparison.Differences(expected, remote)).ToList();
            Assert.True(diffs.Count == 0, name + ":\n" + string.Join("\n", diffs));
            foreach (var ns in expected.Namespaces)
            {
                var rns = remote.FindNamespace(ns.Id)!;
                Assert.Equal(Addresses(ns), Addresses(rns));
                Assert.Equal(ns.Links.Select(l => l.Name).Order(), rns.Links.Select(l => l.Name).Order());
            }
        }
        // the diagnosis on the result finds the lab's fault
        var diag = Proc.Run(Native(), ["diagnose", dir, "--format", "json"]);
        Assert.Contains("neighbor-mac-mismatch", diag.Stdout);

        foreach (var h in s.Ssh.Hosts) Assert.Empty(h.Leftovers(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Given_a_dead_host_a_refused_key_a_changed_host_key_and_a_user_without_root_When_collected_Then_each_is_named_with_its_reason_and_the_good_host_is_collected()
    {
        using var s = new Setup();
        var changed = Path.Combine(s.Ssh.Dir, "changed");
        SshHosts.KeyGen(changed);
        var cfg = s.Ssh.ClientConfig("bad_config", $"""
            Host wrongkey
              HostName {s.Podvm.Address}
              Port {SshHosts.Port}
              IdentityFile {s.Ssh.WrongKey}
            Host changedkey
              HostName {s.Podvm.Address}
              Port {SshHosts.Port}
              HostKeyAlias changedkey
            """, knownHostsExtra: "changedkey " + string.Join(' ', File.ReadAllText(changed + ".pub").Split(' ').Take(2)));
        var dir = Path.Combine(s.Out, "bad");
        var dead = $"{PeerPods.NobodyUnderlay}:{SshHosts.Port}";
        var r = s.Netsleuth("collect", "--ssh", "--ssh-config", cfg, "-o", dir,
            s.Worker.Destination(), dead, "wrongkey", "changedkey", s.Worker.Destination(SshHosts.User));

        Assert.True(r.ExitCode == 4, $"exit {r.ExitCode}\n{r.Stderr}");
        Assert.Equal(["worker.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
        var lines = r.Stderr.Split('\n');
        Assert.Contains(lines, l => l.StartsWith($"netsleuth: {dead}: unreachable: ssh: connect to host {PeerPods.NobodyUnderlay} port {SshHosts.Port}:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("netsleuth: wrongkey: login refused: ", StringComparison.Ordinal) && l.Contains("Permission denied (publickey)"));
        Assert.Contains(lines, l => l.StartsWith("netsleuth: changedkey: host key not accepted: the host's key differs from the one in known_hosts", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == $"netsleuth: {s.Worker.Destination(SshHosts.User)}: no root: not root (user {SshHosts.User}) and sudo is not installed");
        Assert.Contains("netsleuth: collected 1 of 5 hosts", r.Stderr);

        foreach (var h in s.Ssh.Hosts) Assert.Empty(h.Leftovers(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Given_a_collect_that_is_interrupted_on_the_hosts_When_netsleuth_gets_ctrl_c_Then_the_hosts_keep_no_directory_and_no_process()
    {
        using var s = new Setup();
        var cfg = s.Ssh.ClientConfig("ssh_config");
        // a "collector" that takes long and starts a child: the interrupt must reach both
        var slow = Path.Combine(s.Ssh.Dir, "slow-collector");
        File.WriteAllText(slow, "#!/bin/sh\nsleep 300 &\nwait\n");
        Proc.Run("chmod", "755", slow);
        var dir = Path.Combine(s.Out, "int");
        var psi = new System.Diagnostics.ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "netns", "exec", s.Lab.Host("worker").RootNamespace, Native(), "collect", "--ssh", "--ssh-config", cfg,
                     "--binary", slow, "-o", dir, s.Worker.Destination(), s.Podvm.Destination() })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        // both hosts run the slow collector (its sleep in the host's PID namespace)
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!s.Ssh.Hosts.All(h => h.Processes().Any(x => x.Contains("sleep 300"))))
        {
            Assert.True(DateTime.UtcNow < until && !p.HasExited, "the slow collector never ran on both hosts: " + (p.HasExited ? await stderr : ""));
            await Task.Delay(100);
        }
        Assert.All(s.Ssh.Hosts, h => Assert.Single(h.TmpEntries(), e => e.StartsWith("netsleuth.", StringComparison.Ordinal)));
        Proc.Run("kill", "-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(p.WaitForExit(30_000), "netsleuth did not stop after Ctrl-C");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("cancelled: interrupted", await stderr);
        Assert.Empty(Directory.Exists(dir) ? Directory.GetFiles(dir) : []);
        foreach (var h in s.Ssh.Hosts) Assert.Empty(h.Leftovers(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Given_no_copy_When_collected_over_ssh_Then_the_tools_outputs_give_the_facts_of_the_local_collect()
    {
        using var s = new Setup();
        var cfg = s.Ssh.ClientConfig("ssh_config");
        var dir = Path.Combine(s.Out, "nocopy");
        var r = s.Netsleuth("collect", "--ssh", "--no-copy", "--ssh-config", cfg, "-o", dir, s.Worker.Destination(), s.Podvm.Destination());
        Assert.True(r.Ok, $"exit {r.ExitCode}\n{r.Stderr}");
        var local = s.LocalCollect();
        foreach (var name in new[] { "worker", "podvm" })
        {
            var imported = SnapshotJson.Load(Path.Combine(dir, name + ".json")).Hosts.Single();
            Assert.Equal("ssh --no-copy", imported.Meta.Origin);
            var expected = local[name];
            Assert.Equal(expected.Namespaces.Select(n => n.Id).Order(), imported.Namespaces.Select(n => n.Id).Order());
            var diffs = SnapshotComparison.Differences(imported, expected);
            Assert.True(diffs.Count == 0, name + ":\n" + string.Join("\n", diffs));
            foreach (var ns in expected.Namespaces)
            {
                var ins = imported.FindNamespace(ns.Id)!;
                Assert.Equal(Addresses(ns), Addresses(ins));
                Assert.Equal(ns.Links.Select(l => l.Name).Order(), ins.Links.Select(l => l.Name).Order());
            }
        }
        foreach (var h in s.Ssh.Hosts) Assert.Empty(h.Leftovers(TimeSpan.FromSeconds(10)));
    }

    private static List<string> Addresses(NetNamespace ns) =>
        ns.Links.SelectMany(l => l.Addresses.Select(a => $"{l.Name} {a.Prefix}")).Order().ToList();
}
