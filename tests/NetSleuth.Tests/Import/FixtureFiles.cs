using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>Reads captured outputs under Fixtures/ as the importer would hand them to a parser.</summary>
internal static class FixtureFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string rel) => Path.Combine(Root, rel);

    public static IReadOnlyList<string> Lines(string rel)
    {
        var text = File.ReadAllText(PathOf(rel));
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    public static CommandOutput Output(string rel, string command) =>
        new(command.Split(' ', StringSplitOptions.RemoveEmptyEntries), Lines(rel), PathOf(rel), 1);

    /// <summary>Runs the CommandTable parser for <paramref name="command"/> on a fixture, into <paramref name="ns"/>.</summary>
    public static ImportLog Parse(NetNamespace ns, string rel, string command)
    {
        var output = Output(rel, command);
        var entry = CommandTable.Find(output.Argv) ?? throw new InvalidOperationException($"no CommandTable entry for '{command}'");
        var log = new ImportLog();
        entry.Parse(output, ns, log);
        return log;
    }

    public static NetNamespace NewNamespace() => new() { Id = "root", IsRoot = true };
}
