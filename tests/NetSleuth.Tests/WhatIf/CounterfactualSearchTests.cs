using NetSleuth.Diagnosis;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.WhatIf;

/// <summary>The counterfactual search on synthetic faults whose catalogue checks are switched off.</summary>
public sealed class CounterfactualSearchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(SynthStyle.Ovs, "link-down")]
    [InlineData(SynthStyle.PeerPods, "firewall-drops-tunnel-port")]
    [InlineData(SynthStyle.Bridge, "link-down")]
    // the destination pod's namespace is searched (its veth lost its host end: no veth of the node leads to it)
    [InlineData(SynthStyle.PeerPods, "dangling-veth")]
    public void Given_a_fault_with_its_check_off_When_searched_Then_a_candidate_restores_every_unexplained_path(SynthStyle style, string fault)
    {
        var row = CounterfactualMeasure.RunOne(style, fault, budget: TimeSpan.FromSeconds(30));
        output.WriteLine(row.Row());
        Assert.NotEmpty(row.Skipped);
        Assert.True(row.BrokenPaths > 0, "no unexplained path with the checks off");
        Assert.NotNull(row.Best);
        Assert.Equal(0, row.Best!.Result.Broke);
        Assert.True(row.Found, row.Row());
        // the candidate is a command the interpreter reads again, and re-applied it restores the paths as the search said
        Assert.All(row.Best.Fix.SelectMany(s => s.Commands), c => Assert.DoesNotContain("PID", c, StringComparison.Ordinal));
    }

    /// <summary>At scale every peer pod's tunnel has a VNI of its own: the recreated tunnel takes the VNI of the devices the
    /// linker weighed as its far ends, not of every VXLAN device of the cluster (forty of them here, which used up the
    /// candidate cap before the right one).</summary>
    [Fact]
    public void Given_a_vni_mismatch_among_twenty_nodes_of_peer_pods_When_searched_Then_the_tunnel_recreated_with_its_far_ends_vni_restores_the_path()
    {
        var row = CounterfactualMeasure.RunOne(SynthStyle.PeerPods, "vni-mismatch", nodes: 20, pods: 2, budget: TimeSpan.FromSeconds(60));
        output.WriteLine(row.Row());
        Assert.True(row.BrokenPaths > 0, "no unexplained path with the checks off");
        Assert.True(row.Found, row.Row());
        Assert.Contains(row.Best!.Fix.SelectMany(s => s.Commands), c => c.Contains("type vxlan id", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_tiny_budget_When_searched_Then_it_says_it_gave_up()
    {
        var (snap, manifest) = FirstPlacing(SynthStyle.Ovs, "link-down");
        var t = Linker.Link(snap);
        var report = Diagnoser.Run(t, null, new DiagnoseOptions
        {
            SkipChecks = new HashSet<string> { "link-down", "differs-from-peers" }, VerifyFixes = false,
            SearchBudget = TimeSpan.Zero,
        });
        var f = Assert.Single(report.Findings, x => x.Id == "unexplained-broken-path");
        Assert.NotNull(f.Counterfactual);
        Assert.Contains("gave up", f.Counterfactual!.GaveUp);
        Assert.Empty(f.Counterfactual.Best);
        var text = NetSleuth.Render.DiagnosisText.Render(report);
        Assert.Contains("gave up: the time budget (0 s) ran out", text);
        output.WriteLine(manifest.Faults[0].ToString());
    }

    [Fact]
    public void Given_the_search_result_When_rendered_as_text_Then_each_candidate_is_one_line_with_restores_and_breaks_0()
    {
        var (snap, _) = FirstPlacing(SynthStyle.Ovs, "link-down");
        var report = Diagnoser.Run(Linker.Link(snap), null, new DiagnoseOptions
        {
            SkipChecks = new HashSet<string> { "link-down", "differs-from-peers" }, VerifyFixes = false,
        });
        var text = NetSleuth.Render.DiagnosisText.Render(report);
        output.WriteLine(text);
        Assert.Matches(@"\n    restores (\d+) of \1, breaks 0: \S+: ip .*link set dev \S+ up\n", text);
        var json = System.Text.Json.JsonDocument.Parse(NetSleuth.Render.DiagnosisJson.Render(report));
        var f = json.RootElement.GetProperty("findings").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "unexplained-broken-path");
        var best = f.GetProperty("counterfactual").GetProperty("best")[0];
        Assert.Equal(0, best.GetProperty("result").GetProperty("broke").GetInt32());
        Assert.Matches(@"^restores (\d+) of \1, breaks 0: ", best.GetProperty("text").GetString());
    }

    /// <summary>`diagnose --search-budget`: the bridge style's missing route breaks a path no check explains, so the
    /// search runs by default; 0 switches it off (the finding stays, without candidates); a bad value is a usage error.</summary>
    [Fact]
    public void Given_an_unexplained_path_When_diagnosed_with_search_budget_Then_the_search_runs_or_is_off()
    {
        int seed = Enumerable.Range(1, 200).First(sd =>
            new ClusterGenerator(new SynthOptions(3, 3, SynthStyle.Bridge, 1, sd)).GenerateAll().Faults.Faults is [{ Name: "missing-route" }]);
        var dir = Directory.CreateTempSubdirectory("netsleuth-search-").FullName;
        try
        {
            SynthWriter.Write(new SynthOptions(3, 3, SynthStyle.Bridge, 1, seed), dir);
            var (code, text, err) = NetSleuth.Tests.Cli.CliTests.Run("diagnose", dir);
            Assert.True(code == 3, err);
            Assert.Contains("ERROR unexplained-broken-path", text);
            Assert.Matches(@"Counterfactual search \(\d+ of \d+ candidate edits tried[^\n]*\):\n\s+restores 1 of 1, breaks 0: ", text);

            (code, text, err) = NetSleuth.Tests.Cli.CliTests.Run("diagnose", dir, "--search-budget", "0");
            Assert.True(code == 3, err);
            Assert.Contains("ERROR unexplained-broken-path", text);
            Assert.DoesNotContain("Counterfactual search", text);

            (code, _, err) = NetSleuth.Tests.Cli.CliTests.Run("diagnose", dir, "--search-budget", "soon");
            Assert.Equal(2, code);
            Assert.Contains("--search-budget wants a whole number between 0 and 3600, not 'soon'", err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>A node's other pods, behind veths the failing path never used, and the reverse-path filter where the packet
    /// died of a firewall (a check that passed passes again once off): edits there cannot change the trace, and at 110 pods
    /// a node they were 1,000 of a path's 1,150 candidates, the cap and the budget spent before the right one.</summary>
    [Fact]
    public void Given_a_path_dropped_by_a_firewall_among_twelve_pods_a_node_When_candidates_are_made_Then_none_is_in_pods_it_did_not_use_nor_an_rp_filter()
    {
        var (snap, _) = FirstPlacing(SynthStyle.PeerPods, "firewall-drops-tunnel-port", pods: 12);
        var t = Linker.Link(snap);
        var report = CounterfactualMeasure.ExplainingChecks(t, null).Rounds[^1];
        var f = report.Findings.First(x => x.Id == "unexplained-broken-path");
        var byLabel = report.Paths.GroupBy(p => p.Label).ToDictionary(g => g.Key, g => g.First());
        var broken = f.BrokenPaths.Select(l => byLabel[l.Replace(" (reply)", "", StringComparison.Ordinal)]).Distinct().ToList();
        var candidates = CounterfactualSearch.Generate(t, broken);
        var steps = candidates.SelectMany(c => c).ToList();
        output.WriteLine($"{f.Title}: {candidates.Count} candidates");
        // the pod namespaces of the nodes that candidates edit: the path's own pod only (was every pod of the node)
        var pods = steps.Where(s => s.Host.StartsWith("node-", StringComparison.Ordinal) && s.Namespace is not null).Select(s => s.Host + ":" + s.Namespace).Distinct().ToList();
        Assert.True(pods.Count <= 1, string.Join(", ", pods));
        Assert.DoesNotContain(steps.SelectMany(s => s.Commands), c => c.Contains("rp_filter", StringComparison.Ordinal));
        Assert.Contains(steps.SelectMany(s => s.Commands), c => c.Contains("iptables -t filter -D INPUT", StringComparison.Ordinal));
        // and the search still finds the firewall rule, stopping at it: one command restores the path, nothing after it ranks higher
        var r = CounterfactualSearch.Search(t, f, report.Paths, TimeSpan.FromSeconds(60), 60);
        output.WriteLine($"{r.Tried} of {r.Generated} tried: {r.Best.FirstOrDefault()?.Summary()}");
        Assert.Null(r.GaveUp);
        Assert.Contains("iptables -t filter -D INPUT", r.Best[0].Summary(), StringComparison.Ordinal);
        Assert.True(r.Tried < r.Generated, $"{r.Tried} of {r.Generated}");
    }

    private static (NetSleuth.Model.Snapshot, FaultManifest) FirstPlacing(SynthStyle style, string fault, int pods = 3)
    {
        for (int seed = 1; seed <= 200; seed++)
        {
            var (snap, m) = new ClusterGenerator(new SynthOptions(3, pods, style, 1, seed)).GenerateAll();
            if (m.Faults.Count == 1 && m.Faults[0].Name == fault) return (snap, m);
        }
        throw new InvalidOperationException("no seed places " + fault);
    }
}
