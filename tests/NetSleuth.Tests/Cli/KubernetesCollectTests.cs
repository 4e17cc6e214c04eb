using System.Diagnostics;
using System.Text.Json.Nodes;
using NetSleuth.Collect.Remote;
using NetSleuth.Util;

namespace NetSleuth.Tests.Cli;

/// <summary>
/// `collect --kubernetes` against a fake `kubectl` on PATH that records every call (its arguments and what it
/// got on standard input) and answers like kubectl does. No Kubernetes cluster runs here: these tests check
/// the manifest and the kubectl conversation, not a real API server, kubelet or image.
/// </summary>
public sealed class KubernetesCollectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nsl-kube-").FullName;
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "NetSleuth.Cli.dll");
    private string Log => Path.Combine(_dir, "calls.log");
    private string Out => Path.Combine(_dir, "out");

    public KubernetesCollectTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        var fake = Path.Combine(_dir, "bin", "kubectl");
        File.WriteAllText(fake, FakeKubectl.Replace("@LOG@", Log, StringComparison.Ordinal));
        Proc.Run("chmod", "755", fake);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // FAKE_NODES: the cluster's nodes; FAKE_FAIL: a node whose exec fails; FAKE_SLOW: exec sleeps (an interrupt's target)
    private const string FakeKubectl = """
        #!/bin/bash
        log=@LOG@
        n=$$
        ( IFS=$'\t'; echo "$*" ) >> "$log"
        args=("$@"); [ "$1" = --context ] && args=("${@:3}")
        case "${args[0]}" in
          get) tr ',' '\n' <<< "$FAKE_NODES"; exit 0 ;;
          create) cat > "$log.create.$n"; node=$(sed -n 's/.*"nodeName": "\([^"]*\)".*/\1/p' "$log.create.$n"); echo "pod/netsleuth-collect-$node"; exit 0 ;;
          wait) exit 0 ;;
          exec) node=${args[-1]}
                [ "$node" = "$FAKE_SLOW" ] && exec sleep 60
                [ "$node" = "$FAKE_FAIL" ] && { echo "error: command terminated with exit code 2" >&2; exit 2; }
                echo "warning: ovs-vsctl not found" >&2
                printf '{"formatVersion":1,"hosts":[{"name":"%s","namespaces":[{"id":"root","isRoot":true}]}]}\n' "$node"; exit 0 ;;
          delete) exit 0 ;;
        esac
        echo "fake kubectl: unexpected call: $*" >&2; exit 64
        """;

    private Process Start(string env, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"PATH={Shell.Quote(Path.Combine(_dir, "bin"))}:$PATH {env} exec dotnet {Shell.Quote(CliDll)} {Shell.Join(args)}");
        return Process.Start(psi)!;
    }

    private List<string[]> Calls() => File.ReadAllLines(Log).Select(l => l.Split('\t')).ToList();

    [Fact]
    public void Given_a_node_and_an_image_When_the_manifest_is_made_Then_it_is_a_privileged_host_network_and_pid_pod_pinned_to_the_node_and_labelled()
    {
        var pod = JsonNode.Parse(KubeManifest.Pod("worker-1.example", "reg.example/netsleuth:0.1.0", "netsleuth", "run42"))!;
        Assert.Equal("Pod", (string?)pod["kind"]);
        Assert.Equal("netsleuth", (string?)pod["metadata"]!["namespace"]);
        Assert.Equal("netsleuth-collect-", (string?)pod["metadata"]!["generateName"]);
        Assert.Equal("run42", (string?)pod["metadata"]!["labels"]!["netsleuth.io/run"]);
        Assert.Equal("netsleuth-collect", (string?)pod["metadata"]!["labels"]!["app.kubernetes.io/name"]);
        var spec = pod["spec"]!;
        Assert.Equal("worker-1.example", (string?)spec["nodeName"]);
        Assert.True((bool)spec["hostNetwork"]!);
        Assert.True((bool)spec["hostPID"]!);
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.Equal("Exists", (string?)spec["tolerations"]![0]!["operator"]);
        Assert.True((int)spec["activeDeadlineSeconds"]! > 0);
        var c = spec["containers"]![0]!;
        Assert.Equal("reg.example/netsleuth:0.1.0", (string?)c["image"]);
        Assert.True((bool)c["securityContext"]!["privileged"]!);
        Assert.Equal("/run/netns", (string?)c["volumeMounts"]![0]!["mountPath"]);
        Assert.Equal("HostToContainer", (string?)c["volumeMounts"]![0]!["mountPropagation"]);
        Assert.Equal("/run/netns", (string?)spec["volumes"]![0]!["hostPath"]!["path"]);
    }

    [Fact]
    public void Given_three_nodes_one_failing_When_collected_through_the_fake_kubectl_Then_two_snapshots_the_failure_named_and_every_pod_deleted()
    {
        using var p = Start("FAKE_NODES=node-a,node-b,node-c FAKE_FAIL=node-b",
            "collect", "--kubernetes", "--context", "prod", "--nodes", "role=worker", "--image", "reg.example/netsleuth:0.1.0", "-j", "2", "-o", Out);
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 4, $"exit {p.ExitCode}: {stderr}");
        Assert.Equal(["node-a.json", "node-c.json"], Directory.GetFiles(Out).Select(Path.GetFileName).Order());
        Assert.Equal("node-c", NetSleuth.Model.SnapshotJson.Load(Path.Combine(Out, "node-c.json")).Hosts.Single().Name);
        Assert.Contains("netsleuth: node-b: collect failed on the host: kubectl exec: error: command terminated with exit code 2", stderr);
        Assert.Contains("warning: node-a: ovs-vsctl not found", stderr);
        Assert.Contains("netsleuth: collected 2 of 3 hosts", stderr);
        Assert.Equal([Path.Combine(Out, "node-a.json"), Path.Combine(Out, "node-c.json")], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var calls = Calls();
        Assert.All(calls, c => Assert.Equal(["--context", "prod"], c[..2]));
        Assert.Equal(["get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}", "-l", "role=worker"], calls[0][2..]);
        foreach (var node in new[] { "node-a", "node-b", "node-c" })
        {
            var pod = "pod/netsleuth-collect-" + node;
            var mine = calls.Where(c => c.Contains(pod) || c.Contains(node)).Select(c => c[2]).ToList();
            Assert.Equal(["wait", "exec", "delete"], mine);
            var exec = calls.Single(c => c[2] == "exec" && c.Contains(pod));
            Assert.Equal(["exec", "-n", "default", pod, "-c", "collect", "--", "/usr/local/bin/netsleuth", "collect", "--host-name", node], exec[2..]);
            Assert.Equal(["delete", "-n", "default", pod, "--ignore-not-found", "--wait=false"], calls.Single(c => c[2] == "delete" && c.Contains(pod))[2..]);
        }
        // every create got a manifest for its node, with the image, and one run label shared by all
        var manifests = Directory.GetFiles(_dir, "calls.log.create.*").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.Equal(["node-a", "node-b", "node-c"], manifests.Select(m => (string?)m["spec"]!["nodeName"]).Order());
        Assert.All(manifests, m => Assert.Equal("reg.example/netsleuth:0.1.0", (string?)m["spec"]!["containers"]![0]!["image"]));
        Assert.Single(manifests.Select(m => (string?)m["metadata"]!["labels"]!["netsleuth.io/run"]).Distinct());
        Assert.Equal(3, calls.Count(c => c[2] == "create"));
    }

    [Fact]
    public async Task Given_a_collect_in_progress_When_interrupted_Then_the_kubectl_calls_stop_and_the_runs_pods_are_deleted_by_label()
    {
        using var p = Start("FAKE_NODES=node-a FAKE_SLOW=node-a", "collect", "--kubernetes", "--image", "img", "-o", Out);
        var stderr = p.StandardError.ReadToEndAsync();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(File.Exists(Log) && File.ReadAllText(Log).Contains("exec\t")))
        {
            Assert.True(DateTime.UtcNow < until && !p.HasExited, "no exec call: " + (p.HasExited ? await stderr : ""));
            await Task.Delay(50);
        }
        Proc.Run("kill", "-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(p.WaitForExit(30_000), "still running after the interrupt");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("netsleuth: node-a: cancelled", await stderr);
        var run = (string?)JsonNode.Parse(File.ReadAllText(Directory.GetFiles(_dir, "calls.log.create.*").Single()))!["metadata"]!["labels"]!["netsleuth.io/run"];
        var calls = Calls();
        Assert.Contains(calls, c => c.SequenceEqual(["delete", "-n", "default", "pod/netsleuth-collect-node-a", "--ignore-not-found", "--wait=false"]));
        Assert.Contains(calls, c => c.SequenceEqual(["delete", "pods", "-n", "default", "-l", "netsleuth.io/run=" + run, "--ignore-not-found", "--wait=false"]));
        Assert.False(Directory.Exists(Out) && Directory.GetFiles(Out).Length > 0);
    }

    [Fact]
    public void Given_no_image_When_collect_kubernetes_Then_it_says_what_is_missing()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(2, NetSleuth.Cli.Program.Run(["collect", "--kubernetes", "-o", Out], o, e));
        Assert.Contains("--kubernetes needs --image IMG", e.ToString());
    }
}
