using System.Text;

namespace NetSleuth.Cli;

/// <summary>
/// Standard output that turns a write error into <see cref="StdoutException"/>, so that
/// <see cref="Program.Main"/> says it in one line (a full disk, a closed descriptor) or ends quietly
/// (a broken pipe: the reader, e.g. head, has what it wanted) instead of crashing.
/// </summary>
internal sealed class StdoutWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Guard(() => inner.Write(value));
    public override void Write(string? value) => Guard(() => inner.Write(value));
    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));
    public override void WriteLine() => Guard(inner.WriteLine);
    public override void Flush() => Guard(inner.Flush);

    private static void Guard(Action write)
    {
        try { write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException) { throw new StdoutException(e); }
    }
}

/// <summary>Standard output could not be written.</summary>
internal sealed class StdoutException(Exception inner) : Exception("cannot write to standard output", inner)
{
    private const int EPIPE = 32;

    /// <summary>The reader went away (EPIPE).</summary>
    public bool BrokenPipe => InnerException is IOException io && (io.HResult == EPIPE || io.Message.Contains("Broken pipe", StringComparison.Ordinal));
}
