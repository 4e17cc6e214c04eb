using NetSleuth.Collect;
using NetSleuth.Import;
using NetSleuth.Lab;
using NetSleuth.Model;
using Xunit.Abstractions;

namespace NetSleuth.LabTests.Import;

/// <summary>
/// The done-when test of import: the mission lab (peer-pods with the MAC fault), the engineer's
/// investigation typed into a real interactive shell on each "machine", the terminal's text saved
/// with its prompts, imported — and compared with what the live collector reads from the same lab.
/// NETSLEUTH_ACCEPT=1 also stores the two transcripts as examples/peer-pods/{worker,podvm}.txt.
/// </summary>
public sealed class TranscriptLabTests(ITestOutputHelper output)
{
    private const string PodIp = "198.18.2.46";

    [Fact]
    public void Replayed_investigation_imports_to_what_collect_reports()
    {
        var prefix = LabPaths.UniquePrefix("nimp");
        var dir = Directory.CreateTempSubdirectory("nimp-transcript-");
        try
        {
            // Given the mission lab
            using var lab = LabBuilder.Up("peer-pods", [LabFaults.MacMismatch], prefix);
            string wk = lab.Ns("wk"), wkpod = lab.Ns("wkpod"), vm = lab.Ns("vm"), vmpod = lab.Ns("vmpod");

            // When the investigation is typed on the worker and on the pod VM (each machine lists only its own
            // namespaces: the lab's four share /run/netns, two real machines would not)
            var worker = Session(prefix + "w", wk, "[root@worker ~]# ",
            [
                "ip netns identify",
                $"ip route get {PodIp}",
                "ip -d link show ovn-k8s-mp0",
                "ip -d link show",
                $"ip netns ls | grep {prefix}-wk",
                $"POD={wkpod}",
                "ip netns exec $POD ip a",
                "ip netns exec $POD ip -d link show vxlan1",
                "ip -n ${POD} -d li sh dev eth0",
                "ip netns exec $POD tc filter show dev eth0 ingress",
                "ip netns exec $POD tc filter show dev vxlan1 ingress",
                "ip netns exec $POD ip r",
                "ip n",
                $"ip neigh | grep {PodIp}",
                "ip r",
                "ip a",
                "tc qdisc show",
                "iptables-save",
                "nft list ruleset",
                "ip netns exec $POD nft list ruleset",
            ]);
            var podvm = Session(prefix + "v", vm, "root@podvm:~# ",
            [
                "ip netns identify",
                "ip -br a",
                $"ip netns ls | grep {prefix}-vm",
                $"ip netns exec {vmpod} bash --norc",
                "ip -d link show vxlan0",
                "ip a",
                "ip r",
                "ip neigh",
                "tc filter show dev vxlan0 ingress",
                "nft list ruleset",
                "exit",
                "ip -d link show ens2",
                "ip route",
                "nft list ruleset",
            ]);
            var workerFile = Path.Combine(dir.FullName, "worker.txt");
            var podvmFile = Path.Combine(dir.FullName, "podvm.txt");
            File.WriteAllText(workerFile, worker);
            File.WriteAllText(podvmFile, podvm);
            if (Environment.GetEnvironmentVariable("NETSLEUTH_ACCEPT") == "1") Accept(worker, podvm);

            // And both are imported, and collected
            var imported = InputLoader.Load([workerFile, podvmFile]);
            var collectedWorker = LiveCollector.CollectHost(new CollectOptions { HostName = "worker", RootNamespace = wk, Namespaces = [wkpod] });
            var collectedVm = LiveCollector.CollectHost(new CollectOptions { HostName = "podvm", RootNamespace = vm, Namespaces = [vmpod] });

            // Then the import holds the mission's facts
            var iw = imported.Hosts.Single(h => h.Name == "worker");
            var iv = imported.Hosts.Single(h => h.Name == "podvm");
            foreach (var w in iw.Warnings.Concat(iv.Warnings)) output.WriteLine("warning: " + w);
            var root = iw.Root!;
            Assert.Equal(wk, root.Name);
            var neigh = root.Neighbors.Single(n => n.Address.ToString() == PodIp);
            Assert.Equal("0a:58:0a:84:02:2e", neigh.Mac.ToString());
            var pod = iw.FindNamespace(wkpod)!;
            Assert.Equal("root", pod.FindLink("eth0")!.LinkNamespace);
            Assert.Equal(555005u, pod.FindLink("vxlan1")!.Vxlan!.Vni);
            Assert.Equal("vxlan1", pod.Filters.Single(f => f.Device == "eth0").Actions.Single().TargetDevice);
            Assert.Equal("7e:e5:f7:e6:f5:1a", iv.FindNamespace(vmpod)!.FindLink("vxlan0")!.Mac.ToString());
            Assert.Equal("ovn-k8s-mp0", root.RouteLookups.Single().Device);
            // the grep-cut `ip neigh` must not have made the table unknown or known twice: the full `ip n` made it known
            Assert.Contains(Sections.Neighbors, root.Known);

            // And equals what collect reports, for the objects shown
            var diffs = SnapshotComparison.Differences(iw, collectedWorker).Concat(SnapshotComparison.Differences(iv, collectedVm)).ToList();
            foreach (var d in diffs) output.WriteLine("diff: " + d);
            Assert.Empty(diffs);
            int facts = iw.Namespaces.Concat(iv.Namespaces).Sum(n => n.Links.Count + n.Routes.Count + n.Neighbors.Count + n.Filters.Count);
            output.WriteLine($"{prefix}: {facts} imported facts compared");
            // and it gives the same diagnosis as the live collection: the same errors, with the same fixes
            var fromImport = Errors(imported);
            var fromCollect = Errors(new Snapshot { Hosts = [collectedWorker, collectedVm] });
            output.WriteLine("import:  " + string.Join(" | ", fromImport));
            output.WriteLine("collect: " + string.Join(" | ", fromCollect));
            Assert.Contains(fromCollect, e => e.StartsWith("neighbor-mac-mismatch ", StringComparison.Ordinal));
            Assert.Equal(fromCollect, fromImport);
            // every namespace of both machines was shown, with its links and routes
            foreach (var (h, id) in new[] { (iw, "root"), (iw, wkpod), (iv, "root"), (iv, vmpod) })
                Assert.True(h.FindNamespace(id) is { Links.Count: > 0, Routes.Count: > 0 }, $"{h.Name}/{id} has no links or routes");
        }
        finally
        {
            dir.Delete(true);
            LabBuilder.Down(prefix);
        }
    }

    private string Session(string socket, string netns, string prompt, string[] commands)
    {
        using var s = new ShellSession(socket, netns, prompt);
        foreach (var c in commands) s.Run(c);
        var text = s.Transcript;
        output.WriteLine(text);
        return text;
    }

    /// <summary>The error findings of a diagnosis: id, root cause and fix commands, in order.</summary>
    private static List<string> Errors(Snapshot snapshot) =>
        NetSleuth.Diagnosis.Diagnoser.Run(NetSleuth.Topology.Linker.Link(snapshot)).Findings
            .Where(f => f.Severity == NetSleuth.Diagnosis.Severity.Error)
            .Select(f => $"{f.Id} {f.RootCause}: " + string.Join("; ", f.Fix.SelectMany(x => x.Commands)))
            .ToList();

    private static void Accept(string worker, string podvm)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent;
        if (d is null) return;
        foreach (var target in new[] { Path.Combine(d.FullName, "examples", "peer-pods"), Path.Combine(d.FullName, "tests", "NetSleuth.Tests", "Fixtures", "transcripts") })
        {
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "worker.txt"), worker);
            File.WriteAllText(Path.Combine(target, "podvm.txt"), podvm);
        }
    }
}
