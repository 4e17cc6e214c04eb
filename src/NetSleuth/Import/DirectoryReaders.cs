using NetSleuth.Model;

namespace NetSleuth.Import;

/// <summary>Reads a directory of a known layout (a sosreport) into one host; false when the directory is not of that layout.</summary>
/// <param name="dir">the directory given as input</param>
/// <param name="hostName">HOST= from the command line, or null</param>
/// <param name="log">where to put warnings (file:line)</param>
/// <param name="host">the host read, when the result is true</param>
public delegate bool DirectoryReader(string dir, string? hostName, ImportLog log, out Host? host);

/// <summary>
/// The directory layouts <see cref="InputLoader"/> tries before reading a directory as plain saved
/// outputs. The sosreport reader registers here (one line: <c>SosReportReader.TryRead</c>).
/// </summary>
internal static class DirectoryReaders
{
    public static IReadOnlyList<DirectoryReader> All { get; } =
    [
        Sos.SosReportReader.TryReadDirectory,
    ];
}
