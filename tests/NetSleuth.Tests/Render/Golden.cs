namespace NetSleuth.Tests.Render;

/// <summary>
/// Compares rendered output with a golden file under tests/NetSleuth.Tests/Goldens/. Run the tests
/// with NETSLEUTH_ACCEPT=1 to (re)write the goldens from the current output, then review the diff.
/// </summary>
internal static class Golden
{
    public static void Check(string relativePath, string actual)
    {
        var path = Path.Combine(SourceDir(), "Goldens", relativePath);
        if (Environment.GetEnvironmentVariable("NETSLEUTH_ACCEPT") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden {path} is missing; run the tests with NETSLEUTH_ACCEPT=1 to write it");
        var expected = File.ReadAllText(path);
        if (expected != actual)
        {
            var exp = expected.Split('\n');
            var act = actual.Split('\n');
            int i = 0;
            while (i < exp.Length && i < act.Length && exp[i] == act[i]) i++;
            Assert.Fail($"output differs from {path} at line {i + 1}:\n  expected: {(i < exp.Length ? exp[i] : "<end>")}\n  actual:   {(i < act.Length ? act[i] : "<end>")}\n" +
                "(NETSLEUTH_ACCEPT=1 rewrites the goldens)");
        }
    }

    /// <summary>The test project's source directory (where the goldens live), found upwards from the test binaries.</summary>
    public static string SourceDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NetSleuth.Tests.csproj"))) return d.FullName;
        throw new InvalidOperationException("NetSleuth.Tests.csproj not found above " + AppContext.BaseDirectory);
    }
}
