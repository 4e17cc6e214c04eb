using static NetSleuth.Tests.Cli.CliTests;

namespace NetSleuth.Tests.Cli;

/// <summary>Every example in an analysis command's --help runs on the bundled example (examples/peer-pods).</summary>
public sealed class HelpExamplesTests
{
    [Theory]
    [InlineData("import")]
    [InlineData("topology")]
    [InlineData("trace")]
    [InlineData("diagnose")]
    public void Every_help_example_works_on_the_bundled_example(string command)
    {
        var root = FindRoot();
        var (_, help, _) = Run(command, "--help");
        var examples = help.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.StartsWith($"netsleuth {command} ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(examples);
        var outDir = Directory.CreateTempSubdirectory("nsl-help-").FullName;
        try
        {
            foreach (var example in examples)
            {
                var words = example.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
                for (int i = 0; i < words.Count; i++)
                {
                    if (words[i].Contains("examples/", StringComparison.Ordinal))
                        words[i] = words[i].Replace("examples/", Path.Combine(root, "examples") + "/", StringComparison.Ordinal);
                    if (words[i] == "-o" && i + 1 < words.Count) words[i + 1] = Path.Combine(outDir, words[i + 1]);
                }
                if (words.Contains("svg") && !NetSleuth.Render.SvgTopologyRenderer.DotAvailable) continue;
                var (code, output, err) = Run([.. words]);
                Assert.True(code is 0 or 3, $"{example}: exit {code}: {err}");
                Assert.True(output.Length > 0 || words.Contains("-o"), $"{example}: no output");
                Assert.DoesNotContain("no host", err);
            }
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

/// <summary>The JSON of diagnose and lab: a format version first, and text as it is (no \uXXXX for + ' > → —).</summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void Diagnose_and_lab_json_carry_a_format_version_and_relaxed_escaping()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "NetSleuth.slnx"))) root = root.Parent!;
        var ex = Path.Combine(root.FullName, "examples", "peer-pods");
        var (code, json, _) = Run("diagnose", "--format", "json", Path.Combine(ex, "worker.txt"), Path.Combine(ex, "podvm.txt"));
        Assert.Equal(3, code);
        Assert.StartsWith("{\n  \"formatVersion\": 1,\n  \"findings\": [", json);
        Assert.DoesNotContain("\\u", json);
        Assert.Contains("→", json);
        using (var doc = System.Text.Json.JsonDocument.Parse(json))
            Assert.Equal("neighbor-mac-mismatch", doc.RootElement.GetProperty("findings")[0].GetProperty("id").GetString());

        var (lcode, list, _) = Run("lab", "list", "--format", "json");
        Assert.Equal(0, lcode);
        Assert.StartsWith("{\n  \"formatVersion\": 1,", list);
        Assert.DoesNotContain("\\u", list);
        Assert.Contains("the tunnel's far end", list);
    }
}
