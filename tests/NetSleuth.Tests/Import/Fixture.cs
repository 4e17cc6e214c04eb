using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Tests.Import;

/// <summary>Reads captured outputs under Fixtures/ as the importer hands them to parsers.</summary>
internal static class Fixture
{
    public static string Path(string source, string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", source, name);

    public static string Text(string source, string name) => File.ReadAllText(Path(source, name));

    public static CommandOutput Output(string name, string command) =>
        new(command.Split(' '), Text("ip-json", name).TrimEnd('\n').Split('\n'), name, 1);

    /// <summary>Parses a captured output with the command table's parser for that command.</summary>
    public static (NetNamespace Ns, ImportLog Log) Parse(string name, string command, NetNamespace? into = null)
    {
        var output = Output(name, command);
        var entry = CommandTable.Find(output.Argv) ?? throw new InvalidOperationException("no parser for " + command);
        var ns = into ?? new NetNamespace { Id = "test" };
        var log = new ImportLog();
        entry.Parse(output, ns, log);
        return (ns, log);
    }
}
