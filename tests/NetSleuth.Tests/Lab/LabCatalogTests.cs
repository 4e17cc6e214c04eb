using NetSleuth.Cli;
using NetSleuth.Lab;

namespace NetSleuth.Tests.Lab;

public sealed class LabCatalogTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        return (Program.Run(args, o, e), o.ToString(), e.ToString());
    }

    [Fact]
    public void Lab_list_prints_every_scenario_and_fault_with_one_line_each()
    {
        var (code, text, _) = Run("lab", "list");
        Assert.Equal(0, code);
        LabGolden.Check("list.txt", text);
        foreach (var f in LabCatalog.Faults) Assert.Contains(f.Name, text);
    }

    [Fact]
    public void Every_fault_is_buildable_in_some_scenario_and_every_scenario_fault_is_catalogued()
    {
        foreach (var f in LabCatalog.Faults)
            Assert.Contains(LabCatalog.Scenarios, s => s.Faults.Contains(f.Name));
        foreach (var s in LabCatalog.Scenarios)
            foreach (var f in s.Faults)
            {
                Assert.NotNull(LabFaults.Find(f));
                Assert.False(string.IsNullOrWhiteSpace(LabCatalog.FaultChange(s.Name, f)));
            }
    }

    [Fact]
    public void Lab_list_json_names_what_each_fault_changes_per_scenario()
    {
        var (code, json, _) = Run("lab", "list", "--format", "json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var change = doc.RootElement.GetProperty("changes").GetProperty("peer-pods").GetProperty("mac-mismatch").GetString();
        Assert.Contains(Scenarios_PeerPods_VmOwnMac, change);
    }

    private const string Scenarios_PeerPods_VmOwnMac = "7e:e5:f7:e6:f5:1a";

    [Theory]
    [InlineData("nsl", true)]
    [InlineData("nlab3f9a1c", true)]
    [InlineData("a-b", false)]
    [InlineData("Nsl", false)]
    [InlineData("1abc", false)]
    [InlineData("abcdefghijklm", false)]
    [InlineData("", false)]
    public void Prefixes_are_short_lowercase_words_without_dashes(string prefix, bool ok)
    {
        if (ok) LabPaths.Validate(prefix);
        else Assert.Throws<LabException>(() => LabPaths.Validate(prefix));
    }

    [Theory]
    [InlineData("nsl-wk", "nsl", true)]
    [InlineData("nsl-wkpod", "nsl", true)]
    [InlineData("nsl2-wk", "nsl", false)]
    [InlineData("nsl-wk", "ns", false)]
    [InlineData("nsl-", "nsl", false)]
    [InlineData("nsl", "nsl", false)]
    public void A_namespace_belongs_to_exactly_one_prefix(string netns, string prefix, bool belongs) =>
        Assert.Equal(belongs, LabPaths.BelongsTo(netns, prefix));

    [Fact]
    public void Unique_prefixes_differ_and_are_valid()
    {
        var a = LabPaths.UniquePrefix("nlab");
        var b = LabPaths.UniquePrefix("nlab");
        Assert.NotEqual(a, b);
        Assert.StartsWith("nlab", a);
    }

    [Theory]
    [InlineData("lab", "up", "no-such-scenario")]
    [InlineData("lab", "up", "peer-pods", "--fault", "no-such-fault")]
    [InlineData("lab", "up", "bridge-pods", "--fault", "vni-mismatch")]
    [InlineData("lab", "up", "peer-pods", "--prefix", "a-b")]
    [InlineData("lab", "down", "--prefix", "UPPER")]
    [InlineData("lab", "up")]
    public void Bad_lab_usage_is_exit_2_with_a_message_and_changes_nothing(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("netsleuth: ", err);
        Assert.DoesNotContain("   at ", err);
    }
}

/// <summary>docs/lab.md has a row for every scenario the catalogue builds.</summary>
public sealed class LabDocsTests
{
    [Fact]
    public void Docs_lab_md_lists_every_scenario()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent!;
        var doc = File.ReadAllText(Path.Combine(d.FullName, "docs", "lab.md"));
        Assert.All(NetSleuth.Lab.LabCatalog.Scenarios, s => Assert.Contains($"| `{s.Name}` |", doc));
    }
}
