namespace NetSleuth.Tests.Lab;

/// <summary>Compares rendered text with Goldens/lab/NAME; NETSLEUTH_ACCEPT=1 rewrites the golden in the source tree.</summary>
internal static class LabGolden
{
    public static void Check(string name, string actual)
    {
        var source = Path.Combine(SourceDir(), "Goldens", "lab", name);
        if (Environment.GetEnvironmentVariable("NETSLEUTH_ACCEPT") == "1")
        {
            File.WriteAllText(source, actual);
            return;
        }
        Assert.True(File.Exists(source), $"no golden {source}; run with NETSLEUTH_ACCEPT=1 to create it");
        Assert.Equal(File.ReadAllText(source), actual);
    }

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
