using System.Runtime.CompilerServices;

namespace NetSleuth.Tests.Diagnosis;

/// <summary>Compares rendered output with tests/NetSleuth.Tests/Goldens/diagnose/NAME; NETSLEUTH_ACCEPT=1 rewrites the file.</summary>
internal static class DiagnosisGolden
{
    public static void Check(string name, string actual, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, "..", "Goldens", "diagnose", name);
        if (Environment.GetEnvironmentVariable("NETSLEUTH_ACCEPT") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden {path} is missing; run with NETSLEUTH_ACCEPT=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
